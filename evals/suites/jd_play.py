"""How a Chinese-shop task is played over the chat API: its one message (every proposed write answered 确认), or its
scripted customer (evals/suites/jd_customer.py). Both return the transcript of `agent_play.play_turn`."""

from __future__ import annotations

from typing import Any

from evals.suites.agent_play import MAX_SCRIPTED_TURNS, MAX_TURNS, play_turn
from evals.suites.chat_env import ChatEnvironment
from evals.suites.jd_customer import PHRASES, JdCustomer
from evals.suites.jd_task_model import JdTask


async def play_jd_task(chat: ChatEnvironment, conversation: str, task: JdTask) -> list[dict[str, Any]]:
    if task.form == "multi_turn":
        return await _play_script(chat, conversation, task)
    phrases = PHRASES[task.language]
    message = task.openings[0]
    transcript: list[dict[str, Any]] = []
    while len(transcript) < MAX_TURNS:
        turn = await play_turn(chat, conversation, task.customer_id, message, 0, len(transcript) + 1)
        transcript.append(turn)
        if turn["handoff"]:
            break
        if turn["proposed"] is not None:
            message = phrases["yes"]
        elif turn["handoff_offered"] and task.handoff:  # a customer who wants a person says yes to one
            message = phrases["human"]
        else:
            break
    return transcript


async def _play_script(chat: ChatEnvironment, conversation: str, task: JdTask) -> list[dict[str, Any]]:
    customer = JdCustomer(task)
    transcript: list[dict[str, Any]] = []
    step: tuple[str, int] | None = customer.opening()
    while step is not None and len(transcript) < MAX_SCRIPTED_TURNS:
        text, request = step
        turn = await play_turn(chat, conversation, task.customer_id, text, request, len(transcript) + 1)
        transcript.append(turn)
        step = customer.answer(
            turn["reply"], proposed=turn["proposed"], handoff=turn["handoff"], handoff_offered=turn["handoff_offered"]
        )
    return transcript
