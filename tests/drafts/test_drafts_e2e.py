"""Drafts with the real 0.5B model, real Chroma holding the retail policy, and the real retail commerce service."""

from __future__ import annotations

import time

import pytest

from assistant.drafts.models import DraftRequest, SendRequest
from tests.drafts.conftest import AGENT, AS_AGENT, CUSTOMER, Drafting

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]

TICKET = "Hello, this is Yusuf Rossi. Please cancel my order #W4776164, I no longer need it. When will I get my money back?"


async def test_a_retail_ticket_draft_cites_the_policy_and_carries_the_order_facts(drafting_llm: Drafting) -> None:
    started = time.perf_counter()
    draft = await drafting_llm.service.create(
        DraftRequest(ticket_text=TICKET, customer_id=CUSTOMER, tones=["concise"]), agent=AS_AGENT
    )
    seconds = time.perf_counter() - started
    variant = draft.variants[0]
    print(f"\none draft (1 tone, 0.5B model, max 150 tokens): {seconds:.1f} s, of which the model {variant.model_seconds:.1f} s")
    print(f"model text: {variant.model_text!r}")
    print(f"fallback: {variant.fallback}, facts appended: {variant.facts_appended}; draft:\n{variant.text}")

    # Sources: the retail policy from the ingested knowledge base (its customer-facing help centre or the agent-facing
    # policy.md), cited by its marker in the text.
    [variant] = draft.variants
    assert variant.tone == "concise" and draft.language == "en"
    cited = [source for number, source in enumerate(draft.sources, start=1) if f"[{number}]" in variant.text]
    policies = ("retail/policy.md", "retail/help_centre.md")
    assert any((source.source or "").endswith(policies) for source in cited), (draft.sources, variant.text)

    # The order's facts as the commerce service holds them, in the text and in the context.
    order = await drafting_llm.retail.tools.connectors.orders.get_order("#W4776164", customer_id=CUSTOMER)
    assert "#W4776164" in variant.text and order.status in variant.text.lower()
    context = draft.customer_context
    assert context.profile is not None and context.profile["name"] == "Yusuf Rossi"
    [facts] = [facts for facts in context.recent_orders if facts.order_id == "#W4776164"]
    assert (facts.status, facts.total) == (order.status, order.total)
    assert sorted(facts.items) == sorted(f"{item.name} ({item.item_id})" for item in order.items)

    # The next step, checked by the cancel tool against the policy, with its arguments.
    [action] = draft.suggested_actions
    assert (action.tool, action.arguments) == ("cancel_pending_order", {"order_id": "#W4776164", "reason": "no longer needed"})
    assert action.status == "suggested" and action.kind == "write"

    # Stored as drafted.
    assert await drafting_llm.service.get(draft.id, agent=AS_AGENT) == draft


async def test_a_conversation_draft_has_one_variant_per_tone_and_is_sent_to_the_conversation(drafting_llm: Drafting) -> None:
    conversation = drafting_llm.conversation("Hi, where is my order #W2378156? It is taking long.")
    draft = await drafting_llm.service.create(
        DraftRequest(conversation_id=conversation, tones=["concise", "empathetic"]), agent=AS_AGENT
    )
    assert [variant.tone for variant in draft.variants] == ["concise", "empathetic"]
    assert all("#W2378156" in variant.text and "delivered" in variant.text.lower() for variant in draft.variants)
    assert draft.conversation_id == conversation and draft.customer_id == CUSTOMER
    assert draft.suggested_actions == []  # a question about a delivered order asks for no write

    chosen = draft.variants[1]
    sent = await drafting_llm.service.send(draft.id, SendRequest(text=chosen.text, tone="empathetic"), agent=AS_AGENT)
    assert sent.sent is not None and (sent.sent.edited, sent.sent.similarity) == (False, 1.0)
    last = drafting_llm.conversations.list_messages(conversation_id=conversation)[-1]
    assert (last.role, last.author, last.content) == ("agent", AGENT, chosen.text.strip())
