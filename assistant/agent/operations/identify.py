"""identify: the customer only gives their name, zip code or email; the runner's identity step has checked them."""

from __future__ import annotations

from assistant.agent.operations import identity
from assistant.agent.operations.base import Operation, OperationTurn
from assistant.agent.outcome import Outcome


async def identified(turn: OperationTurn, _user_id: str) -> Outcome:
    return Outcome(route="identify", reply=turn.say("identify.reply"))


OPERATION = Operation(
    name="identify",
    description="the customer only gives their name, zip code or email",
    handler=identified,
    phrases=("identify.reply", *identity.PHRASES),
)
