"""Where a turn's time goes: the stages timed as the turn runs, and the figures derived from its record at the end.

Understanding and retrieval are timed where they run (turn.py, and the retriever
the turn hands its steps); routing times itself (router.py); tool calls and
model calls already carry their seconds in the record. `finish` adds them up
when the turn is stored, so every stored turn says where its time went.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from assistant.conversations.records import TurnRecord, TurnStages

if TYPE_CHECKING:
    from assistant.retrieval.retriever import Hit, Retriever


class _TimedRetriever:
    """The shared retriever, its searches timed on one turn's stages (the rest is passed through)."""

    def __init__(self, retriever: Retriever, stages: TurnStages) -> None:
        self._retriever = retriever
        self._stages = stages

    def search(self, query: str, **options: Any) -> list[Hit]:
        started = time.perf_counter()
        try:
            return self._retriever.search(query, **options)
        finally:
            self._stages.retrieval_seconds += time.perf_counter() - started

    def __getattr__(self, name: str) -> Any:
        return getattr(self._retriever, name)


def timed_retriever(retriever: Callable[[], Retriever], stages: TurnStages) -> Callable[[], Retriever]:
    """`retriever` (made on first use, shared by every turn) as one turn sees it: each search timed."""
    return lambda: cast("Retriever", _TimedRetriever(retriever(), stages))


def finish(record: TurnRecord, *, first_token_seconds: float | None, last_token_seconds: float | None) -> TurnStages:
    """The stages with the figures only the whole record knows: lookups, model calls, tokens, overhead."""
    stages = record.stages
    stages.lookups = len(record.tool_calls)
    stages.lookup_seconds = sum(call.seconds for call in record.tool_calls)
    stages.model_calls = len(record.llm_calls)
    stages.model_seconds = record.llm_seconds
    stages.prompt_tokens = sum(call.tokens_in for call in record.llm_calls)
    stages.first_token_seconds = first_token_seconds
    stages.last_token_seconds = last_token_seconds
    stages.overhead_seconds = max(0.0, record.seconds - record.llm_seconds)
    if stages.routed_by is None:
        # A turn whose route was decided before the router (a pending write's yes, an escalation) made no routing call.
        stages.routing_model_call = any(call.purpose == "route" for call in record.llm_calls)
    return stages
