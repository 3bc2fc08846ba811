"""Variant wishes through exchange_items and modify_items, against the real retail commerce service."""

from __future__ import annotations

import pytest

from tests.agent.operations.conftest import CUSTOMER, Run

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_same_as_my_other_one_reads_the_customers_other_orders(run: Run) -> None:
    # #W4776164's T-Shirt is blue, S, v-neck; the one in #W6247578 is black, XXL, crew neck (3799046073).
    ran = await run("modify_items", "Change the t-shirt in order #W4776164 to the same as my other one", verified=CUSTOMER)
    assert ran.outcome.proposal is not None, ran.outcome.reply
    assert ran.outcome.proposal.arguments["item_ids"] == ["8349118980"]
    assert ran.outcome.proposal.arguments["new_item_ids"] == ["3799046073"]
    assert ran.calls.count("get_order_details") > 1  # the customer's other orders, read for the other T-Shirt
    # The reminder the policy asks for (one change per order) is said once.
    assert (ran.outcome.reply or "").count("all the items you want to change") == 1


async def test_several_fits_are_one_question_listing_them(run: Run) -> None:
    # Clicky, RGB, full size is out of stock: three clicky keyboards in stock differ in one more option.
    ran = await run("exchange_items", "Exchange the mechanical keyboard of #W2378156 for a clicky one", verified=CUSTOMER)
    reply = ran.outcome.reply or ""
    assert ran.outcome.proposal is None and reply.startswith("Which Mechanical Keyboard would you like?")
    for backlight, size in (("none", "full size"), ("white", "full size"), ("RGB", "80%")):
        assert f"switch type: clicky, backlight: {backlight}, size: {size}" in reply, reply
    assert "exchange_delivered_order_items" not in ran.calls


async def test_a_chinese_comparative_proposes_the_next_size_down(run: Run) -> None:
    ran = await run("modify_items", "把订单 #W6247578 的 T-shirt 换成小一号的", verified=CUSTOMER)
    assert ran.outcome.proposal is not None, ran.outcome.reply
    assert ran.outcome.proposal.arguments["new_item_ids"] == ["2060066974"]  # black, XL, cotton, crew neck
    assert (ran.outcome.reply or "").count("全部商品") == 1


async def test_no_fit_lists_what_is_in_stock(run: Run) -> None:
    ran = await run("modify_items", "Change the t-shirt in order #W6247578 to one size bigger", verified=CUSTOMER)
    assert ran.outcome.proposal is None
    assert (ran.outcome.reply or "").startswith("I could not find an available T-Shirt that matches what you asked for.")
