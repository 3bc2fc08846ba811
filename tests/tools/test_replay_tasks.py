"""Replay every ground-truth action of the retail tasks through the tools, confirming each write.

74 tasks of tasks_dev.json and 477 of tasks_v1.json. Each task starts from the
seed (the service's database is restored from a template), runs its actions in
order — reads must succeed (except the look-ups the data set expects to fail),
writes are proposed, confirmed (and approved when over the refund limit) and
executed — and then every order and customer it touched must equal what the
policy says (tests/tools/replay_oracle.py), and the whole database must equal
the one the evaluations' state oracle builds by replaying the same ground truth
(evals/suites/state_oracle.py): so the agent-tasks suite's `db_match` is proven
on every task of the data set.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.errors import PolicyViolationError
from assistant.tools import Toolbox, ToolKind
from evals.suites.state_oracle import StateOracle
from tests.commerce.retail_data import retail_db
from tests.commerce.service import RunningCommerce
from tests.conftest import DATA
from tests.tools.conftest import ContextFactory
from tests.tools.replay_oracle import RetailOracle

pytestmark = pytest.mark.asyncio(loop_scope="session")
ORDER_FIELDS = (
    "status",
    "address",
    "payment_history",
    "cancel_reason",
    "return_items",
    "return_payment_method_id",
    "exchange_items",
    "exchange_new_items",
    "exchange_payment_method_id",
    "exchange_price_difference",
)


def _tasks() -> list[Any]:
    dev = json.loads((DATA / "retail" / "tasks_dev.json").read_text(encoding="utf-8"))
    v1 = json.loads((DATA / "retail" / "tasks_v1.json").read_text(encoding="utf-8"))
    cases = [
        pytest.param(None, [(a["name"], a["arguments"]) for a in task["evaluation_criteria"]["actions"]], id=f"dev-{task['id']}")
        for task in dev
    ]
    cases += [
        pytest.param(task["user_id"], [(a["name"], a["kwargs"]) for a in task["actions"]], id=f"v1-{index}")
        for index, task in enumerate(v1)
    ]
    return cases


@pytest.fixture(scope="module")
def gold(retail_service: RunningCommerce, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StateOracle]:
    with StateOracle.for_commerce(retail_service, tmp_path_factory.mktemp("gold")) as oracle:
        yield oracle


def _owner(actions: list[tuple[str, dict[str, Any]]]) -> str | None:
    """Who the shop logged in, for tasks that never look the customer up: the owner of the orders they touch."""
    orders = retail_db()["orders"]
    for name, args in actions:
        if "order_id" in args and args["order_id"] in orders:
            return str(orders[args["order_id"]]["user_id"])
        if name in ("get_user_details", "modify_user_address"):
            return str(args["user_id"])
    return None


@pytest.mark.parametrize(("user_id", "actions"), _tasks())
async def test_ground_truth_actions_replay_through_the_tools(
    user_id: str | None,
    actions: list[tuple[str, dict[str, Any]]],
    toolbox: Toolbox,
    make_context: ContextFactory,
    retail: RunningCommerce,
    gold: StateOracle,
) -> None:
    oracle = RetailOracle(retail_db())
    looks_up = any(name.startswith("find_user_id_by") for name, _ in actions)
    if user_id is not None:
        # tasks_v1 name the customer: they authenticate by email first, as the policy asks.
        ctx = make_context()
        email = retail_db()["users"][user_id]["email"]
        assert (await toolbox.call("find_user_id_by_email", {"email": email}, ctx)).data == user_id
    else:
        ctx = make_context(customer=None if looks_up else _owner(actions))
    for name, args in actions:
        result = await toolbox.call(name, args, ctx)
        if toolbox.kind(name) is ToolKind.READ:
            expected_ok = _read_should_succeed(oracle, name, args)
            assert result.ok is expected_ok, (name, args, result)
            continue
        refusal = oracle.refusal(name, args)
        if refusal is not None:
            assert (result.ok, result.reason) == (False, refusal), (name, args, result)
            await _assert_service_refuses(ctx, name, args, refusal)
            continue
        assert result.ok and result.proposed_action is not None, (name, args, result.error)
        action = result.proposed_action
        assert action.status == ("awaiting_approval" if action.refund_amount > 1000 else "awaiting_confirmation")
        if action.status == "awaiting_approval":
            assert (await toolbox.execute_confirmed(action, ctx)).reason == "awaiting_approval"
        executed = await toolbox.execute_confirmed(
            action, ctx, approved_by="replay-supervisor" if action.status == "awaiting_approval" else None
        )
        assert executed.ok, (name, args, executed.error)
        oracle.apply(name, args)
    await _assert_state_matches(ctx, oracle)
    check = gold.check([{"name": name, "arguments": args} for name, args in actions], retail.db_path)
    assert check.differences == [], check.brief()


async def _assert_service_refuses(ctx: Any, name: str, args: dict[str, Any], reason: str) -> None:
    """Forced past the tool's pre-check, the shop refuses too and the order stays as it was."""
    orders = ctx.connectors.orders
    before = await orders.get_order(args["order_id"])
    forced = {
        "modify_pending_order_payment": lambda: orders.modify_order_payment(
            args["order_id"], args["payment_method_id"], customer_id=ctx.customer_id, idempotency_key=f"forced-{name}"
        ),
        "modify_pending_order_items": lambda: orders.modify_order_items(
            args["order_id"],
            args["item_ids"],
            args["new_item_ids"],
            args["payment_method_id"],
            customer_id=ctx.customer_id,
            idempotency_key=f"forced-{name}",
        ),
        "exchange_delivered_order_items": lambda: orders.exchange_items(
            args["order_id"],
            args["item_ids"],
            args["new_item_ids"],
            args["payment_method_id"],
            customer_id=ctx.customer_id,
            idempotency_key=f"forced-{name}",
        ),
    }[name]
    with pytest.raises(PolicyViolationError) as refused:
        await forced()
    assert refused.value.reason == reason
    assert await orders.get_order(args["order_id"]) == before


def _read_should_succeed(oracle: RetailOracle, name: str, args: dict[str, Any]) -> bool:
    if name.startswith("find_user_id_by"):
        return oracle.find_user(name, args) is not None
    if name == "get_order_details":
        return oracle.order_exists(args["order_id"])
    if name == "get_product_details":  # a few ground-truth look-ups name a product id that does not exist
        return args["product_id"] in oracle.db["products"]
    if name == "get_item_details":
        return any(args["item_id"] in product["variants"] for product in oracle.db["products"].values())
    return True


async def _assert_state_matches(ctx: Any, oracle: RetailOracle) -> None:
    for order_id in sorted(oracle.touched_orders):
        expected = oracle.db["orders"][order_id]
        actual = (await ctx.connectors.orders.get_order(order_id)).model_dump(mode="json")
        for field in ORDER_FIELDS:
            assert actual[field] == expected.get(field), (order_id, field)
        assert [(i["item_id"], i["price"], i["options"]) for i in actual["items"]] == [
            (i["item_id"], i["price"], i["options"]) for i in expected["items"]
        ], order_id
        if expected["status"] == "cancelled":
            paid = sum(p["amount"] for p in expected["payment_history"] if p["transaction_type"] == "payment")
            refunded = sum(p["amount"] for p in actual["payment_history"] if p["transaction_type"] == "refund")
            assert round(refunded, 2) == round(paid, 2), order_id
    for user_id in sorted(oracle.touched_users):
        expected_user = oracle.db["users"][user_id]
        actual_user = await ctx.connectors.crm.get_customer(user_id)
        assert actual_user.address.model_dump() == expected_user["address"], user_id
        balances = {m.id: m.balance for m in actual_user.payment_methods if m.source == "gift_card"}
        assert balances == {
            m["id"]: m["balance"] for m in expected_user["payment_methods"].values() if m["source"] == "gift_card"
        }
