"""Drafted replies for human agents: draft, read, send (drafted vs sent is kept), run a suggested action once.

An agent drafts for their own shop: its conversations (another shop's is "not found"), its CRM and orders, its
knowledge collection, its prompts and operations; a pasted ticket is the agent's shop's too.
"""

from __future__ import annotations

import asyncio
import time
from difflib import SequenceMatcher

from sqlalchemy import Engine

from assistant.agent.shop import ShopDirectory, ShopRuntime
from assistant.components.llm.client import LLMClient
from assistant.conversations.store import ConversationStore
from assistant.conversations.tables import new_id, now
from assistant.drafts.actions import Suggestion, named_order_ids, suggest
from assistant.drafts.context import CustomerContextReader, GatheredContext
from assistant.drafts.models import DraftRequest, DraftView, OrderFacts, SendRequest, Sent, Source, SuggestedAction
from assistant.drafts.store import DraftStore
from assistant.drafts.subject import Subject, conversation_subject, ticket_subject
from assistant.drafts.writer import DraftWriter
from assistant.errors import AssistantError, BadInputError, ConflictError
from assistant.handoff.models import AgentView
from assistant.settings import AgentSettings

RECENT_ORDERS = 5
PREVIOUS_CONTACTS = 10
MAX_SOURCES = 3
RELATIVE_SCORE = 0.25  # a hit under a quarter of the best fused score is not cited
SNIPPET_CHARS = 240


class DraftService:
    """Drafts for a conversation or a pasted ticket, with sources, the customer's context and checked next actions."""

    def __init__(
        self,
        *,
        settings: AgentSettings,
        llm: LLMClient,
        shops: ShopDirectory,
        conversations: ConversationStore,
        engine: Engine,
        max_tokens: int | None = None,
    ) -> None:
        self._settings = settings
        self._llm = llm
        self._shops = shops
        self._conversations = conversations
        self._engine = engine
        self._store = DraftStore(engine)
        self._max_tokens = max_tokens or settings.reply_max_tokens

    async def create(self, request: DraftRequest, *, agent: AgentView) -> DraftView:
        started = time.perf_counter()
        draft_id = new_id()
        shop = self._shops[agent.shop]
        if request.conversation_id is not None:
            subject = await asyncio.to_thread(
                conversation_subject, self._engine, self._conversations, request.conversation_id, shop.name
            )
        else:
            subject = ticket_subject(request.ticket_text or "", request.customer_id)
        named = named_order_ids(subject, shop.operations)
        reader = CustomerContextReader(
            shop=shop.name, connectors=shop.tools.connectors, engine=self._engine, recent_orders=RECENT_ORDERS,
            previous_contacts=PREVIOUS_CONTACTS,
        )  # fmt: skip
        gathered = await reader.gather(
            customer_id=subject.customer_id, current_conversation=subject.conversation_id, named_orders=named
        )
        suggestions: list[Suggestion] = []
        if subject.customer_id is not None:
            # A ticket has no conversation: its draft stands in for one, so idempotency keys stay unique per draft.
            # The agent sees the customer's record, so the customer counts as verified for the suggestions' checks.
            ctx = shop.tools.context(
                conversation_id=subject.conversation_id or f"draft-{draft_id}",
                authenticated_customer_id=subject.customer_id,
                verified_customer_id=subject.customer_id,
                language=subject.language,
            )
            suggestions = await suggest(shop.tools, ctx, subject, gathered, shop.operations)
        sources = await self._search(shop, subject, gathered)
        key_order = _key_order(gathered, suggestions, named)
        writer = DraftWriter(llm=self._llm, prompts=shop.prompts, max_tokens=self._max_tokens)
        variants = [
            await writer.write(
                tone,
                subject=subject,
                sources=sources,
                context=gathered.context,
                key_order=key_order,
                actions=[suggestion.action.description for suggestion in suggestions],
            )
            for tone in request.tones
        ]
        draft = DraftView(
            id=draft_id,
            shop=shop.name,
            conversation_id=subject.conversation_id,
            ticket_text=subject.ticket_text,
            customer_id=subject.customer_id,
            language=subject.language,
            prompt_version=shop.prompts.version,
            variants=variants,
            sources=[source for source, _ in sources],
            customer_context=gathered.context,
            suggested_actions=[suggestion.action for suggestion in suggestions],
            created_by=agent.id,
            created_at=now(),
            seconds=round(time.perf_counter() - started, 3),
        )
        await asyncio.to_thread(
            self._store.save, draft=draft, model=self._llm.model, proposals=[suggestion.proposal for suggestion in suggestions]
        )
        return draft

    async def get(self, draft_id: str, *, agent: AgentView) -> DraftView:
        """A draft of the agent's shop (another shop's is "not found")."""
        return await asyncio.to_thread(self._store.get, draft_id=draft_id, shop=agent.shop)

    async def send(self, draft_id: str, request: SendRequest, *, agent: AgentView) -> DraftView:
        """Record what the agent sent next to what was drafted, and post it to the conversation (if the draft has one)."""
        agent_id = agent.id
        draft = await self.get(draft_id, agent=agent)
        variant = next((variant for variant in draft.variants if variant.tone == request.tone), None)
        if variant is None:
            drafted = ", ".join(variant.tone for variant in draft.variants)
            raise BadInputError(f"draft {draft_id} has no {request.tone} variant (drafted: {drafted})", reason="unknown_tone")
        if draft.sent is not None:
            raise ConflictError(f"draft {draft_id} was already sent", reason="already_sent")
        sent = Sent(
            text=request.text,
            tone=request.tone,
            edited=request.text != variant.text.strip(),
            similarity=round(SequenceMatcher(None, variant.text.strip(), request.text, autojunk=False).ratio(), 4),
            sent_by=agent_id,
            sent_at=now(),
        )
        if not await asyncio.to_thread(self._store.claim_send, draft_id=draft_id, sent=sent):
            raise ConflictError(f"draft {draft_id} was already sent", reason="already_sent")
        if draft.conversation_id is not None:
            try:
                message = await asyncio.to_thread(
                    self._conversations.add_agent_message,
                    conversation_id=draft.conversation_id,
                    agent_id=agent_id,
                    content=request.text,
                )
            except Exception:
                # Not posted (an ended conversation, say): the draft is not marked sent, so nothing claims it was.
                await asyncio.to_thread(self._store.release_send, draft_id=draft_id)
                raise
            await asyncio.to_thread(self._store.set_sent_message, draft_id=draft_id, message_id=message.id)
        return await self.get(draft_id, agent=agent)

    async def run_action(self, draft_id: str, index: int, *, agent: AgentView) -> SuggestedAction:
        """Execute suggested action `index` with the agent's approval, once: a second run is refused (409).

        The shop unreachable: 503, and the action stays `suggested` (running it again is safe, by its idempotency key).
        """
        agent_id = agent.id
        action, proposal = await asyncio.to_thread(self._store.action, draft_id=draft_id, shop=agent.shop, position=index)
        if action.status != "suggested" or proposal is None:
            raise ConflictError(
                f"action {index} of draft {draft_id} is {action.status}, it cannot run again", reason="action_done"
            )
        draft = await self.get(draft_id, agent=agent)
        tools = self._shops[draft.shop].tools
        # The agent saw the customer's record: the draft's customer counts as verified.
        ctx = tools.context(
            conversation_id=proposal.conversation_id,
            authenticated_customer_id=proposal.customer_id,
            verified_customer_id=proposal.customer_id,
            language=draft.language,
        )
        claim = self._store.claim(draft_id=draft_id, position=index, agent_id=agent_id)
        outcome = await tools.run_confirmed(proposal, ctx, claim, approved_by=agent_id)
        if outcome.status == "taken":
            raise ConflictError(f"action {index} of draft {draft_id} is already running or done", reason="action_done")
        done, _ = await asyncio.to_thread(self._store.action, draft_id=draft_id, shop=agent.shop, position=index)
        return done

    async def _search(self, shop: ShopRuntime, subject: Subject, gathered: GatheredContext) -> list[tuple[Source, str]]:
        """The best passage of each relevant document of the shop's collection (one source per document), best first."""
        settings = self._settings
        try:
            hits = await asyncio.to_thread(
                shop.retriever().search, subject.query, k=settings.retrieval_k, kinds=settings.answer_kinds, max_per_document=2
            )
        except AssistantError as exc:
            gathered.context.notes.append(f"The knowledge base could not be searched: {exc.message}")
            return []
        # The dense score decides whether the knowledge base has anything relevant at all (as for a chat answer);
        # the fused rank orders the hits. The best passage can be under the threshold when its words match the
        # query exactly (measured: the retail policy's "Cancel pending order" at 0.247 for a cancel ticket).
        if not hits or max(hit.dense_score for hit in hits) < settings.low_confidence_score:
            return []
        # Passages in the reply's language when there are any (a reply cites what the customer can read);
        # hits far below the best of them in the fused ranking are noise.
        pool = [hit for hit in hits if hit.language == subject.language] or hits
        best = pool[0].score
        found: dict[str, tuple[Source, str]] = {}
        for hit in pool:
            if hit.score < RELATIVE_SCORE * best or hit.document_id in found:
                continue
            snippet = " ".join(hit.text.split())[:SNIPPET_CHARS]
            source = Source(
                document_id=hit.document_id, chunk_id=hit.chunk_id, title=hit.title, snippet=snippet, source=hit.source
            )
            found[hit.document_id] = (source, hit.text)
        return list(found.values())[:MAX_SOURCES]


def _key_order(gathered: GatheredContext, suggestions: list[Suggestion], named: list[str]) -> OrderFacts | None:
    """The order the reply is about: the one an action is suggested for, else the first one the customer named."""
    facts = {order.order_id: order for order in gathered.context.recent_orders}
    for suggestion in suggestions:
        if suggestion.order is not None and suggestion.order.order_id in facts:
            return facts[suggestion.order.order_id]
    return next((facts[order_id] for order_id in named if order_id in facts), None)
