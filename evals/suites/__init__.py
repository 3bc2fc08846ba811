"""The suites by name; each module is imported only when its suite is asked for."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from assistant.errors import BadInputError

if TYPE_CHECKING:
    from evals.suites.base import Suite

SUITES: dict[str, str] = {
    "retrieval": "evals.suites.retrieval:RetrievalSuite",
    "intent": "evals.suites.understanding:IntentSuite",
    "sentiment": "evals.suites.understanding:SentimentSuite",
    "escalation": "evals.suites.understanding:EscalationSuite",
    "agent-tasks": "evals.suites.agent_tasks:AgentTasksSuite",
    "answers": "evals.suites.answers:AnswersSuite",
    "drafts": "evals.suites.drafts:DraftsSuite",
}


def get_suite(name: str) -> Suite:
    if name not in SUITES:
        raise BadInputError(f"unknown suite {name!r}; suites: {', '.join(SUITES)}")
    module, cls = SUITES[name].split(":")
    return getattr(import_module(module), cls)()  # type: ignore[no-any-return]
