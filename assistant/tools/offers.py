"""Which tools a shop offers: each write tool carries one action of the shop's policy, in one form.

`WRITE_ACTIONS` is the one mapping write tool → policy action (assistant/shops/policy.py):
the tool pre-checks that action's rule (`require_action`), and a shop's toolbox holds the
tool only when its policy offers the action. Where shops do an action in different forms,
`FORMS` picks the tool that fits the policy: the retail shop cancels with one of two fixed
reasons, returns items and exchanges variants after delivery, with western addresses; the
Chinese shop cancels for any reason, returns whole orders, exchanges before shipping for a
listed product, with Chinese addresses. Writes that are not order policy (tickets, notes)
and reads are offered to every shop, except the reads of an action the shop does not offer
(`READ_ACTIONS`: no invoice look-up in a shop that issues none).
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.shops.policy import Action, ShopPolicy
from assistant.shops.profile import IdentityMethod, IdentityRules

WRITE_ACTIONS: dict[str, Action] = {
    # the retail shop's tools (the tau2-bench names, which the agent-tasks suite compares)
    "cancel_pending_order": "cancel",
    "modify_pending_order_address": "modify_address",
    "modify_pending_order_payment": "modify_payment",
    "modify_pending_order_items": "modify_items",
    "return_delivered_order_items": "return",
    "exchange_delivered_order_items": "exchange",
    "modify_user_address": "update_default_address",
    "change_delivery_address": "modify_address",
    "request_expedite": "expedite",
    # the forms other shops' policies ask for (the Chinese shop's)
    "cancel_order": "cancel",
    "modify_order_address": "modify_address",
    "modify_order_phone": "modify_phone",
    "return_order": "return",
    "exchange_order_product": "exchange",
    "place_order": "place_order",
    "claim_price_protection": "price_protection",
    "issue_invoice": "invoice",
    "book_appointment": "appointment",
    "change_appointment": "appointment",
}
READ_ACTIONS: dict[str, Action] = {
    "get_invoice": "invoice",
    "list_appointments": "appointment",
    "get_cashback_record": "review_cashback",
}


def _western(policy: ShopPolicy) -> bool:
    return policy.address_format == "western"


FORMS: dict[str, Callable[[ShopPolicy], bool]] = {
    "cancel_pending_order": lambda policy: bool(policy.cancel_reasons),
    "cancel_order": lambda policy: not policy.cancel_reasons,
    "modify_pending_order_address": _western,
    "change_delivery_address": _western,
    "modify_user_address": _western,
    "modify_order_address": lambda policy: policy.address_format == "chinese",
    "return_delivered_order_items": lambda policy: policy.return_scope == "items",
    "return_order": lambda policy: policy.return_scope == "order",
    "exchange_delivered_order_items": lambda policy: policy.exchange_targets == "same_product",
    "exchange_order_product": lambda policy: policy.exchange_targets == "listed",
}


# The identity look-ups, by the identity method each serves: a shop has those its profile names.
IDENTITY_TOOLS: dict[str, IdentityMethod] = {
    "find_user_id_by_email": "email",
    "find_user_id_by_name_zip": "name_zip",
    "find_user_id_by_phone": "phone",
    "verify_platform_user_id": "platform_user_id",
}


def offers_identity_tool(identity: IdentityRules, name: str) -> bool:
    """Whether a shop whose customers identify by `identity.methods` has the tool `name` (True for a non-identity tool)."""
    method = IDENTITY_TOOLS.get(name)
    return method is None or method in identity.methods


def offers_tool(policy: ShopPolicy, name: str) -> bool:
    """Whether a shop with `policy` has the tool `name` in its toolbox."""
    action = WRITE_ACTIONS.get(name) or READ_ACTIONS.get(name)
    if action is not None and not policy.offers(action):
        return False
    form = FORMS.get(name)
    return form is None or form(policy)


def keeps_status(policy: ShopPolicy, tool: str) -> bool:
    """Whether the order keeps its status after `tool` (so another write may follow on it)."""
    action = WRITE_ACTIONS.get(tool)
    rule = policy.actions.get(action) if action is not None else None
    return rule is not None and rule.result_status is None
