"""The registry is the one place an operation is declared: rules, route schema, route prompt and tables follow it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from assistant.agent.decisions import ACCOUNT_ACTIONS, Route, route_model
from assistant.agent.operations import registry
from assistant.agent.operations.base import Operation, OperationTurn
from assistant.agent.outcome import Outcome
from assistant.agent.prompt_library import PromptLibrary
from assistant.agent.router import OPERATIONS_NEEDING_ORDER, RULES, route_messages, rule_route, rules
from assistant.settings import PromptSettings, ToolsSettings
from assistant.tools import Toolbox, ToolKind
from assistant.tools.policy import WRITE_STATUS

REPO = Path(__file__).resolve().parents[3]
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
    status="pending",
    needs_order=True,
    tool="cancel_pending_order",
)


@pytest.fixture(scope="module")
def library() -> PromptLibrary:
    return PromptLibrary(PromptSettings(directory=REPO / "prompts", version="v1"))


def _prompt(library: PromptLibrary, operations: tuple[Operation, ...] = registry.OPERATIONS) -> str:
    return route_messages(library, text="hi", history=[], summary=None, operations=operations)[1]["content"]


def test_the_route_prompt_schema_and_rules_are_the_registrys(library: PromptLibrary) -> None:
    assert ROUTE_LIST in _prompt(library), "the generated list is the hand-written one, line for line"
    names = list(registry.route_names())
    assert Route.model_json_schema()["properties"]["action"]["enum"] == names
    assert names == [line.split('"')[1] for line in ROUTE_LIST.splitlines()[1:-1]]
    assert [name for name, _ in RULES] == ["human_agent", *(op.name for op in registry.OPERATIONS if op.rule is not None)]
    assert set(names) - {"question", "human_agent", "clarify"} == ACCOUNT_ACTIONS
    assert {"cancel_order", "return_items", "exchange_items", "modify_address", "modify_payment", "order_status"} <= (
        OPERATIONS_NEEDING_ORDER
    )
    assert registry.status_for()["return_items"] == "delivered" and registry.status_for()["cancel_order"] == "pending"


def test_a_new_operation_shows_up_in_rules_schema_and_prompt(library: PromptLibrary) -> None:
    extended = (*registry.OPERATIONS, FAKE)
    assert ("gift_wrap_order", FAKE.rule) in rules(extended)
    assert "gift_wrap_order" in route_model(extended).model_json_schema()["properties"]["action"]["enum"]
    assert route_model(extended)(action="gift_wrap_order").action == "gift_wrap_order"
    prompt = _prompt(library, extended)
    assert '- "gift_wrap_order": add gift wrapping to a pending order\n- "human_agent"' in prompt
    assert rule_route("Please add gift wrapping to order #W2378156", extended) == "gift_wrap_order"
    assert rule_route("请给订单 #W2378156 加礼品包装", extended) == "gift_wrap_order"
    assert rule_route("How much does gift wrapping cost?", extended) == "question"  # a question naming no order
    assert "gift_wrap_order" in registry.account_actions(extended)
    # The registry itself is untouched: the real router knows nothing of it.
    assert rule_route("Please add gift wrapping to order #W2378156") is None
    assert "gift_wrap_order" not in Route.model_json_schema()["properties"]["action"]["enum"]


def test_a_rule_of_one_operation_routes_alone_and_two_go_to_the_model() -> None:
    without_cancel = tuple(op for op in registry.OPERATIONS if op.name != "cancel_order")
    assert rule_route("Please cancel order #W2378156") == "cancel_order"
    assert rule_route("Please cancel order #W2378156", without_cancel) is None
    assert rule_route("cancel #W1234567 and return the lamp of #W2378156") is None


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_operation_has_its_phrases(library: PromptLibrary, language: str) -> None:
    keys = set(library.phrase_keys(language))
    for operation in registry.OPERATIONS:
        missing = set(operation.phrases) - keys
        assert not missing, (operation.name, missing)
        if operation.status is not None:  # the wrong-status reply names what cannot be done
            assert {f"{operation.name}.verb", f"{operation.name}.verb_past"} <= set(operation.phrases), operation.name


def test_every_operation_proposes_a_write_tool_of_the_toolbox() -> None:
    toolbox = Toolbox(ToolsSettings(approval_refund_limit=1000.0))
    for operation in registry.OPERATIONS:
        if operation.tool is not None:
            assert toolbox.kind(operation.tool) is ToolKind.WRITE, operation.name
        assert operation.account, "every standard operation reads the customer's account"
    assert {op.name for op in registry.OPERATIONS if op.draft is not None} == {"cancel_order", "return_items"}


def test_segments_come_from_the_operations_words() -> None:
    text = "You want to return the water bottle, and exchange the pet bed and office chair."
    assert registry.request(registry.BY_NAME["return_items"], text).segment == "return the water bottle, and "
    assert registry.request(registry.BY_NAME["order_status"], text).segment == text
    renamed = dataclasses.replace(registry.BY_NAME["exchange_items"], segment_words=("swap",))
    others = tuple(op for op in registry.OPERATIONS if op.name != "exchange_items") + (renamed,)
    assert "exchange the pet bed" in registry.request(registry.BY_NAME["return_items"], text, others).segment


def test_an_operation_applies_to_the_status_its_write_tool_checks() -> None:
    # The tools refuse a write on an order of another status (tools/policy.WRITE_STATUS); the registry routes by the
    # operation's status: the two are one fact, and an operation that disagrees cannot be built.
    for op in registry.OPERATIONS:
        if op.tool in WRITE_STATUS:
            assert op.status == WRITE_STATUS[op.tool][0], op.name
    cancel = next(op for op in registry.OPERATIONS if op.name == "cancel_order")
    with pytest.raises(TypeError, match="applies to 'pending' orders"):
        dataclasses.replace(cancel, status="delivered")
