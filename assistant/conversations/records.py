"""What a turn did, collected in memory while it runs and written in one transaction at its end."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.tools.base import ProposedAction
from assistant.understanding.models import Understanding


class Citation(BaseModel):
    """A knowledge-base chunk the reply relied on."""

    document_id: str
    chunk_id: str
    title: str
    snippet: str
    source: str | None = None


class ActionBrief(BaseModel):
    """A tool called in the turn, with its result in brief."""

    name: str
    kind: Literal["read", "write"]
    arguments: dict[str, Any]
    ok: bool
    brief: str


class PendingConfirmation(BaseModel):
    """A proposed write as stored: waiting for the customer's yes (or, confirmed, for an agent's approval)."""

    id: str
    name: str
    arguments: dict[str, Any]
    description: str
    # The tools' proposal, handed back unchanged to execute it; kept server-side.
    action: ProposedAction = Field(exclude=True)


class RetrievalRecord(BaseModel):
    query: str
    rank: int
    chunk_id: str
    document_id: str
    score: float
    dense_score: float | None = None


class LLMCallRecord(BaseModel):
    purpose: str
    model: str
    tokens_in: int = 0
    tokens_out: int = 0
    seconds: float
    ok: bool
    error: str | None = None


class ToolCallRecord(BaseModel):
    name: str
    kind: Literal["read", "write"]
    arguments: dict[str, Any]
    ok: bool
    result: Any = None
    error: str | None = None
    seconds: float = 0.0


class DecisionRecord(BaseModel):
    step: int
    kind: str
    payload: dict[str, Any]
    valid: bool = True
    error: str | None = None


class ResolvedPending(BaseModel):
    """What became of one proposed write in this turn."""

    id: str
    status: str
    result: Any = None


class TurnStages(BaseModel):
    """Where one turn's time went, measured as it ran (seconds; `*_token_seconds` from the customer's message)."""

    understanding_seconds: float = 0.0
    routing_seconds: float = 0.0
    routed_by: str | None = Field(None, description="rule, intent, model or fallback; None when the turn did not route.")
    routing_model_call: bool = False
    retrieval_seconds: float = 0.0
    lookups: int = Field(0, description="Tool calls of the turn (reads, proposals, writes).")
    lookup_seconds: float = 0.0
    model_calls: int = 0
    model_seconds: float = 0.0
    prompt_tokens: int = Field(0, description="Prompt tokens of all model calls (cached or read).")
    reply_wait_seconds: float | None = Field(
        None, description="From the streamed reply's request to its first piece: the queue and reading the prompt."
    )
    first_token_seconds: float | None = None
    last_token_seconds: float | None = None
    overhead_seconds: float = Field(0.0, description="Turn seconds minus model seconds.")


class TurnRecord(BaseModel):
    """Everything one turn produced; the store writes it whole."""

    prompt_version: str
    language: str
    customer_text: str
    reply: str = ""
    route: str = "answer"
    status: Literal["ok", "failed"] = "ok"
    failure_cause: str | None = None
    seconds: float = 0.0
    citations: list[Citation] = Field(default_factory=list)
    actions: list[ActionBrief] = Field(default_factory=list)
    retrievals: list[RetrievalRecord] = Field(default_factory=list)
    llm_calls: list[LLMCallRecord] = Field(default_factory=list)
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    decisions: list[DecisionRecord] = Field(default_factory=list)
    # The writes this turn proposed, in the order the customer asked for them: one confirmation lists them all.
    proposals: list[ProposedAction] = Field(default_factory=list)
    # The proposed writes this turn resolved (executed, failed, declined, superseded, awaiting approval).
    resolved: list[ResolvedPending] = Field(default_factory=list)
    verified_customer_id: str | None = None
    summary: str | None = None
    summary_upto: int | None = None
    first_token_seconds: float | None = None
    stages: TurnStages = Field(default_factory=TurnStages)
    # What was understood of the customer's message (None when the understanding model is unavailable).
    understanding: Understanding | None = None
    escalated: bool = False
    escalation_reason: str | None = None
    outcome: Literal["answered", "unanswered", "failed", "handoff", "waiting"] = "answered"
    handoff_offered: bool = False
    # False for a message that waits for a human agent: the customer's message is stored, no reply is.
    store_reply: bool = True

    @property
    def llm_seconds(self) -> float:
        return sum(call.seconds for call in self.llm_calls)


class EarlierTurn(BaseModel):
    """A previous customer message of the conversation as the escalation decision reads it."""

    customer_text: str
    understanding: Understanding | None
    outcome: str
    handoff_offered: bool
    route: str
    reply: str
    actions: list[ActionBrief] = Field(default_factory=list)


class MessageView(BaseModel):
    id: int
    role: Literal["customer", "assistant", "agent"]
    author: str | None = Field(None, description="The human agent who wrote it (role agent).")
    content: str
    citations: list[Citation] = Field(default_factory=list)
    actions: list[ActionBrief] = Field(default_factory=list)
    understanding: Understanding | None = None
    created_at: datetime


class ConversationView(BaseModel):
    id: str
    customer_id: str
    status: Literal["open", "ended"]
    channel: str = "api"
    created_at: datetime
    ended_at: datetime | None = None
