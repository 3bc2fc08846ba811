"""update_default_address: change the default address in the customer's profile (no order is touched)."""

from __future__ import annotations

from assistant.agent.operations import identity
from assistant.agent.operations.base import Operation, OperationTurn
from assistant.agent.operations.extraction import extract_address
from assistant.agent.outcome import Outcome


async def update_default_address(turn: OperationTurn, user_id: str) -> Outcome:
    address = await extract_address(turn)
    if address is None:
        return turn.reply("ask_address")
    return await turn.propose({"user_id": user_id, **address})


OPERATION = Operation(
    name="update_default_address",
    description="change the customer's default address in the profile",
    handler=update_default_address,
    words_en=r"\bdefault address\b",
    words_zh=r"默认地址",
    action="update_default_address",
    tools=("modify_user_address",),
    phrases=("ask_address", *identity.PHRASES, "confirm", "execute_failed"),
    intent_words=("change_address",),
)
