"""The agent-tasks state check on the real retail commerce service: the "agent" here is the service's HTTP API driven
by hand, so what the oracle must find is known. A correct replay matches; a wrong, missing or extra write is found and
named; a refused ground-truth write makes a match uncertifiable; a malformed ground truth or an unknown task is refused
with a clear error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.errors import BadInputError
from evals.harness.runner import select_cases
from evals.suites import get_suite
from evals.suites.db_state import compare_databases
from evals.suites.state_oracle import GroundTruthError, InspectableCommerce, StateOracle, parse_actions

RETURN_TASK = "retail-dev-2"  # yusuf_rossi_9620 returns three items of delivered #W2378156 to his credit card
CANCEL_TASK = "retail-dev-66"  # aarav_lee_1982 cancels pending #W3361211, "no longer needed"
REFUSED_EXCHANGE = {  # retail-dev-105: the gift card does not cover the price difference, so the service refuses it
    "name": "exchange_delivered_order_items",
    "arguments": {
        "order_id": "#W4316152", "item_ids": ["7292993796", "7292993796"],
        "new_item_ids": ["3761330360", "9647374798"], "payment_method_id": "gift_card_7245904",
    },
}  # fmt: skip


def _actions(task_id: str) -> list[dict[str, Any]]:
    (case,) = [case for case in get_suite("agent-tasks").load_cases() if case.id == task_id]
    return case.inputs["actions"]  # type: ignore[no-any-return]


@pytest.fixture
def shop(retail_service: Any) -> Iterator[httpx.Client]:
    retail_service.reset()
    client = httpx.Client(
        base_url=f"{retail_service.base_url}/v1", headers={"Authorization": f"Bearer {retail_service.api_key}"}, timeout=10
    )
    yield client
    client.close()


@pytest.fixture
def oracle(retail_service: Any, tmp_path: Path) -> Iterator[StateOracle]:
    assert isinstance(retail_service, InspectableCommerce)
    with StateOracle.for_commerce(retail_service, tmp_path / "state") as oracle:
        yield oracle


def _post(shop: httpx.Client, path: str, body: dict[str, Any]) -> None:
    response = shop.post(path.replace("#", "%23"), json=body)
    assert response.status_code == 200, response.text


def test_a_correct_replay_matches(shop: httpx.Client, oracle: StateOracle, retail_service: Any) -> None:
    actions = _actions(RETURN_TASK)
    (action,) = actions
    args = action["arguments"]
    _post(shop, f"/orders/{args['order_id']}/return", {k: args[k] for k in ("item_ids", "payment_method_id")})
    check = oracle.check(actions, retail_service.db_path)
    assert (check.db_match, check.differences, check.refused) == (True, [], [])
    # The gold database is not the seed: the replay really returned the items.
    assert [d.table for d in compare_databases(retail_service.template, oracle.gold_path)] == ["orders"]


def test_a_cancelled_order_that_should_have_been_returned_is_found(
    shop: httpx.Client, oracle: StateOracle, retail_service: Any
) -> None:
    # The customer's other order, pending and paid by the same card, is cancelled instead of returning #W2378156.
    _post(shop, "/orders/#W6247578/cancel", {"reason": "no longer needed"})
    check = oracle.check(_actions(RETURN_TASK), retail_service.db_path)
    assert check.db_match is False
    by_row = {(d.table, d.key, d.kind): d.values for d in check.differences}
    assert by_row[("orders", ("#W2378156",), "changed")]["status"] == ("return requested", "delivered")
    assert by_row[("orders", ("#W6247578",), "changed")]["status"] == ("pending", "cancelled")
    refund = by_row[("payments", ("#W6247578", 1), "unexpected")]
    assert refund["transaction_type"] == (None, "refund") and refund["amount_cents"] == (None, 5327)
    assert len(check.differences) == 3
    brief = "\n".join(check.brief())
    assert "orders #W2378156: status 'return requested' expected, 'delivered' found" in brief
    assert "payments #W6247578, 1: row found, not expected" in brief


def test_a_wrong_argument_a_missing_write_and_an_extra_write_are_found(
    shop: httpx.Client, oracle: StateOracle, retail_service: Any
) -> None:
    actions = _actions(CANCEL_TASK)
    _post(shop, "/orders/#W3361211/cancel", {"reason": "ordered by mistake"})  # the wrong reason
    check = oracle.check(actions, retail_service.db_path)
    assert [(d.table, d.kind, d.values) for d in check.differences] == [
        ("orders", "changed", {"cancel_reason": ("no longer needed", "ordered by mistake")})
    ]
    retail_service.reset()  # nothing done: the order is still pending and its refund is missing
    missing = oracle.check(actions, retail_service.db_path)
    assert {(d.table, d.kind) for d in missing.differences} == {("orders", "changed"), ("payments", "missing")}
    retail_service.reset()  # the right cancellation, and the customer's address changed besides
    _post(shop, "/orders/#W3361211/cancel", {"reason": "no longer needed"})
    address = {"address1": "1 Main St", "address2": "", "city": "Austin", "state": "TX", "country": "USA", "zip": "78701"}
    response = shop.put("/customers/aarav_lee_1982/address", json=address)
    assert response.status_code == 200, response.text
    extra = oracle.check(actions, retail_service.db_path)
    (difference,) = extra.differences
    assert (difference.table, difference.key, difference.kind) == ("customers", ("aarav_lee_1982",), "changed")
    assert set(difference.values) == {"address", "zip"} and difference.values["zip"][1] == "78701"


def test_a_match_against_a_refused_ground_truth_write_is_not_certified(
    shop: httpx.Client, oracle: StateOracle, retail_service: Any
) -> None:
    check = oracle.check([REFUSED_EXCHANGE], retail_service.db_path)
    assert check.db_match is None and check.differences == []
    assert check.refused == ["exchange_delivered_order_items #W4316152: insufficient_gift_card_balance"]
    _post(shop, "/orders/#W4316152/return", {"item_ids": ["7292993796"], "payment_method_id": "gift_card_7245904"})
    assert oracle.check([REFUSED_EXCHANGE], retail_service.db_path).db_match is False  # a mismatch stays one


def test_reads_and_handoffs_change_nothing_and_replay_to_the_seed(oracle: StateOracle, retail_service: Any) -> None:
    actions = [
        {"name": "find_user_id_by_email", "arguments": {"email": "x@example.com"}},
        {"name": "get_order_details", "arguments": {"order_id": "#W3361211"}},
        {"name": "transfer_to_human_agents", "arguments": {"summary": "wants a human"}},
    ]
    assert parse_actions(actions) == []
    assert oracle.replay(actions) == []
    assert compare_databases(retail_service.template, oracle.gold_path) == []


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ({"name": "delete_all_orders", "arguments": {}}, "'delete_all_orders' is not a write the oracle knows"),
        (
            {"name": "cancel_pending_order", "arguments": {"order_id": "#W1"}},
            "action 1 (cancel_pending_order): reason: Field required",
        ),
        (
            {
                "name": "return_delivered_order_items",
                "arguments": {"order_id": "#W1", "item_ids": "123", "payment_method_id": "p"},
            },
            "item_ids: Input should be a valid list",
        ),
        ({"name": "cancel_pending_order", "arguments": {"order_id": "#W1", "reason": "x", "extra": 1}}, "extra: Extra inputs"),
        ({"arguments": {}}, "action 1: expected {'name': str, 'arguments': {...}}"),
        ("cancel_pending_order", "action 1: expected"),
    ],
)
def test_a_malformed_ground_truth_is_refused_before_anything_runs(action: Any, message: str, tmp_path: Path) -> None:
    template = tmp_path / "template.db"
    template.write_bytes(b"")  # never copied: the actions are checked first
    with pytest.raises(GroundTruthError) as refused:
        StateOracle(template, tmp_path / "state").replay([action])
    assert message in str(refused.value)
    assert not (tmp_path / "state" / "gold.db").exists()


def test_unknown_task_ids_and_missing_databases_are_clear_errors(tmp_path: Path) -> None:
    cases = get_suite("agent-tasks").load_cases()
    with pytest.raises(BadInputError, match=r"no such case\(s\): retail-dev-9999"):
        select_cases(cases, seed=1, limit=None, only=["retail-dev-2", "retail-dev-9999"])
    with pytest.raises(FileNotFoundError, match="no seeded commerce template"):
        StateOracle(tmp_path / "nowhere.db", tmp_path)
    with pytest.raises(FileNotFoundError, match="no commerce database at"):
        compare_databases(tmp_path / "a.db", tmp_path / "b.db")


def test_every_task_carries_its_ground_truth_writes_in_a_form_the_oracle_reads() -> None:
    cases = get_suite("agent-tasks").load_cases()
    written = {case.id: parse_actions(case.inputs["actions"]) for case in cases}
    assert all(not writes for case_id, writes in written.items() if case_id.startswith("banking-"))
    assert sum(len(writes) for writes in written.values()) > 700  # every retail write of the data set parses
    assert [w.name for w in written[RETURN_TASK]] == ["return_delivered_order_items"]
