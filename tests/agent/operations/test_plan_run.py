"""Several requests of one message against the real retail commerce service: each proposed, refused or asked about."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from assistant.agent.language import reply_language
from assistant.agent.operations.combined import CombinedReply, combine
from assistant.agent.operations.plan import plan_requests
from assistant.agent.operations.runner import OperationRunner
from assistant.agent.prompt_library import PromptLibrary
from assistant.agent.tooling import ToolEnvironment, TurnTools
from assistant.agent.turn_llm import TurnLLM
from assistant.connectors.interfaces import Connectors
from assistant.conversations.records import TurnRecord
from assistant.shops import load_shop
from assistant.tools import AuditLog, Toolbox
from tests.agent.operations.conftest import CUSTOMER, IDENTITY, ScriptedModel
from tests.commerce.service import RunningCommerce
from tests.shops import operations

RETAIL = operations("retail")

pytestmark = pytest.mark.asyncio(loop_scope="session")

Plan = Callable[..., Any]


@pytest.fixture
def plan(
    retail: RunningCommerce,
    toolbox: Toolbox,
    connectors: Connectors,
    audit: AuditLog,
    prompts: PromptLibrary,
    request: pytest.FixtureRequest,
) -> Plan:
    """`await plan(text)`: the message's requests as a turn runs them, combined into one reply."""
    environment = ToolEnvironment(toolbox=toolbox, connectors=connectors, audit=audit, shop=load_shop("retail"))

    async def go(text: str) -> tuple[CombinedReply, TurnRecord]:
        language = reply_language(text)
        record = TurnRecord(prompt_version="v1", language=language, customer_text=text)
        tools = TurnTools(
            environment, record, customer_id=CUSTOMER, verified_customer_id=None, conversation_id=request.node.nodeid
        )
        runner = OperationRunner(
            offered=RETAIL, tools=tools, prompts=prompts, llm=TurnLLM(ScriptedModel([]), record),  # type: ignore[arg-type]
            language=language, text=text, verified_customer_id=None,
        )  # fmt: skip
        planned = plan_requests(text, RETAIL)
        assert planned, "the message names no write"
        return combine(await runner.run_plan(planned), prompts, language, RETAIL), record

    return go


async def test_two_requests_are_proposed_together_and_listed(plan: Plan) -> None:
    combined, record = await plan(
        f"{IDENTITY} Please cancel #W6247578, I ordered it by mistake, and return the headphones from #W2378156."
    )
    assert [p.tool for p in combined.proposals] == ["cancel_pending_order", "return_delivered_order_items"]
    assert combined.proposals[0].arguments["order_id"] == "#W6247578"
    assert combined.proposals[1].arguments["order_id"] == "#W2378156"
    assert combined.proposals[1].arguments["item_ids"] == ["4202497723"]
    assert "1. " in combined.reply and "2. " in combined.reply and '"yes"' in combined.reply
    assert combined.verified_customer_id == CUSTOMER
    # The customer's record is read once for both requests.
    assert [c.name for c in record.tool_calls].count("get_user_details") == 1


async def test_a_second_write_on_an_order_the_first_closes_is_named_with_its_reason(plan: Plan) -> None:
    combined, _ = await plan(f"{IDENTITY} Return the headphones from #W2378156 and also cancel #W2378156.")
    assert [p.tool for p in combined.proposals] == ["return_delivered_order_items"]
    assert "cannot cancel it" in combined.reply, "the cancel of a delivered order is refused with its reason"


async def test_the_order_status_decides_between_cancel_and_return(plan: Plan) -> None:
    pending, _ = await plan(f"{IDENTITY} If #W6247578 has not shipped, cancel it as I ordered by mistake; otherwise return it.")
    assert [p.tool for p in pending.proposals] == ["cancel_pending_order"]
    delivered, _ = await plan(f"{IDENTITY} If #W6679257 has not shipped yet, cancel it; otherwise return the camera.")
    assert [p.tool for p in delivered.proposals] == ["return_delivered_order_items"]
    assert delivered.proposals[0].arguments["order_id"] == "#W6679257"


async def test_a_request_that_cannot_be_done_is_named_beside_the_one_that_can(plan: Plan) -> None:
    combined, _ = await plan(f"{IDENTITY} Cancel #W6247578 as I ordered it by mistake, and return the camera from #W6247578.")
    assert [p.tool for p in combined.proposals] == ["cancel_pending_order"]
    assert "About your request to return" in combined.reply


async def test_another_customers_order_is_not_found_and_nothing_else_is_proposed(plan: Plan) -> None:
    combined, _ = await plan(f"{IDENTITY} Cancel #W1713682 and return the headphones from #W2378156.")
    assert [p.arguments["order_id"] for p in combined.proposals] == ["#W2378156"]
    assert "could not find order #W1713682" in combined.reply


async def test_identity_is_asked_once_for_all_requests(plan: Plan) -> None:
    combined, record = await plan("Cancel #W6247578 and return the headphones from #W2378156.")
    assert combined.proposals == [] and "email" in combined.reply
    assert record.tool_calls == []


async def test_cancelling_one_item_says_the_whole_order_goes(plan: Plan) -> None:
    combined, _ = await plan(f"{IDENTITY} Cancel the espresso machine in #W4776164, I ordered it by mistake.")
    assert [p.tool for p in combined.proposals] == ["cancel_pending_order"]
    assert "Only a whole order can be cancelled" in combined.reply and "T-Shirt" in combined.reply
    whole, _ = await plan(f"{IDENTITY} Cancel the whole order #W4776164 with the espresso machine, ordered by mistake.")
    assert "Only a whole order" not in whole.reply


async def test_all_pending_orders_are_one_request_each(plan: Plan) -> None:
    combined, _ = await plan(f"{IDENTITY} Please cancel all my pending orders, I no longer need them.")
    assert sorted(p.arguments["order_id"] for p in combined.proposals) == ["#W4776164", "#W6247578"]


async def test_a_fallback_runs_only_when_its_request_cannot_be_done(plan: Plan) -> None:
    # #W4776164 (pending): T-shirt blue/S/cotton/v-neck. No T-shirt is made of gold, so the fallback runs.
    impossible, _ = await plan(
        f"{IDENTITY} Change the T-shirt in #W4776164 to a gold one. If that is not available, cancel the order as I "
        "ordered it by mistake."
    )
    assert [p.tool for p in impossible.proposals] == ["cancel_pending_order"], impossible.reply
    assert "could not find an available T-Shirt" in impossible.reply, "the reason comes before the fallback"
    possible, _ = await plan(
        f"{IDENTITY} Change the T-shirt in #W4776164 to the same but in black. If that is not available, cancel the order."
    )
    assert [p.tool for p in possible.proposals] != ["cancel_pending_order"], possible.reply


async def test_an_item_change_proposes_the_items_that_fit_and_names_the_one_that_does_not(plan: Plan) -> None:
    # #W2378156 (delivered): no clicky keyboard that is otherwise the same is in stock; a Google Home thermostat is.
    combined, _ = await plan(
        f"{IDENTITY} Exchange the mechanical keyboard of #W2378156 for the same one but with clicky switches and the "
        "smart thermostat for one compatible with Google Home instead of Apple HomeKit. If there is no keyboard that is "
        "clicky, RGB backlight, full size, exchange only the thermostat."
    )
    assert [p.tool for p in combined.proposals] == ["exchange_delivered_order_items"], combined.reply
    assert combined.proposals[0].arguments["item_ids"] == ["4983901480"]  # the thermostat only
    assert combined.reply.startswith("I could not find an available Mechanical Keyboard"), combined.reply


async def test_an_exchange_of_an_item_in_a_pending_order_becomes_its_modification(plan: Plan) -> None:
    combined, _ = await plan(f"{IDENTITY} I want to exchange my espresso machine for the same one but with 2L capacity.")
    assert "Which items of order" not in combined.reply, combined.reply
    assert not combined.proposals or combined.proposals[0].tool == "modify_pending_order_items", combined.reply
    assert "#W4776164" in combined.reply
