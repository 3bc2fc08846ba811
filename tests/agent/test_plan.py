"""The requests of a message, read in code: each named write its own request, with its own order ids."""

from __future__ import annotations

from assistant.agent.operations.plan import plan_requests
from tests.shops import operations


def names(text: str) -> list[str]:
    return [planned.name for planned in plan_requests(text, operations("retail"))]


def test_two_requests_in_one_message_are_two_requests_in_order() -> None:
    planned = plan_requests(
        "Please cancel #W4776164 as I ordered by mistake, and return the headphones from #W2378156.", operations("retail")
    )
    assert [p.name for p in planned] == ["cancel_order", "return_items"]
    assert planned[0].request.order_ids == ("#W4776164",)
    assert planned[1].request.order_ids == ("#W2378156",)
    assert "headphones" in planned[1].request.segment and "cancel" not in planned[1].request.segment


def test_a_part_naming_no_order_is_about_the_last_one_named() -> None:
    planned = plan_requests(
        "I want to return the makeup kit from #W1713682 and also exchange the hiking boots there for size 8.",
        operations("retail"),
    )
    assert [p.name for p in planned] == ["return_items", "exchange_items"]
    assert planned[1].request.order_ids == ("#W1713682",)
    assert "exchange the hiking boots" in planned[1].request.segment and "makeup" not in planned[1].request.segment
    # An exchange asked of a pending order is an item change: the order's status decides.
    assert [a.name for a in planned[1].alternatives] == ["modify_items"]


def test_one_operation_named_twice_is_one_request() -> None:
    assert names("Return the lamp and return the boots from #W2378156") == ["return_items"]


def test_a_conditional_cancel_or_return_is_one_request_decided_by_status() -> None:
    planned = plan_requests("If #W2378156 has not shipped yet, cancel it; otherwise return the headphones.", operations("retail"))
    assert [p.name for p in planned] == ["cancel_order"]
    assert [a.name for a in planned[0].alternatives] == ["return_items"]
    assert planned[0].request.order_ids == ("#W2378156",)


def test_a_status_question_beside_a_write_is_its_own_request() -> None:
    assert names("Where is #W6679257? And please cancel #W4776164.") == ["order_status", "cancel_order"]


def test_chinese_requests_are_split_too() -> None:
    assert names("帮我取消订单#W4776164，另外订单#W2378156的耳机我要退货") == ["cancel_order", "return_items"]


def test_a_chinese_clause_with_its_verb_last_keeps_its_own_order() -> None:
    """Served: "订单#W1713682里的化妆套装我要退货，另外订单#W4386313到哪了？" read no order id (the ids touch Chinese
    characters) and gave the return the second order's id (the verb ends its clause)."""
    planned = plan_requests("你好。订单#W1713682里的化妆套装我要退货，另外订单#W4386313到哪了？", operations("retail"))
    assert [(p.name, p.request.order_ids) for p in planned] == [
        ("return_items", ("#W1713682",)),
        ("order_status", ("#W4386313",)),
    ]
    assert "W4386313" not in planned[0].request.segment


def test_a_message_naming_no_write_has_no_plan() -> None:
    assert plan_requests("Where is my order #W6679257?", operations("retail")) == []
    assert plan_requests("Hello there", operations("retail")) == []
