"""The real 0.5B model's constrained decisions: always a valid object, and the right route on clear messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.agent.operations.extraction import NameSlots
from assistant.agent.router import route_messages
from assistant.agent.turn_llm import TurnLLM
from assistant.components.container import build_components
from assistant.conversations.records import TurnRecord
from tests.shops import operations
from tests.shops import prompts as shop_prompts

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]


@pytest.fixture
async def turn_llm(make_settings, local_llm):  # type: ignore[no-untyped-def]
    settings = make_settings(llm={"port": int(local_llm.base_url.rsplit(":", 1)[1].split("/")[0])})
    components = build_components(settings)
    yield TurnLLM(components.llm, TurnRecord(prompt_version="v1", language="en", customer_text="x")), components
    await components.close()


async def test_route_is_always_a_valid_action(turn_llm) -> None:  # type: ignore[no-untyped-def]
    llm, _ = turn_llm
    prompts = shop_prompts("retail")
    for text in (
        "Do you have this jacket in blue?",
        "你们的营业时间是什么？",
        "My account email changed, can you show my profile?",
    ):
        messages = route_messages(prompts, text=text, history=[], summary=None, operations=operations("retail"))
        value = await llm.decide("route", messages, operations("retail").route_model)
        assert value is not None, text  # constrained decoding: a valid object, first or second time


async def test_name_extraction(turn_llm) -> None:  # type: ignore[no-untyped-def]
    llm, _ = turn_llm
    prompts = shop_prompts("retail")
    value = await llm.decide(
        "extract_name", prompts.messages("extract_name", message="hello, this is yusuf rossi from 19122"), NameSlots
    )
    assert value is not None
    assert (value.first_name or "").lower() == "yusuf" and (value.last_name or "").lower() == "rossi"
