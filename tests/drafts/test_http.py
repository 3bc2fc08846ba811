"""The drafts API over HTTP: agent auth, status codes and error bodies (no model needed: drafts are stored directly)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from assistant.server.app import create_app
from assistant.settings import Settings
from tests.drafts.conftest import CUSTOMER, Drafting, stored_draft
from tests.shops import operator_key

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
async def api(commerce_settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Drafting]]:
    app = create_app(commerce_settings)
    drafting = Drafting(service=app.state.draft_service, services=app.state.services, components=app.state.components)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://assistant", timeout=60) as http:
            operator = {"X-Operator-Key": operator_key(commerce_settings)}
            created = await http.post("/v1/agents", headers=operator, json={"name": "ana", "languages": ["en"]})
            assert created.status_code == 201, created.text
            http.headers["Authorization"] = f"Bearer {created.json()['token']}"
            yield http, drafting


async def test_drafts_need_an_agent_token(api: tuple[httpx.AsyncClient, Drafting]) -> None:
    http, _ = api
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer nope"}):
        response = await http.post("/v1/agent/drafts", json={"ticket_text": "hi"}, headers=headers)
        assert response.status_code == 401, response.text


async def test_bad_requests_get_a_clear_error(api: tuple[httpx.AsyncClient, Drafting]) -> None:
    http, _ = api
    cases = [
        ({}, 422, "either conversation_id or ticket_text"),
        ({"conversation_id": "a", "ticket_text": "b"}, 422, "either conversation_id or ticket_text"),
        ({"ticket_text": "  "}, 422, "ticket_text is empty"),
        ({"ticket_text": "hi", "tones": ["cheerful"]}, 422, "tones.0"),
        ({"conversation_id": "f" * 32}, 404, "conversation"),
    ]
    for body, code, message in cases:
        response = await http.post("/v1/agent/drafts", json=body)
        assert response.status_code == code, (body, response.text)
        assert message in response.json()["message"]
    response = await http.post("/v1/agent/drafts", content=b"{not json", headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()["error"]) == (422, "bad_json")
    assert (await http.get(f"/v1/agent/drafts/{'f' * 32}")).status_code == 404


async def test_send_and_run_over_http(api: tuple[httpx.AsyncClient, Drafting]) -> None:
    http, drafting = api
    conversation = drafting.conversation("Please cancel #W4776164, I no longer need it.")
    draft_id = await stored_draft(drafting, "", conversation_id=conversation, reply="Order #W4776164 can be cancelled.")
    me = (await http.get("/v1/agent/me")).json()["id"]

    draft = (await http.get(f"/v1/agent/drafts/{draft_id}")).json()
    assert draft["customer_id"] == CUSTOMER and draft["suggested_actions"][0]["tool"] == "cancel_pending_order"

    assert (await http.post(f"/v1/agent/drafts/{draft_id}/send", json={"text": " ", "tone": "concise"})).status_code == 422
    sent = await http.post(f"/v1/agent/drafts/{draft_id}/send", json={"text": "Cancelling it now.", "tone": "concise"})
    assert sent.status_code == 200, sent.text
    assert sent.json()["sent"]["sent_by"] == me and sent.json()["sent"]["edited"] is True
    again = await http.post(f"/v1/agent/drafts/{draft_id}/send", json={"text": "Again.", "tone": "concise"})
    assert (again.status_code, again.json()["error"]) == (409, "already_sent")

    assert (await http.post(f"/v1/agent/drafts/{draft_id}/actions/3/run")).status_code == 404
    run = await http.post(f"/v1/agent/drafts/{draft_id}/actions/0/run")
    assert run.status_code == 200, run.text
    assert (run.json()["status"], run.json()["run_by"]) == ("executed", me)
    twice = await http.post(f"/v1/agent/drafts/{draft_id}/actions/0/run")
    assert (twice.status_code, twice.json()["error"]) == (409, "action_done")
