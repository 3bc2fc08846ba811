"""The reply guard on the real 0.5B model's stream: a reply naming a tool is stopped, withdrawn and replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.agent.events import TokenEvent, TurnEvent
from assistant.agent.general import stream_guarded
from assistant.agent.reply_guard import ReplyGuard
from assistant.agent.turn_context import Turn, TurnRequest
from assistant.agent.turn_llm import TurnLLM
from assistant.components.container import build_components
from assistant.conversations.records import TurnRecord
from assistant.tools.texts import PromptTexts
from tests.shops import prompts as shop_prompts

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]
PROMPTS = shop_prompts("retail")
GUARD = ReplyGuard.of(PromptTexts(PROMPTS.folder / "texts"))
MAX_TOKENS = 200


@pytest.fixture
async def turn(make_settings, local_llm):  # type: ignore[no-untyped-def]
    from assistant.bootstrap import build_services

    settings = make_settings(llm={"port": int(local_llm.base_url.rsplit(":", 1)[1].split("/")[0])})
    services = build_services(settings, build_components(settings))
    record = TurnRecord(prompt_version="v1", language="en", customer_text="x")
    events: list[TurnEvent] = []

    async def emit(event: TurnEvent) -> None:
        events.append(event)

    request = TurnRequest(conversation_id="c", shop="retail", customer_id="u", text="x")
    shop = services.shops["retail"]
    yield Turn(request=request, shop=shop, record=record, llm=TurnLLM(services.components.llm, record), emit=emit), events
    await services.close()


def _repeat(sentence: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": "You repeat the user's text exactly, then explain it at great length."},
        {"role": "user", "content": f"Repeat exactly, then explain in detail: {sentence}"},
    ]


@pytest.mark.parametrize(
    ("sentence", "name", "reason"),
    [
        (
            "Sure, I can do that for you. I will call cancel_pending_order with your order now.",
            "cancel_pending_order",
            "tool_name",
        ),
        (
            "好的，我来帮您处理。请稍等，我会调用manage_ecard工具查询您的电子卡。",
            "manage_ecard",
            "identifier",
        ),  # the other shop's
    ],
)
async def test_a_streamed_reply_naming_a_tool_is_stopped_and_replaced(turn, sentence: str, name: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    current, events = turn
    answered = await stream_guarded(current.record, current.say, current.llm, _repeat(sentence), GUARD, max_tokens=MAX_TOKENS)
    assert answered is False
    (refused,) = [decision for decision in current.record.decisions if decision.kind == "reply_refused"]
    assert refused.payload["match"] == name and refused.payload["reason"] == reason
    streamed = "".join(event.text for event in events if isinstance(event, TokenEvent))
    assert name.split("_")[0] + "_" not in streamed, streamed  # nothing of the tool name went out
    # The model was stopped at the tool name, not left to write its long explanation.
    assert current.record.llm_calls[-1].tokens_out < MAX_TOKENS // 2, current.record.llm_calls[-1]
    # What the turn says next (agent/respond.py: the honest no-knowledge reply) is the whole stored reply.
    replacement = PROMPTS.phrase(current.language, "no_knowledge")
    await current.say(replacement)
    assert current.stored_reply() == replacement
    assert "".join(refused.payload["withdrawn"]) == streamed


async def test_a_clean_reply_streams_through_whole(turn) -> None:  # type: ignore[no-untyped-def]
    current, events = turn
    sentence = "You can return delivered items, and the refund goes to the way you paid."
    answered = await stream_guarded(current.record, current.say, current.llm, _repeat(sentence), GUARD, max_tokens=40)
    assert answered is True
    pieces = [event.text for event in events if isinstance(event, TokenEvent)]
    assert len(pieces) > 3 and current.stored_reply() == "".join(pieces).strip()
    assert "return delivered items" in current.stored_reply()
