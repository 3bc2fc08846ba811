"""History within the token budget: recent messages kept verbatim, older ones summarised once.

The budget logic is the unit here; the summary text comes from a scripted model stand-in.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistant.agent.history import build_history, split_by_budget
from assistant.agent.turn_llm import TurnLLM
from assistant.conversations.records import MessageView, TurnRecord
from tests.agent.test_turn_llm import ScriptedLLM
from tests.shops import prompts as shop_prompts

PROMPTS = shop_prompts("retail")


def _messages(count: int, words: int = 40) -> list[MessageView]:
    return [
        MessageView(id=i + 1, role="customer" if i % 2 == 0 else "assistant", content=f"message {i} " + "word " * words,
                    created_at=datetime.now(UTC))
        for i in range(count)
    ]  # fmt: skip


def test_split_keeps_the_newest_that_fit() -> None:
    messages = _messages(10)
    older, recent = split_by_budget(messages, budget=200)
    assert older + recent == messages
    assert recent and recent[-1].id == 10
    assert 2 <= len(recent) < 10


@pytest.mark.asyncio(loop_scope="session")
async def test_older_turns_are_summarised_and_recent_kept() -> None:
    llm = ScriptedLLM(["Yusuf asked to cancel #W4776164; it was proposed."])
    record = TurnRecord(prompt_version="v1", language="en", customer_text="x")
    view = await build_history(
        messages=_messages(12),
        summary=None,
        budget=200,
        summary_max_tokens=60,
        prompts=PROMPTS,
        llm=TurnLLM(llm, record),  # type: ignore[arg-type]
    )
    assert view.new_summary == "Yusuf asked to cancel #W4776164; it was proposed."
    assert view.new_summary_upto is not None and view.new_summary_upto < 12
    assert view.recent[-1]["content"].startswith("message 11")
    assert [call.purpose for call in record.llm_calls] == ["summarise"]
    prompt = llm.calls[0][-1]["content"]
    assert "message 0" in prompt and "message 11" not in prompt  # only the older turns are summarised


@pytest.mark.asyncio(loop_scope="session")
async def test_short_history_needs_no_model_call() -> None:
    llm = ScriptedLLM([])
    record = TurnRecord(prompt_version="v1", language="en", customer_text="x")
    view = await build_history(
        messages=_messages(2),
        summary="earlier",
        budget=1200,
        summary_max_tokens=60,
        prompts=PROMPTS,
        llm=TurnLLM(llm, record),  # type: ignore[arg-type]
    )
    assert view.summary == "earlier" and view.new_summary is None and len(view.recent) == 2
    assert llm.calls == []
