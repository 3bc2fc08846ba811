"""How an agent task is played over the chat API: in one message, or by the scripted customer turn by turn.

Both return the transcript: per turn, the customer's message, the index of the ground-truth write it asks for (None
when the message is not about one write alone: the identity message, or a one-message task with several writes),
the reply, the write the reply proposes (name, arguments, and its description in the customer's words), the tools the
turn called, and whether a person was offered or took over. `play_turn` is one such turn (the Chinese shop's tasks
are played with it too: evals/suites/jd_play.py).
"""

from __future__ import annotations

from typing import Any

from assistant.errors import BadInputError
from evals.suites.chat_env import ChatEnvironment
from evals.suites.customer_script import Script
from evals.suites.scripted_customer import ScriptedCustomer

ONE_MESSAGE, MULTI_TURN = "one-message", "multi-turn"
FORMS = (ONE_MESSAGE, MULTI_TURN)
MAX_TURNS = 6  # one-message form: the message, then a "yes" to each proposed write
MAX_SCRIPTED_TURNS = 30  # multi-turn form: a bound on the scripted customer (its own bound is per request)


class ChatRefused(RuntimeError):
    """The chat API answered a task's message with an error status."""


async def play_turn(
    chat: ChatEnvironment, conversation: str, customer: str, text: str, request: int | None, number: int
) -> dict[str, Any]:
    try:
        result = await chat.say(conversation, customer, text)
    except BadInputError as exc:
        # The chat refused the message (too long, say): the task was not run, which is no success.
        raise ChatRefused(f"turn {number}: {exc.reason}: {exc.message}") from exc
    pending = result.pending_confirmation
    return {
        "request": request,
        "customer": text,
        "reply": result.reply,
        "turn_id": result.turn_id,
        "proposed": {"name": pending.name, "arguments": pending.arguments, "description": pending.description}
        if pending
        else None,
        "actions": [{"name": a.name, "kind": a.kind, "arguments": a.arguments, "ok": a.ok} for a in result.actions],
        "handoff": bool(result.handoff),
        "handoff_offered": bool(result.handoff_offered),
    }


async def play_one_message(
    chat: ChatEnvironment, conversation: str, customer: str, message: str, *, writes: int
) -> list[dict[str, Any]]:
    """The whole scenario as the first message, then "yes" to every proposed write (at most MAX_TURNS messages)."""
    request = 0 if writes == 1 else None
    transcript: list[dict[str, Any]] = []
    while len(transcript) < MAX_TURNS:
        turn = await play_turn(chat, conversation, customer, message, request, len(transcript) + 1)
        transcript.append(turn)
        if turn["proposed"] is None:
            break
        message = "yes"
    return transcript


async def play_multi_turn(chat: ChatEnvironment, conversation: str, customer: str, script: Script) -> list[dict[str, Any]]:
    """The scripted customer: identity, then each request in its own message, answering the assistant's questions."""
    player = ScriptedCustomer(script)
    transcript: list[dict[str, Any]] = []
    step: tuple[str, int | None] | None = player.opening()
    while step is not None and len(transcript) < MAX_SCRIPTED_TURNS:
        text, request = step
        turn = await play_turn(chat, conversation, customer, text, request, len(transcript) + 1)
        transcript.append(turn)
        step = player.answer(
            turn["reply"], proposed=turn["proposed"], handoff=turn["handoff"],
            handoff_offered=turn["handoff_offered"],
        )  # fmt: skip
    return transcript
