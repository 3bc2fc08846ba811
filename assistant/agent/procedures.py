"""The store's standard operations as deterministic procedures.

The model classified the request; from here code does the work the store
policy describes: check identity, look the order up, check its status, resolve
the items and variants the customer described to exact ids, and propose one
exact write for the customer to confirm. Nothing here is left to the model's
memory of ids.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from assistant.agent import matching, slots
from assistant.agent.decisions import AddressSlots, NameSlots
from assistant.agent.outcome import Outcome, ToolFailed
from assistant.agent.prompt_library import PromptLibrary
from assistant.agent.tooling import TurnTools
from assistant.agent.turn_llm import TurnLLM

# Words that open the part of a message about one operation (see matching.operation_segment).
OPERATION_WORDS: dict[str, tuple[str, ...]] = {
    "cancel_order": ("cancel",),
    "return_items": ("return", "refund"),
    "exchange_items": ("exchange",),
    "modify_items": ("modify", "change", "switch to", "update"),
}
ALL_OPERATION_WORDS = tuple(word for words in OPERATION_WORDS.values() for word in words)
STATUS_FOR = {
    "cancel_order": "pending",
    "modify_items": "pending",
    "modify_address": "pending",
    "modify_payment": "pending",
    "return_items": "delivered",
    "exchange_items": "delivered",
}


class Procedures:
    """One turn's run of a standard operation for the authenticated customer."""

    def __init__(
        self,
        *,
        tools: TurnTools,
        prompts: PromptLibrary,
        llm: TurnLLM,
        language: str,
        text: str,
        verified_customer_id: str | None,
    ) -> None:
        self._tools = tools
        self._prompts = prompts
        self._llm = llm
        self._language = language
        self._text = text
        self._verified = verified_customer_id
        self._action = ""  # set by run(): the operation being carried out

    def say(self, key: str, **values: Any) -> str:
        return self._prompts.phrase(self._language, key, **values)

    async def run(self, action: str) -> Outcome:
        self._action = action
        user_id, stop = await self.identify()
        if stop is not None or user_id is None:
            return stop or Outcome(route="identify", reply=self.say("ask_identity"))
        handlers: dict[str, Callable[[str], Awaitable[Outcome]]] = {
            "identify": self._identified,
            "account_info": self._account_info,
            "order_status": self._order_status,
            "cancel_order": self._cancel,
            "return_items": self._return,
            "exchange_items": self._exchange_or_modify,
            "modify_items": self._exchange_or_modify,
            "modify_address": self._address,
            "update_default_address": self._address,
            "modify_payment": self._payment,
        }
        outcome = await handlers[action](user_id)
        outcome.verified_customer_id = user_id
        return outcome

    # --- identity -------------------------------------------------------------------------

    async def identify(self) -> tuple[str | None, Outcome | None]:
        """The verified customer id, or an outcome asking for the details the policy requires."""
        if self._verified:
            return self._verified, None
        found: str | None = None
        email = slots.email(self._text)
        if email:
            found = await self._find_user("find_user_id_by_email", email=email)
        zip_codes = slots.zip_codes(self._text)[:2]
        if found is None and zip_codes:
            names = slots.names(self._text)[:2]
            if not names:
                extracted = await self._extract_name()
                names = [extracted] if extracted else []
            for (first, last), zip_code in ((n, z) for n in names for z in zip_codes):
                found = await self._find_user("find_user_id_by_name_zip", first_name=first, last_name=last, zip=zip_code)
                if found:
                    break
        if found is None:
            key = "identity_failed" if (email or zip_codes) else "ask_identity"
            return None, Outcome(route="identify", reply=self.say(key))
        return found, None

    async def _extract_name(self) -> tuple[str, str] | None:
        value = await self._llm.decide("extract_name", self._prompts.messages("extract_name", message=self._text), NameSlots)
        if value and value.first_name and value.last_name:
            return value.first_name.strip().capitalize(), value.last_name.strip().capitalize()
        return None

    async def _find_user(self, tool: str, **args: str) -> str | None:
        try:
            result = await self._tools.read(tool, **args)
        except ToolFailed as exc:
            if exc.unavailable:
                raise
            return None
        # The tool succeeds only for the customer the shop signed in (another customer's match is "not found").
        return str(result.get("user_id")) if isinstance(result, dict) else str(result)

    async def _identified(self, _user_id: str) -> Outcome:
        return Outcome(route="identify", reply=self.say("identity_ok"))

    # --- reads ----------------------------------------------------------------------------

    async def _account_info(self, user_id: str) -> Outcome:
        user = await self._tools.read("get_user_details", user_id=user_id)
        methods = [matching.describe_payment(m["id"], user["payment_methods"]) for m in _methods(user)]
        address = ", ".join(str(v) for v in user.get("address", {}).values() if v)
        name = f"{user['name']['first_name']} {user['name']['last_name']}"
        reply = self.say(
            "account_info", name=name, email=user.get("email") or "-", address=address,
            orders=user.get("orders", []), methods=methods,
        )  # fmt: skip
        return Outcome(route="account_info", reply=reply)

    async def _order_status(self, user_id: str) -> Outcome:
        order, stop = await self._resolve_order(user_id, status=None)
        if stop:
            return stop
        tracking = [t for f in order.get("fulfillments", []) for t in f.get("tracking_id", [])]
        items = [item["name"] for item in order.get("items", [])]
        reply = self.say("order_status", order_id=order["order_id"], status=order["status"], tracking=tracking, items=items)
        return Outcome(route="order_status", reply=reply)

    # --- writes (proposed, never executed here) ------------------------------------------

    async def _cancel(self, user_id: str) -> Outcome:
        # Without an order id, the items the customer names pick the order ("cancel the garden hose order").
        order, stop = await self._resolve_order(user_id, status="pending", items_text=self._segment())
        if stop:
            return stop
        reason = slots.cancel_reason(self._text)
        return await self._propose("cancel_pending_order", order_id=order["order_id"], reason=reason)

    async def _return(self, user_id: str) -> Outcome:
        segment = self._segment()
        order, stop = await self._resolve_order(user_id, status="delivered", items_text=segment)
        if stop:
            return stop
        items = matching.match_items(segment, order["items"])
        if not items:
            return Outcome(route=self._action, reply=self.say("ask_items", order_id=order["order_id"], items=_names(order)))
        user = await self._tools.read("get_user_details", user_id=user_id)
        payment = self._payment_for(segment, user, order)
        return await self._propose(
            "return_delivered_order_items",
            order_id=order["order_id"],
            item_ids=[item["item_id"] for item in items],
            payment_method_id=payment,
        )

    async def _exchange_or_modify(self, user_id: str) -> Outcome:
        segment = self._segment()
        status = STATUS_FOR[self._action]
        order, stop = await self._resolve_order(user_id, status=status, items_text=segment)
        if stop:
            return stop
        items = matching.match_items(segment, order["items"])
        if not items:
            return Outcome(route=self._action, reply=self.say("ask_items", order_id=order["order_id"], items=_names(order)))
        new_ids: list[str] = []
        for item in items:
            product = await self._tools.read("get_product_details", product_id=item["product_id"])
            variant = matching.match_variant(segment, item, product)
            if variant is None:
                reply = self.say("no_variant", item=item["name"], options=matching.available_options(product)[:8])
                return Outcome(route=self._action, reply=reply)
            new_ids.append(variant["item_id"])
        user = await self._tools.read("get_user_details", user_id=user_id)
        payment = self._payment_for(segment, user, order)
        tool = "exchange_delivered_order_items" if self._action == "exchange_items" else "modify_pending_order_items"
        return await self._propose(
            tool,
            order_id=order["order_id"],
            item_ids=[item["item_id"] for item in items],
            new_item_ids=new_ids,
            payment_method_id=payment,
            _reminder=True,
        )

    async def _address(self, user_id: str) -> Outcome:
        value = await self._llm.decide(
            "extract_address", self._prompts.messages("extract_address", message=self._text), AddressSlots
        )
        if value is None or not (value.address1 and value.city and value.zip):
            return Outcome(route=self._action, reply=self.say("ask_address"))
        address: dict[str, Any] = {k: (v or "").strip() for k, v in value.model_dump().items()}
        address["country"] = address["country"] or "USA"
        if self._action == "update_default_address":
            return await self._propose("modify_user_address", user_id=user_id, **address)
        order, stop = await self._resolve_order(user_id, status="pending")
        if stop:
            return stop
        return await self._propose("modify_pending_order_address", order_id=order["order_id"], **address)

    async def _payment(self, user_id: str) -> Outcome:
        order, stop = await self._resolve_order(user_id, status="pending")
        if stop:
            return stop
        user = await self._tools.read("get_user_details", user_id=user_id)
        original = matching.original_payment(order)
        choices = [m for m in _methods(user) if m["id"] != original]
        payment = matching.match_payment(self._text, choices)
        if payment is None:
            methods = [matching.describe_payment(m["id"], choices) for m in choices]
            return Outcome(route=self._action, reply=self.say("ask_payment", methods=methods))
        return await self._propose(
            "modify_pending_order_payment",
            order_id=order["order_id"],
            payment_method_id=payment,
        )

    # --- helpers --------------------------------------------------------------------------

    async def _propose(self, tool: str, *, _reminder: bool = False, **args: Any) -> Outcome:
        """The tool checks the policy and describes the exact action (in the customer's language); nothing is written."""
        try:
            proposal = await self._tools.propose(tool, **args)
        except ToolFailed as exc:
            if exc.unavailable:
                raise
            return Outcome(route=self._action, reply=self.say("execute_failed", reason=exc.message.rstrip(". ")), handoff=True)
        reminder = self.say("reminder_items") if _reminder else ""
        reply = self.say("confirm", description=proposal.description.rstrip("。. "), reminder=reminder)
        return Outcome(route=self._action, reply=reply, proposal=proposal)

    def _segment(self) -> str:
        own = OPERATION_WORDS.get(self._action, ())
        return matching.operation_segment(self._text, own, tuple(w for w in ALL_OPERATION_WORDS if w not in own))

    def _payment_for(self, segment: str, user: dict[str, Any], order: dict[str, Any]) -> str:
        """The method the customer named, else the order's original one (where the policy sends refunds)."""
        return matching.match_payment(segment, _methods(user)) or matching.original_payment(order) or _methods(user)[0]["id"]

    async def _resolve_order(
        self, user_id: str, *, status: str | None, items_text: str | None = None
    ) -> tuple[dict[str, Any], Outcome | None]:
        """The order the message is about: named by id, else the customer's one order that fits."""
        named = slots.order_ids(self._text)
        if not named:
            user = await self._tools.read("get_user_details", user_id=user_id)
            named = list(user.get("orders", []))
            explicit = False
        else:
            explicit = True
        orders: list[dict[str, Any]] = []
        for order_id in named:
            try:
                orders.append(await self._tools.read("get_order_details", order_id=order_id))
            except ToolFailed as exc:
                if exc.unavailable:
                    raise
                if explicit and len(named) == 1:
                    return {}, Outcome(route=self._action, reply=self.say("order_not_found", order_id=order_id))
        if explicit and len(orders) == 1:
            order = orders[0]
        else:
            fitting = [o for o in orders if status is None or o["status"] == status]
            by_items: list[dict[str, Any]] = []
            if items_text is not None:
                scored = sorted(fitting, key=lambda o: -len(matching.match_items(items_text, o["items"])))
                by_items = [o for o in scored if matching.match_items(items_text, o["items"])]
            # Several candidates and no item to tell them apart: ask rather than guess.
            if by_items:
                fitting = by_items
            elif len(fitting) != 1:
                return {}, Outcome(route=self._action, reply=self.say("ask_order"))
            order = fitting[0]
        if status is not None and order["status"] != status:
            return {}, Outcome(route=self._action, reply=self._wrong_status(order, status))
        return order, None

    def _wrong_status(self, order: dict[str, Any], allowed: str) -> str:
        verbs = {
            "cancel_order": ("cancel", "cancelled"), "return_items": ("return", "returned"),
            "exchange_items": ("exchange", "exchanged"), "modify_items": ("modify", "modified"),
            "modify_address": ("modify", "modified"), "modify_payment": ("modify", "modified"),
        }  # fmt: skip
        if self._language == "zh":
            verbs = {k: ("处理", "处理") for k in verbs}
        verb, verb_past = verbs.get(self._action, ("change", "changed"))
        return self.say(
            "wrong_status", order_id=order["order_id"], status=order["status"], verb=verb, verb_past=verb_past, allowed=allowed
        )


def _methods(user: dict[str, Any]) -> list[dict[str, Any]]:
    methods = user.get("payment_methods", [])
    return list(methods.values()) if isinstance(methods, dict) else list(methods)


def _names(order: dict[str, Any]) -> list[str]:
    return [f"{item['name']} ({_options(item)})" for item in order.get("items", [])]


def _options(item: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in item.get("options", {}).items())
