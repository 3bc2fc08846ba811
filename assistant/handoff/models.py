"""What the handoff queue takes in and gives out: the summary an agent reads, handoffs, agents."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from assistant.conversations.records import MessageView

HandoffStatus = Literal["queued", "assigned", "claimed", "resolved", "returned"]
ACTIVE_STATUSES: tuple[HandoffStatus, ...] = ("queued", "assigned", "claimed")


class HandoffSummary(BaseModel):
    """What a human agent reads first: what the customer wants, what was tried, and what to do next."""

    customer_wants: str
    language: str = Field(description="Language of the conversation (`zh`, `en`, or `other`).")
    intent: str | None = None
    sentiment: str | None = None
    sentiment_score: float | None = Field(default=None, ge=-1, le=1)
    emotions: list[str] = Field(default_factory=list)
    tried: list[str] = Field(default_factory=list, description="What the assistant did, turn by turn.")
    tool_results: list[str] = Field(default_factory=list, description="Tool calls and their results, in brief.")
    reason: str = Field(description="The escalation reason.")
    reason_explanation: str = ""
    suggested_next_step: str = ""
    pending_action: dict[str, Any] | None = Field(
        default=None, description="A write waiting for the customer or an agent, if any."
    )


class NewHandoff(BaseModel):
    """What a turn hands to the queue when it decides a person must take over."""

    conversation_id: str
    shop: str
    customer_id: str
    reason: str
    confidence: float
    summary: HandoffSummary
    sentiment_score: float | None
    vip: bool
    language: str | None
    intent: str | None
    pending_action_id: str | None = None


class HandoffView(BaseModel):
    id: str
    conversation_id: str
    shop: str
    customer_id: str
    status: HandoffStatus
    reason: str
    confidence: float
    summary: HandoffSummary
    priority: float = Field(description="Queue order, highest first (formula in assistant/handoff/priority.py).")
    priority_parts: dict[str, float] = Field(default_factory=dict, description="What each term added to the priority.")
    vip: bool
    sentiment_score: float | None
    language: str | None
    intent: str | None
    required_skills: list[str] = Field(description="Skills an agent needs to be routed this handoff (`lang:<code>` included).")
    assigned_agent_id: str | None
    claimed_by: str | None
    pending_action_id: str | None
    note: str | None = Field(default=None, description="The agent's note when resolving or handing back.")
    conversation_status: str
    created_at: datetime
    claimed_at: datetime | None
    closed_at: datetime | None
    waiting_seconds: float = Field(description="How long the customer waited for a human (until claimed, or until now).")


class AgentView(BaseModel):
    id: str
    shop: str = Field(description="The shop the agent works for: they see its handoffs, drafts and customers only.")
    name: str
    skills: list[str]
    languages: list[str]
    max_active: int
    active: bool
    load: int = Field(default=0, description="Handoffs assigned to or claimed by this agent and not closed yet.")
    created_at: datetime


# --- HTTP bodies -------------------------------------------------------------------------------------------------------

_NAME = r"^[\w.@-]{1,100}$"
_TAG = r"^[\w:.-]{1,50}$"


class AgentCreate(BaseModel):
    name: str = Field(pattern=_NAME, description="Login name, unique within the shop (letters, digits, . _ @ -).")
    skills: list[str] = Field(default_factory=list, description="Skill tags, e.g. `refunds`, `complaints`.")
    languages: list[str] = Field(min_length=1, description="Languages the agent answers in, e.g. `zh`, `en`.")
    max_active: int | None = Field(
        default=None, ge=1, le=100, description="Handoffs at once; default `handoff.default_max_active`."
    )

    @field_validator("skills", "languages")
    @classmethod
    def _tags(cls, values: list[str]) -> list[str]:
        import re

        cleaned = sorted({value.strip().lower() for value in values if value.strip()})
        bad = [value for value in cleaned if not re.match(_TAG, value)]
        if bad:
            raise ValueError(f"not a tag (letters, digits, : . _ -, at most 50): {', '.join(bad)}")
        return cleaned


class AgentCreated(BaseModel):
    agent: AgentView
    token: str = Field(description="The agent's bearer token; shown once, stored only as a hash.")


class AgentUpdate(BaseModel):
    active: bool


class ReplyRequest(BaseModel):
    content: str = Field(min_length=1, max_length=4000)

    @field_validator("content")
    @classmethod
    def _not_blank(cls, content: str) -> str:
        if not content.strip():
            raise ValueError("the reply is empty")
        return content.strip()


class CloseRequest(BaseModel):
    note: str | None = Field(default=None, max_length=2000, description="For the record (not shown to the customer).")
    message: str | None = Field(
        None, max_length=4000, description="Hand back only: a last message to the customer before the assistant continues."
    )


class DeclineRequest(BaseModel):
    reason: str | None = Field(default=None, max_length=1000, description="Told to the customer.")


class HandoffDetail(BaseModel):
    handoff: HandoffView
    messages: list[MessageView]


class ApprovalOutcome(BaseModel):
    handoff_id: str
    pending_action_id: str
    status: Literal["executed", "failed", "declined"]
    result: Any = None
    message: MessageView | None = Field(description="What the customer was told (None if the conversation had ended).")
