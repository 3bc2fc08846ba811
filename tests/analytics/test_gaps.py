"""Hot questions and knowledge gaps over recorded conversations, with real retrieval scores and real embeddings.

The knowledge base is the retail store policy (cancelling, returning, exchanging, paying);
customers also ask about loyalty points, which it does not cover. Each question is
retrieved for exactly as the agent does, and the turn is recorded with those scores and the
agent's outcome (unanswered when even the best hit is under `agent.low_confidence_score`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assistant.analytics.gaps import problems_of, questions_of
from assistant.analytics.records import ConversationFacts, TurnFacts
from assistant.components.container import build_components
from assistant.conversations.store import ConversationStore
from assistant.retrieval.retriever import Retriever
from assistant.settings import Settings
from ingest.pipeline import IngestPipeline
from tests.analytics.conftest import OPERATOR_KEY, SHOP, analytics_client, record_turn, set_conversation_times
from tests.conftest import DATA

QUESTIONS = {
    "cancel_order": [
        "How do I cancel my order?",
        "I want to cancel an order I placed yesterday",
        "Can you cancel my pending order please",
        "cancel order before it ships",
        "I changed my mind, please cancel the purchase",
    ],
    "return_item": [
        "How can I return an item I received?",
        "I want to send back a delivered product",
        "What is your return process for delivered orders?",
        "can I get a refund by returning the shoes",
    ],
    "change_payment": [
        "Can I change the payment method of my order?",
        "I want to pay with a different card for my pending order",
        "update the credit card on my order",
    ],
    "loyalty_points": [  # not in the knowledge base
        "How do I earn loyalty points?",
        "Do you have a rewards program?",
        "how many loyalty points do I get per purchase",
        "can I redeem my reward points on this order",
        "where can I see my points balance",
    ],
}
LAST_WEEK = ["How do I cancel an order?", "please cancel my order"]  # the previous period: cancelling was asked less


async def test_the_topic_missing_from_the_knowledge_base_ranks_first_as_a_gap(analytics_settings: Settings) -> None:
    components = build_components(analytics_settings)
    IngestPipeline(components).run([DATA / "retail" / "policy.md"], "policy")
    retriever = Retriever(components)
    client = analytics_client(analytics_settings, components)  # builds the app, which creates the tables
    store = ConversationStore(components.engine)
    threshold = analytics_settings.agent.low_confidence_score
    now = datetime.now(UTC)

    def record(customer: str, intent: str, text: str, when: datetime) -> None:
        hits = retriever.search(text, k=analytics_settings.agent.retrieval_k, kinds=analytics_settings.agent.answer_kinds)
        scores = tuple(hit.dense_score for hit in hits)
        unanswered = max(scores) < threshold
        reply = "I could not find that in our policies. Would you like me to connect you with a colleague?"
        conversation = store.create_conversation(shop=SHOP, customer_id=customer).id
        set_conversation_times(components.engine, conversation, created=when, ended=when + timedelta(minutes=3))
        record_turn(
            components.engine, conversation, text, reply if unanswered else hits[0].text[:300], intent=intent,
            retrieval_scores=scores, outcome="unanswered" if unanswered else "answered", handoff_offered=unanswered,
            at=when + timedelta(minutes=1),
        )  # fmt: skip

    for intent, questions in QUESTIONS.items():
        for number, text in enumerate(questions):
            record(f"{intent}-{number}", intent, text, now - timedelta(hours=2 + number))
    for number, text in enumerate(LAST_WEEK):
        record(f"earlier-{number}", "cancel_order", text, now - timedelta(days=10, hours=number))

    async with client as http:
        response = await http.get("/v1/analytics/questions", headers={"X-Operator-Key": OPERATOR_KEY})
    assert response.status_code == 200, response.text
    report = response.json()["report"]
    assert report["questions"] == sum(len(questions) for questions in QUESTIONS.values())
    assert report["previous_questions"] == len(LAST_WEEK)

    first_gap = report["gaps"][0]
    assert set(first_gap["examples"]) <= set(QUESTIONS["loyalty_points"]), first_gap
    assert first_gap["size"] >= 4 and first_gap["intents"] == {"loyalty_points": first_gap["size"]}
    assert first_gap["problems"]["low_confidence"] == first_gap["size"] and first_gap["is_gap"]
    assert all(gap["gap_score"] <= first_gap["gap_score"] for gap in report["gaps"])

    hot = {cluster["intents"].popitem()[0]: cluster for cluster in report["hot"] if len(cluster["intents"]) == 1}
    cancel = hot["cancel_order"]
    assert cancel["size"] >= 4 and cancel["previous_size"] == len(LAST_WEEK)
    assert cancel["growth"] == (cancel["size"] - len(LAST_WEEK)) / len(LAST_WEEK)
    assert not cancel["is_gap"] and cancel["problems"]["low_confidence"] == 0


def test_what_counts_as_a_question_and_as_a_bad_answer() -> None:
    moment = datetime(2025, 3, 1, tzinfo=UTC)
    turns = (
        TurnFacts(id="a", created_at=moment, text="hi there", signals=("small_talk",)),
        TurnFacts(id="b", created_at=moment, text="yes", route="confirm"),
        TurnFacts(id="c", created_at=moment, text="ok", outcome="answered"),
        TurnFacts(id="d", created_at=moment, text="are you still there?", outcome="waiting"),
        TurnFacts(id="e", created_at=moment, text="Do you ship to Canada?", best_dense_score=0.1),
    )
    questions = questions_of([ConversationFacts(id="x", created_at=moment, turns=turns)])
    assert [question.turn.id for question in questions] == ["e"]
    assert problems_of(turns[4], 0.25) == {"low_confidence"}
    assert problems_of(TurnFacts(id="f", created_at=moment, best_dense_score=0.6, thumb="down", escalated=True), 0.25) == {
        "rated_down",
        "escalated",
    }
    assert problems_of(TurnFacts(id="g", created_at=moment, outcome="unanswered"), 0.25) == {"unresolved"}
    assert problems_of(TurnFacts(id="h", created_at=moment, best_dense_score=None), 0.25) == set()
