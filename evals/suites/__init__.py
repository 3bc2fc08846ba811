"""The suites by name; each module is imported only when its suite is asked for."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from assistant.errors import BadInputError

if TYPE_CHECKING:
    from evals.suites.base import Suite

SUITES: dict[str, str] = {
    "retrieval": "evals.suites.retrieval:RetrievalSuite",
    "intent": "evals.suites.understanding:IntentSuite",
    "sentiment": "evals.suites.understanding:SentimentSuite",
    "escalation": "evals.suites.escalation:EscalationSuite",
    "agent-tasks": "evals.suites.agent_tasks_shops:agent_tasks_suite",
    "answers": "evals.suites.answers:AnswersSuite",
    "drafts": "evals.suites.drafts:DraftsSuite",
}


# The suites that take options, and which (the suite's constructor's keyword arguments).
OPTIONS: dict[str, tuple[str, ...]] = {"agent-tasks": ("form", "shop", "split")}


def get_suite(name: str, **options: Any) -> Suite:
    """The suite `name`, built with `options` (only those it takes: see OPTIONS)."""
    if name not in SUITES:
        raise BadInputError(f"unknown suite {name!r}; suites: {', '.join(SUITES)}")
    unknown = sorted(set(options) - set(OPTIONS.get(name, ())))
    if unknown:
        raise BadInputError(f"suite {name!r} takes no option {', '.join(unknown)}")
    module, cls = SUITES[name].split(":")
    return getattr(import_module(module), cls)(**options)  # type: ignore[no-any-return]
