"""Feedback over HTTP: customers' thumbs and CSAT, agents' corrections, and every kind of bad input."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from assistant.handoff.agents import AgentRegistry
from assistant.settings import Settings
from tests.analytics.conftest import SHOP_KEY, analytics_client, record_turn


async def _conversation_with_answer(http: httpx.AsyncClient, app: Any) -> tuple[str, int, int]:
    """A conversation of the default customer with one recorded turn: its id, the answer's and the question's message ids."""
    response = await http.post("/v1/conversations")
    assert response.status_code == 201, response.text
    conversation_id = response.json()["id"]
    _, answer_id = record_turn(
        app.state.components.engine, conversation_id, "Can I return a shirt I bought last week?",
        "Yes, delivered orders can be returned within the return window.",
    )  # fmt: skip
    return conversation_id, answer_id, answer_id - 1


def _agent_headers(app: Any, name: str = "ana") -> dict[str, str]:
    """A registered agent's bearer header (registered once per app and name)."""
    if not hasattr(app.state, "test_agent_tokens"):
        app.state.test_agent_tokens = {}
    tokens = app.state.test_agent_tokens
    if name not in tokens:
        _, tokens[name] = AgentRegistry(app.state.components.engine).register(
            shop="retail", name=name, skills=[], languages=["en"], max_active=3
        )
    return {"Authorization": f"Bearer {tokens[name]}"}


async def _feedback(http: httpx.AsyncClient, app: Any, conversation_id: str) -> dict[str, Any]:
    response = await http.get(f"/v1/agent/conversations/{conversation_id}/feedback", headers=_agent_headers(app, "reader"))
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_a_customer_rates_an_answer_and_may_change_the_thumb(analytics_settings: Settings) -> None:
    client = analytics_client(analytics_settings)
    async with client as http:
        conversation_id, answer_id, _ = await _conversation_with_answer(http, client.app)
        url = f"/v1/conversations/{conversation_id}/messages/{answer_id}/rating"
        first = await http.post(url, json={"thumb": "up"})
        assert first.status_code == 201, first.text
        assert first.json()["thumb"] == "up" and first.json()["replaced"] is None
        second = await http.post(url, json={"thumb": "down", "comment": "  It did not say how long the window is. "})
        assert second.status_code == 201 and second.json()["replaced"] == "up"
        assert second.json()["comment"] == "It did not say how long the window is."
        feedback = await _feedback(http, client.app, conversation_id)
        assert [(r["message_id"], r["thumb"]) for r in feedback["ratings"]] == [(answer_id, "down")]


async def test_csat_once_per_conversation_rerating_replaces_and_ended_conversations_can_be_rated(
    analytics_settings: Settings,
) -> None:
    client = analytics_client(analytics_settings)
    async with client as http:
        conversation_id, _, _ = await _conversation_with_answer(http, client.app)
        assert (await http.post(f"/v1/conversations/{conversation_id}/end")).status_code == 200
        first = await http.post(f"/v1/conversations/{conversation_id}/csat", json={"score": 5})
        assert first.status_code == 201, first.text
        again = await http.post(f"/v1/conversations/{conversation_id}/csat", json={"score": 3, "comment": "slow"})
        assert again.status_code == 201 and again.json()["replaced"] == 5
        feedback = await _feedback(http, client.app, conversation_id)
        assert feedback["csat"]["score"] == 3 and feedback["csat"]["comment"] == "slow"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"score": 6}, "bad_feedback"),
        ({"score": 0}, "bad_feedback"),
        ({"score": "5"}, "bad_feedback"),
        ({"score": 4.5}, "bad_feedback"),
        ({}, "bad_feedback"),
        ({"score": 4, "stars": 4}, "bad_feedback"),
        ({"score": 4, "comment": "x" * 2001}, "bad_feedback"),
        (b"{not json", "bad_json"),
        (b"\xff\xfe", "bad_encoding"),
        ([4], "bad_json"),
    ],
)
async def test_bad_csat_is_refused_with_a_reason_and_stores_nothing(
    analytics_settings: Settings, body: object, reason: str
) -> None:
    client = analytics_client(analytics_settings)
    async with client as http:
        conversation_id, _, _ = await _conversation_with_answer(http, client.app)
        url = f"/v1/conversations/{conversation_id}/csat"
        response = await (http.post(url, content=body) if isinstance(body, bytes) else http.post(url, json=body))
        assert response.status_code == 422, response.text
        assert response.json()["error"] == reason and response.json()["message"]
        assert (await _feedback(http, client.app, conversation_id))["csat"] is None


async def test_bad_ratings_are_refused_and_other_customers_see_nothing(analytics_settings: Settings) -> None:
    client = analytics_client(analytics_settings)
    async with client as http:
        conversation_id, answer_id, question_id = await _conversation_with_answer(http, client.app)
        other_id, other_answer, _ = await _conversation_with_answer(http, client.app)
        base = f"/v1/conversations/{conversation_id}/messages"
        cases = [
            (f"{base}/{answer_id}/rating", {"thumb": "sideways"}, 422, "bad_feedback"),
            (f"{base}/{answer_id}/rating", {"thumb": "up", "stars": 5}, 422, "bad_feedback"),
            (f"{base}/{question_id}/rating", {"thumb": "up"}, 422, "not_an_answer"),
            (f"{base}/abc/rating", {"thumb": "up"}, 422, "bad_id"),
            (f"{base}/{other_answer}/rating", {"thumb": "up"}, 404, "not_found"),  # a message of another conversation
            (f"{base}/999999/rating", {"thumb": "up"}, 404, "not_found"),
            ("/v1/conversations/nope/csat", {"score": 3}, 404, "not_found"),
        ]
        for url, body, status, reason in cases:
            response = await http.post(url, json=body)
            assert (response.status_code, response.json()["error"]) == (status, reason), (url, body, response.text)
        # Another customer of the same shop: the conversation does not exist for them.
        stranger = {"Authorization": f"Bearer {SHOP_KEY}", "X-Customer-Id": "someone_else"}
        response = await http.post(f"{base}/{answer_id}/rating", json={"thumb": "down"}, headers=stranger)
        assert response.status_code == 404
        response = await http.post(f"/v1/conversations/{conversation_id}/csat", json={"score": 1}, headers=stranger)
        assert response.status_code == 404
        response = await http.post(f"{base}/{answer_id}/rating", json={"thumb": "up"}, headers={"Authorization": ""})
        assert response.status_code == 401
        assert (await _feedback(http, client.app, conversation_id))["ratings"] == []
        assert (await _feedback(http, client.app, other_id))["ratings"] == []


async def test_an_agent_flags_a_bad_answer_with_the_correct_one(analytics_settings: Settings) -> None:
    client = analytics_client(analytics_settings)
    async with client as http:
        conversation_id, answer_id, question_id = await _conversation_with_answer(http, client.app)
        agent = _agent_headers(client.app)
        url = f"/v1/agent/messages/{answer_id}/correction"
        response = await http.post(
            url, json={"correct_answer": "Yes, within 30 days of delivery.", "note": "no window given"}, headers=agent
        )
        assert response.status_code == 201, response.text
        correction = response.json()
        assert correction["question"] == "Can I return a shirt I bought last week?"
        assert correction["original_answer"].startswith("Yes, delivered orders")
        assert correction["status"] == "open" and correction["conversation_id"] == conversation_id
        listed = await http.get("/v1/agent/corrections?status=open", headers=agent)
        assert [item["id"] for item in listed.json()] == [correction["id"]]
        for target, body, status, reason in [
            (answer_id, {"correct_answer": "   "}, 422, "bad_feedback"),
            (answer_id, {}, 422, "bad_feedback"),
            (answer_id, {"correct_answer": "x", "oops": 1}, 422, "bad_feedback"),
            (question_id, {"correct_answer": "x"}, 422, "not_an_answer"),
            (999999, {"correct_answer": "x"}, 404, "not_found"),
        ]:
            refused = await http.post(f"/v1/agent/messages/{target}/correction", json=body, headers=agent)
            assert (refused.status_code, refused.json()["error"]) == (status, reason), refused.text
        assert (await http.post(url, json={"correct_answer": "x"})).status_code == 401  # the shop key is not an agent
        assert (await http.get("/v1/agent/corrections?status=maybe", headers=agent)).status_code == 422
        assert len((await _feedback(http, client.app, conversation_id))["corrections"]) == 1
        assert (await http.post("/v1/agent/corrections/nope/publish", headers=agent)).status_code == 404
