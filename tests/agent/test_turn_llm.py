"""Structured decisions: invalid model output is retried once with the error, then the caller falls back.

The retry logic is the unit here, so a scripted stand-in for the model client
supplies the outputs; the real model's decisions are tested in test_decisions_local.py.
"""

from __future__ import annotations

from typing import Any

from assistant.agent.decisions import Route
from assistant.agent.turn_llm import TurnLLM
from assistant.components.llm.client import Completion
from assistant.conversations.records import TurnRecord


class ScriptedLLM:
    model = "scripted"

    def __init__(self, outputs: list[str]) -> None:
        self.outputs = outputs
        self.calls: list[list[dict[str, Any]]] = []

    async def complete(self, messages: list[dict[str, Any]], **_: Any) -> Completion:
        self.calls.append(messages)
        return Completion(text=self.outputs.pop(0), model=self.model, tokens_in=5, tokens_out=3, seconds=0.01)


def _record() -> TurnRecord:
    return TurnRecord(prompt_version="v1", language="en", customer_text="x")


async def test_valid_output_is_used_at_once() -> None:
    llm, record = ScriptedLLM(['{"action": "order_status"}']), _record()
    value = await TurnLLM(llm, record).decide("route", [{"role": "user", "content": "x"}], Route)  # type: ignore[arg-type]
    assert value == Route(action="order_status")
    assert len(llm.calls) == 1 and record.decisions[0].valid


async def test_invalid_output_is_retried_once_with_the_error() -> None:
    llm, record = ScriptedLLM(['{"action": "fly_to_the_moon"}', '{"action": "cancel_order"}']), _record()
    value = await TurnLLM(llm, record).decide("route", [{"role": "user", "content": "x"}], Route)  # type: ignore[arg-type]
    assert value == Route(action="cancel_order")
    retry = llm.calls[1]
    assert retry[-2] == {"role": "assistant", "content": '{"action": "fly_to_the_moon"}'}
    assert "invalid" in retry[-1]["content"] and "action" in retry[-1]["content"]
    assert [d.valid for d in record.decisions] == [False, True]
    assert len(record.llm_calls) == 2


async def test_two_invalid_outputs_give_none_not_an_exception() -> None:
    llm, record = ScriptedLLM(["not json", ""]), _record()
    value = await TurnLLM(llm, record).decide("route", [{"role": "user", "content": "x"}], Route)  # type: ignore[arg-type]
    assert value is None
    assert [d.error for d in record.decisions] == ["not valid JSON", "not valid JSON"]
