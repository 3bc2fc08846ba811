"""An agent's corrected answer, published in one action, is found by the same retrieval the agent answers with."""

from __future__ import annotations

from assistant.components.container import build_components
from assistant.handoff.agents import AgentRegistry
from assistant.retrieval.retriever import Retriever
from assistant.settings import Settings
from ingest.pipeline import IngestPipeline
from tests.analytics.conftest import analytics_client, record_turn
from tests.conftest import DATA
from tests.shops import shop

RETAIL = shop("retail").profile.collection  # published corrections go into the conversation's shop's collection

QUESTION = "Hi, I'm Noah Brown. Do you offer gift wrapping for birthday presents?"
# Another customer's wording of the same question (hybrid search weighs keywords most, so it shares "gift wrapping").
ASKED_AGAIN = "Is gift wrapping available?"
CORRECT = "Yes. Gift wrapping costs $5 per item; choose it at checkout under Gift options, and add a card message there."


async def test_a_published_correction_becomes_retrievable(analytics_settings: Settings) -> None:
    components = build_components(analytics_settings)
    # A real knowledge base first, so the new document has to win against the store policy's chunks.
    IngestPipeline(components, RETAIL).run([DATA / "retail" / "policy.md"], "policy")
    client = analytics_client(analytics_settings, components)
    _, token = AgentRegistry(components.engine).register(shop="retail", name="ana", skills=[], languages=["en"], max_active=3)
    agent = {"Authorization": f"Bearer {token}"}
    async with client as http:
        conversation_id = (await http.post("/v1/conversations")).json()["id"]
        _, answer_id = record_turn(
            components.engine, conversation_id, QUESTION, "I could not find that in our policies.", intent="delivery_options"
        )
        before = Retriever(components, RETAIL).search(ASKED_AGAIN, k=3, kinds=["policy"])
        assert all("Gift wrapping costs" not in hit.text for hit in before)

        correction = await http.post(
            f"/v1/agent/messages/{answer_id}/correction", json={"correct_answer": CORRECT}, headers=agent
        )
        assert correction.status_code == 201, correction.text
        published = await http.post(f"/v1/agent/corrections/{correction.json()['id']}/publish", headers=agent)
        assert published.status_code == 200, published.text
        body = published.json()
        assert body["chunks_written"] >= 1 and body["correction"]["status"] == "published"
        assert body["correction"]["document_id"] == body["document_id"]
        assert body["correction"]["published_by"] == correction.json()["agent_id"]

        hits = Retriever(components, RETAIL).search(ASKED_AGAIN, k=3, kinds=analytics_settings.agent.answer_kinds)
        assert hits[0].document_id == body["document_id"], [hit.document_id for hit in hits]
        assert CORRECT in hits[0].text and hits[0].kind == "policy"
        # The customer's name stayed out of the knowledge base; the question itself is the document's title.
        assert "Noah" not in hits[0].title and "Brown" not in hits[0].title and "gift wrapping" in hits[0].title

        again = await http.post(f"/v1/agent/corrections/{correction.json()['id']}/publish", headers=agent)
        assert again.status_code == 409 and again.json()["error"] == "already_published"
        listed = await http.get("/v1/agent/corrections", params={"status": "published"}, headers=agent)
        assert [item["id"] for item in listed.json()] == [correction.json()["id"]]


async def test_publishing_with_a_restated_question_and_bad_bodies(analytics_settings: Settings) -> None:
    client = analytics_client(analytics_settings)
    components = client.app.state.components
    _, token = AgentRegistry(components.engine).register(shop="retail", name="ben", skills=[], languages=["en"], max_active=3)
    agent = {"Authorization": f"Bearer {token}"}
    async with client as http:
        conversation_id = (await http.post("/v1/conversations")).json()["id"]
        _, answer_id = record_turn(components.engine, conversation_id, "wrap?", "No idea.")
        correction_id = (
            await http.post(f"/v1/agent/messages/{answer_id}/correction", json={"correct_answer": CORRECT}, headers=agent)
        ).json()["id"]
        for body in ({"question": 3}, {"title": "x"}):
            refused = await http.post(f"/v1/agent/corrections/{correction_id}/publish", json=body, headers=agent)
            assert refused.status_code == 422 and refused.json()["error"] == "bad_feedback", refused.text
        assert (await http.post(f"/v1/agent/corrections/{correction_id}/publish")).status_code == 401
        published = await http.post(
            f"/v1/agent/corrections/{correction_id}/publish", json={"question": "Do you gift-wrap orders?"}, headers=agent
        )
        assert published.status_code == 200, published.text
        hits = Retriever(components, RETAIL).search("gift wrap", k=1)
        assert hits[0].title == "Do you gift-wrap orders?" and hits[0].document_id == published.json()["document_id"]
