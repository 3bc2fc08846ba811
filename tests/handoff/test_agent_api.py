"""The agent API over HTTP: who may call it, and the claim → reply → resolve / hand-back state machine."""

from __future__ import annotations

import pytest

from assistant.handoff.models import NewHandoff
from assistant.settings import Settings
from tests.handoff.conftest import OPERATOR_KEY, SHOP, SHOP_KEY, bearer, running_app, summary

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _open(app: running_app, customer: str = "alice", **fields: object) -> str:
    conversation = app.store.create_conversation(shop=SHOP, customer_id=customer)
    values: dict = {"reason": "explicit_request", "sentiment_score": 0.0, "vip": False, "language": "en", "intent": None}  # type: ignore[type-arg]
    values.update(fields)
    handoff = app.queue.open_handoff(NewHandoff(
        conversation_id=conversation.id, shop=SHOP, customer_id=customer, confidence=0.9,
        summary=summary(reason=values["reason"], language=values["language"]), **values,
    ))  # fmt: skip
    return handoff.id


async def test_operators_register_agents_and_only_with_the_operator_key(desk_settings: Settings) -> None:
    async with running_app(desk_settings) as app:
        body = {"name": "ann", "skills": ["Refunds", "refunds", " complaints "], "languages": ["en"], "max_active": 2}
        for headers in ({}, {"X-Operator-Key": "wrong"}, {"Authorization": f"Bearer {SHOP_KEY}"}):
            refused = await app.http.post("/v1/agents", json=body, headers=headers)
            assert (refused.status_code, refused.json()["error"]) == (401, "unauthorized")
        assert (await app.http.get("/v1/agents")).status_code == 401

        operator = {"X-Operator-Key": OPERATOR_KEY}
        created = await app.http.post("/v1/agents", json=body, headers=operator)
        assert created.status_code == 201
        ann, token = created.json()["agent"], created.json()["token"]
        assert (ann["name"], ann["skills"], ann["languages"], ann["max_active"], ann["load"]) == (
            "ann", ["complaints", "refunds"], ["en"], 2, 0,
        )  # fmt: skip
        assert len(token) >= 40
        duplicate = await app.http.post("/v1/agents", json=body, headers=operator)
        assert (duplicate.status_code, duplicate.json()["error"]) == (409, "agent_exists")
        for bad in (
            {**body, "name": "bo", "languages": []},
            {**body, "name": "has space"},
            {**body, "name": "bo", "max_active": 0},
        ):
            assert (await app.http.post("/v1/agents", json=bad, headers=operator)).status_code == 422
        listed = await app.http.get("/v1/agents", headers=operator)
        assert [a["name"] for a in listed.json()] == ["ann"] and "token" not in listed.text and token not in listed.text

        me = await app.http.get("/v1/agent/me", headers=bearer(token))
        assert (me.status_code, me.json()["id"]) == (200, ann["id"])
        off = await app.http.patch(f"/v1/agents/{ann['id']}", json={"active": False}, headers=operator)
        assert off.json()["active"] is False
        refused = await app.http.get("/v1/agent/me", headers=bearer(token))
        assert (refused.status_code, refused.json()["error"]) == (401, "agent_inactive")
        assert (await app.http.patch("/v1/agents/nobody", json={"active": True}, headers=operator)).status_code == 404


async def test_agent_routes_need_a_valid_agent_token(desk_settings: Settings) -> None:
    async with running_app(desk_settings) as app:
        await app.register("ann")
        for headers in (
            {},
            bearer("not-a-token"),
            {"Authorization": "Basic abc"},
            bearer(SHOP_KEY),
            {"X-Operator-Key": OPERATOR_KEY},
        ):
            for method, url in (("GET", "/v1/agent/me"), ("GET", "/v1/agent/handoffs"), ("POST", "/v1/agent/handoffs/x/claim")):
                response = await app.http.request(method, url, headers=headers)
                assert (response.status_code, response.json()["error"]) == (401, "unauthorized"), (headers, url)


async def test_claim_reply_resolve(desk_settings: Settings) -> None:
    async with running_app(desk_settings) as app:
        ann_id, ann = await app.register("ann", languages=["en"])
        _bo_id, bo = await app.register("bo", languages=["zh"])
        handoff_id = _open(app)
        base = f"/v1/agent/handoffs/{handoff_id}"

        queue = (await app.http.get("/v1/agent/handoffs", headers=bearer(ann))).json()
        assert [(h["id"], h["status"], h["assigned_agent_id"]) for h in queue] == [(handoff_id, "assigned", ann_id)]
        assert (await app.http.get("/v1/agent/handoffs", headers=bearer(bo))).json() == []  # routed to ann, not bo
        assert (await app.http.get("/v1/agent/handoffs/nope", headers=bearer(ann))).status_code == 404
        assert (await app.http.post("/v1/agent/handoffs/nope/claim", headers=bearer(ann))).status_code == 404

        early = await app.http.post(f"{base}/reply", json={"content": "Hello"}, headers=bearer(ann))
        assert (early.status_code, early.json()["error"]) == (409, "handoff_assigned")  # claim it first
        taken = await app.http.post(f"{base}/claim", headers=bearer(bo))
        assert (taken.status_code, taken.json()["error"]) == (409, "handoff_assigned_elsewhere")

        claimed = await app.http.post(f"{base}/claim", headers=bearer(ann))
        assert (claimed.status_code, claimed.json()["status"], claimed.json()["claimed_by"]) == (200, "claimed", ann_id)
        assert (await app.http.post(f"{base}/claim", headers=bearer(ann))).json()["claimed_at"] == claimed.json()["claimed_at"]
        for body in ({"content": "   "}, {"content": ""}, {}, {"content": "x" * 4001}):
            assert (await app.http.post(f"{base}/reply", json=body, headers=bearer(ann))).status_code == 422
        other = await app.http.post(f"{base}/reply", json={"content": "我来帮您"}, headers=bearer(bo))
        assert (other.status_code, other.json()["error"]) == (409, "handoff_claimed_elsewhere")

        reply = await app.http.post(f"{base}/reply", json={"content": "  Hello, I am Ann. Let me look.  "}, headers=bearer(ann))
        assert reply.status_code == 201
        assert (reply.json()["role"], reply.json()["author"], reply.json()["content"]) == (
            "agent",
            ann_id,
            "Hello, I am Ann. Let me look.",
        )
        detail = (await app.http.get(base, headers=bearer(ann))).json()
        assert detail["handoff"]["summary"]["customer_wants"].startswith("I want to talk")
        assert [(m["role"], m["content"]) for m in detail["messages"]] == [("agent", "Hello, I am Ann. Let me look.")]

        resolved = await app.http.post(f"{base}/resolve", json={"note": "refund explained"}, headers=bearer(ann))
        assert resolved.status_code == 200
        assert (resolved.json()["status"], resolved.json()["note"], resolved.json()["conversation_status"]) == (
            "resolved", "refund explained", "ended",
        )  # fmt: skip
        conversation_id = resolved.json()["conversation_id"]
        assert app.store.get_conversation(conversation_id=conversation_id, shop=SHOP, customer_id="alice").status == "ended"
        assert app.queue.active_for(conversation_id=conversation_id) is None
        late_moves: list[tuple[str, dict[str, str] | None]] = [
            ("resolve", {}), ("hand-back", {}), ("reply", {"content": "one more thing"}), ("claim", None),
        ]  # fmt: skip
        for action, late_body in late_moves:
            late = await app.http.post(f"{base}/{action}", json=late_body, headers=bearer(ann))
            assert (late.status_code, late.json()["error"]) == (409, "handoff_resolved"), action
        assert (await app.http.get("/v1/agent/handoffs", headers=bearer(ann))).json() == []
        # Nothing the agent wrote was lost on the way.
        messages = app.store.list_messages(conversation_id=conversation_id)
        assert [(m.role, m.author) for m in messages] == [("agent", ann_id)]


async def test_hand_back_returns_the_conversation_to_the_assistant(desk_settings: Settings) -> None:
    async with running_app(desk_settings) as app:
        ann_id, ann = await app.register("ann", max_active=1)
        first = _open(app, "alice")
        second = _open(app, "bob")  # ann is full: it waits unassigned
        assert app.queue.get(handoff_id=second, shop=SHOP).status == "queued"
        busy = await app.http.post(f"/v1/agent/handoffs/{second}/claim", headers=bearer(ann))
        assert (busy.status_code, busy.json()["error"]) == (409, "agent_at_capacity")

        unclaimed = await app.http.post(f"/v1/agent/handoffs/{first}/hand-back", headers=bearer(ann))
        assert (unclaimed.status_code, unclaimed.json()["error"]) == (409, "handoff_assigned")
        await app.http.post(f"/v1/agent/handoffs/{first}/claim", headers=bearer(ann))
        back = await app.http.post(
            f"/v1/agent/handoffs/{first}/hand-back",
            json={"note": "only a policy question", "message": "The assistant will help you from here."},
            headers=bearer(ann),
        )
        assert back.status_code == 200
        assert (back.json()["status"], back.json()["note"], back.json()["conversation_status"]) == (
            "returned", "only a policy question", "open",
        )  # fmt: skip
        conversation_id = back.json()["conversation_id"]
        assert app.queue.active_for(conversation_id=conversation_id) is None  # the assistant answers again
        assert [(m.role, m.content) for m in app.store.list_messages(conversation_id=conversation_id)] == [
            ("agent", "The assistant will help you from here.")
        ]
        assert app.queue.get(handoff_id=second, shop=SHOP).assigned_agent_id == ann_id  # her freed place went to the waiting one
        nothing = await app.http.post(f"/v1/agent/handoffs/{second}/approve", headers=bearer(ann))
        assert (nothing.status_code, nothing.json()["error"]) == (409, "handoff_assigned")
        await app.http.post(f"/v1/agent/handoffs/{second}/claim", headers=bearer(ann))
        nothing = await app.http.post(f"/v1/agent/handoffs/{second}/approve", headers=bearer(ann))
        assert (nothing.status_code, nothing.json()["error"]) == (409, "no_pending_approval")
