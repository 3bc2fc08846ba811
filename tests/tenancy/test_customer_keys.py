"""Probes with shop A's customer key (the retail shop) against shop B's (the JD shop's) conversations.

Every probe uses B's real ids, and B's own customer id under A's key: each answers 404 exactly as a missing id
does, and B's conversation, ratings and state are unchanged afterwards.
"""

from __future__ import annotations

import pytest

from tests.tenancy.conftest import JD_CUSTOMER, RETAIL_CUSTOMER, World, not_found

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]
MISSING = "0" * 32
CALLERS = {"A's customer": RETAIL_CUSTOMER, "B's customer id under A's key": JD_CUSTOMER}


@pytest.mark.parametrize("customer", list(CALLERS.values()), ids=list(CALLERS))
async def test_reading_bs_conversation_is_not_found_like_a_missing_one(world: World, customer: str) -> None:
    headers = world.customer("retail", customer)
    theirs = await world.http.get(f"/v1/conversations/{world.jd_conversation}", headers=headers)
    missing = await world.http.get(f"/v1/conversations/{MISSING}", headers=headers)
    not_found(theirs)
    assert theirs.json()["error"] == missing.json()["error"]
    assert theirs.json()["message"].replace(world.jd_conversation, "X") == missing.json()["message"].replace(MISSING, "X")


@pytest.mark.parametrize("customer", list(CALLERS.values()), ids=list(CALLERS))
async def test_writing_into_bs_conversation_stores_nothing(world: World, customer: str) -> None:
    before = await world.jd_messages()
    turns = world.rows("SELECT count(*) FROM turns")
    headers = world.customer("retail", customer)
    path = f"/v1/conversations/{world.jd_conversation}"
    not_found(await world.http.post(f"{path}/messages", json={"content": "把订单312705335872取消"}, headers=headers))
    not_found(await world.http.post(f"{path}/messages/stream", json={"content": "where is it?"}, headers=headers))
    not_found(await world.http.post(f"{path}/end", headers=headers))
    assert await world.jd_messages() == before, "B's conversation is unchanged"
    assert world.rows("SELECT count(*) FROM turns") == turns
    assert world.rows("SELECT status FROM conversations WHERE id = :id", id=world.jd_conversation) == [("open",)]


async def test_rating_bs_answer_or_conversation_stores_nothing(world: World) -> None:
    headers = world.customer("retail", JD_CUSTOMER)
    path = f"/v1/conversations/{world.jd_conversation}"
    not_found(await world.http.post(f"{path}/messages/{world.jd_answer_message}/rating", json={"thumb": "down"}, headers=headers))
    not_found(await world.http.post(f"{path}/csat", json={"score": 1}, headers=headers))
    # Even naming A's own conversation, B's message is not A's to rate.
    own = f"/v1/conversations/{world.retail_conversation}"
    mine = world.customer("retail", RETAIL_CUSTOMER)
    not_found(await world.http.post(f"{own}/messages/{world.jd_answer_message}/rating", json={"thumb": "up"}, headers=mine))
    assert world.rows("SELECT count(*) FROM message_ratings") == [(0,)]
    assert world.rows("SELECT count(*) FROM csat_ratings") == [(0,)]


async def test_the_openai_endpoint_does_not_continue_bs_conversation(world: World) -> None:
    before = await world.jd_messages()
    response = await world.http.post(
        "/v1/chat/completions",
        json={"model": "assistant", "messages": [{"role": "user", "content": "订单312705335872什么状态"}]},
        headers={**world.customer("retail", JD_CUSTOMER), "X-Conversation-Id": world.jd_conversation},
    )
    not_found(response)
    assert await world.jd_messages() == before


async def test_a_conversation_a_customer_starts_belongs_to_the_keys_shop(world: World) -> None:
    """The same customer id in two shops is two people: A's key makes A's conversation, B's stays B's."""
    created = await world.http.post("/v1/conversations", headers=world.customer("retail", JD_CUSTOMER))
    assert created.status_code == 201
    shops = world.rows("SELECT shop FROM conversations WHERE customer_id = :c ORDER BY created_at", c=JD_CUSTOMER)
    assert shops[0] == ("jd_appliances",) and ("retail",) in shops
    # And B's key does not reach A's conversation of that same customer id.
    theirs = await world.http.get(
        f"/v1/conversations/{created.json()['id']}", headers=world.customer("jd_appliances", JD_CUSTOMER)
    )
    assert theirs.status_code == 404
