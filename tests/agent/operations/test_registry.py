"""The registry is the one place an operation is declared: rules, route schema, route prompt and tables follow it."""

from __future__ import annotations

import dataclasses

import pytest

from assistant.agent.decisions import ACCOUNT_ACTIONS, Route, route_model
from assistant.agent.operations import registry
from assistant.agent.operations.base import Operation, OperationTurn
from assistant.agent.operations.offered import ShopOperations
from assistant.agent.outcome import Outcome
from assistant.agent.prompt_library import PromptLibrary
from assistant.agent.router import route_messages, rule_route, rules
from assistant.errors import SettingsError
from assistant.tools import Toolbox, ToolKind
from assistant.tools.approval import ApprovalRule
from tests.shops import operations, prompts, shop

# The route prompt's list as it was written by hand before the registry: the small models were measured with it.
ROUTE_LIST = """Classify the customer's new message. Choose one action:
- "question": a question about products, policies, shipping, returns rules or anything answered by the knowledge base
- "order_status": where an order is, its status or tracking
- "cancel_order": cancel a pending order
- "return_items": return items of a delivered order
- "exchange_items": exchange items of a delivered order for other options of the same product
- "modify_items": change items of a pending order to other options of the same product
- "modify_address": change the shipping address of a pending order
- "modify_payment": change the payment method of a pending order
- "update_default_address": change the customer's default address in the profile
- "account_info": the customer's own profile, orders or payment methods
- "identify": the customer only gives their name, zip code or email
- "human_agent": the customer asks for a human, or is angry
- "clarify": the message is unclear
Answer with JSON."""


async def _noop(turn: OperationTurn, _user_id: str) -> Outcome:
    return Outcome(route=turn.operation.name, reply="ok")


FAKE = Operation(
    name="gift_wrap_order",
    description="add gift wrapping to a pending order",
    handler=_noop,
    words_en=r"\bgift ?wrap(ping)?\b",
    words_zh=r"礼品包装",
    action="cancel",
    needs_order=True,
    tools=("cancel_pending_order",),
)
RETAIL = operations("retail")


def _offering(*offered: Operation) -> ShopOperations:
    """The retail shop offering exactly these operations."""
    return dataclasses.replace(RETAIL, operations=offered)


@pytest.fixture(scope="module")
def library() -> PromptLibrary:
    return prompts("retail")


def _prompt(library: PromptLibrary, offered: ShopOperations = RETAIL) -> str:
    return route_messages(library, text="hi", history=[], summary=None, operations=offered)[1]["content"]


def test_the_route_prompt_schema_and_rules_are_the_registrys(library: PromptLibrary) -> None:
    assert ROUTE_LIST in _prompt(library), "the generated list is the hand-written one, line for line"
    names = list(registry.route_names(RETAIL.operations))
    assert Route.model_json_schema()["properties"]["action"]["enum"] == list(registry.route_names())
    assert RETAIL.route_model.model_json_schema()["properties"]["action"]["enum"] == names
    # The operations the Chinese shop brought (modify_phone … cashback) leave the retail list as it was measured.
    assert names == [line.split('"')[1] for line in ROUTE_LIST.splitlines()[1:-1]]
    assert [name for name, _ in rules(RETAIL.operations)] == [
        "human_agent",
        *(op.name for op in RETAIL.operations if op.rule is not None),
    ]
    assert set(names) - {"question", "human_agent", "clarify"} == RETAIL.account_actions
    assert RETAIL.account_actions < ACCOUNT_ACTIONS == set(registry.route_names()) - {"question", "human_agent", "clarify"}
    assert {"cancel_order", "return_items", "exchange_items", "modify_address", "modify_payment", "order_status"} <= (
        RETAIL.needing_order
    )
    # The statuses are the shop's policy's (shops/retail/policy.toml), not the operation's.
    assert RETAIL.statuses(registry.BY_NAME["return_items"]) == {"delivered"}
    assert RETAIL.statuses(registry.BY_NAME["cancel_order"]) == {"pending"}


def test_a_new_operation_shows_up_in_rules_schema_and_prompt(library: PromptLibrary) -> None:
    extended = _offering(*registry.OPERATIONS, FAKE)
    assert ("gift_wrap_order", FAKE.rule) in rules(extended.operations)
    assert "gift_wrap_order" in route_model(extended.operations).model_json_schema()["properties"]["action"]["enum"]
    assert extended.route_model(action="gift_wrap_order").action == "gift_wrap_order"
    prompt = _prompt(library, extended)
    assert '- "gift_wrap_order": add gift wrapping to a pending order\n- "human_agent"' in prompt
    assert rule_route("Please add gift wrapping to order #W2378156", extended) == "gift_wrap_order"
    assert rule_route("请给订单 #W2378156 加礼品包装", extended) == "gift_wrap_order"
    assert rule_route("How much does gift wrapping cost?", extended) == "question"  # a question naming no order
    assert "gift_wrap_order" in extended.account_actions
    # The registry itself is untouched: the real router knows nothing of it.
    assert rule_route("Please add gift wrapping to order #W2378156", RETAIL) is None
    assert "gift_wrap_order" not in Route.model_json_schema()["properties"]["action"]["enum"]


def test_a_rule_of_one_operation_routes_alone_and_two_go_to_the_model() -> None:
    without_cancel = _offering(*(op for op in registry.OPERATIONS if op.name != "cancel_order"))
    assert rule_route("Please cancel order #W2378156", RETAIL) == "cancel_order"
    assert rule_route("Please cancel order #W2378156", without_cancel) is None
    assert rule_route("cancel #W1234567 and return the lamp of #W2378156", RETAIL) is None


def test_a_shop_offers_what_its_profile_names_and_its_policy_allows() -> None:
    jd = operations("jd_appliances")
    assert [op.name for op in jd] == [
        "order_status", "cancel_order", "return_items", "exchange_items", "modify_address", "modify_phone", "invoice",
        "appointment", "expedite", "price_protection", "ecard_balance", "cashback", "place_order", "account_info",
        "identify",
    ]  # fmt: skip
    # Each write in the form the shop's policy asks for: the toolbox of each shop holds that form only.
    forms = {op.name: (RETAIL.tool_for(op) if op.name in RETAIL else None, jd.tool_for(op)) for op in jd if op.writes}
    assert forms == {
        "cancel_order": ("cancel_pending_order", "cancel_order"),
        "return_items": ("return_delivered_order_items", "return_order"),
        "exchange_items": ("exchange_delivered_order_items", "exchange_order_product"),
        "modify_address": ("modify_pending_order_address", "modify_order_address"),
        "modify_phone": (None, "modify_order_phone"),
        "invoice": (None, "issue_invoice"),
        "appointment": (None, "book_appointment"),
        "expedite": (None, "request_expedite"),
        "price_protection": (None, "claim_price_protection"),
        "place_order": (None, "place_order"),
    }
    assert jd.tools_of(registry.BY_NAME["appointment"]) == ("book_appointment", "change_appointment")
    assert jd.statuses(registry.BY_NAME["cancel_order"]) == {"待付款", "已付款", "处理中"}
    assert jd.route_model.model_json_schema()["properties"]["action"]["enum"] == [
        "question", *(op.name for op in jd), "human_agent", "clarify",
    ]  # fmt: skip
    assert rule_route("帮我查一下订单312705335872现在什么状态？", jd) == "order_status"
    assert not jd.keeps_status("cancel_pending_order") and RETAIL.keeps_status("modify_pending_order_address")
    unknown = dataclasses.replace(shop("retail"), profile=shop("retail").profile.model_copy(update={"operations": ["teleport"]}))
    with pytest.raises(SettingsError, match="teleport"):
        ShopOperations.of(unknown)
    no_cancel = shop("retail").policy.model_copy(
        update={"actions": {k: v for k, v in shop("retail").policy.actions.items() if k != "cancel"}}
    )
    with pytest.raises(SettingsError, match="cancel_order performs `cancel`"):
        ShopOperations.of(dataclasses.replace(shop("retail"), policy=no_cancel))
    # A shop whose policy asks for a form of a write that none of the operation's tools has is refused.
    unknown_form = shop("jd_appliances").policy.model_copy(update={"address_format": "japanese"})
    with pytest.raises(SettingsError, match="modify_address has no write"):
        ShopOperations.of(dataclasses.replace(shop("jd_appliances"), policy=unknown_form))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_operation_has_its_phrases(library: PromptLibrary, language: str) -> None:
    keys = set(library.phrase_keys(language))
    for operation in registry.OPERATIONS:
        missing = set(operation.phrases) - keys
        assert not missing, (operation.name, missing)
        if operation.action is not None and operation.needs_order:  # the wrong-status reply names what cannot be done
            assert {f"{operation.name}.verb", f"{operation.name}.verb_past"} <= set(operation.phrases), operation.name


def test_every_operation_proposes_a_write_tool_of_the_toolbox() -> None:
    toolbox = Toolbox(approval=ApprovalRule(refund_limit=1000.0))
    for operation in registry.OPERATIONS:
        for tool in operation.tools:
            assert toolbox.kind(tool) is ToolKind.WRITE, (operation.name, tool)
        assert operation.account, "every standard operation reads the customer's account"
    assert {op.name for op in registry.OPERATIONS if op.draft is not None} == {"cancel_order", "return_items"}


def test_segments_come_from_the_operations_words() -> None:
    text = "You want to return the water bottle, and exchange the pet bed and office chair."
    assert registry.request(registry.BY_NAME["return_items"], text).segment == "return the water bottle, and "
    assert registry.request(registry.BY_NAME["order_status"], text).segment == text
    renamed = dataclasses.replace(registry.BY_NAME["exchange_items"], segment_words=("swap",))
    others = tuple(op for op in registry.OPERATIONS if op.name != "exchange_items") + (renamed,)
    assert "exchange the pet bed" in registry.request(registry.BY_NAME["return_items"], text, others).segment


def test_a_write_names_its_policy_action() -> None:
    # A write's statuses are its shop's policy's: an operation proposing one without naming the action cannot be built.
    cancel = registry.BY_NAME["cancel_order"]
    assert all(op.action is not None for op in registry.OPERATIONS if op.writes)
    with pytest.raises(TypeError, match="names no policy action"):
        dataclasses.replace(cancel, action=None)
