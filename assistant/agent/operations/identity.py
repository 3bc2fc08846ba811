"""The shared first step of every account operation: who the customer is, checked the way the policy requires.

An email address, or a first and last name with a zip code, looked up with the
identity tools; the tools succeed only for the customer the shop signed in.
"""

from __future__ import annotations

from assistant.agent import slots
from assistant.agent.operations.base import OperationTurn
from assistant.agent.operations.extraction import extract_name
from assistant.agent.outcome import Outcome, ToolFailed

PHRASES = ("ask_identity", "identity_failed")


async def identify(turn: OperationTurn, verified_customer_id: str | None) -> tuple[str | None, Outcome | None]:
    """The verified customer id, or an outcome asking for the details the policy requires."""
    if verified_customer_id:
        return verified_customer_id, None
    found: str | None = None
    email = slots.email(turn.text)
    if email:
        found = await _find_user(turn, "find_user_id_by_email", email=email)
    zip_codes = slots.zip_codes(turn.text)[:2]
    if found is None and zip_codes:
        names = slots.names(turn.text)[:2]
        if not names:
            extracted = await extract_name(turn)
            names = [extracted] if extracted else []
        for (first, last), zip_code in ((n, z) for n in names for z in zip_codes):
            found = await _find_user(turn, "find_user_id_by_name_zip", first_name=first, last_name=last, zip=zip_code)
            if found:
                break
    if found is None:
        return None, asking(turn, failed=bool(email or zip_codes))
    return found, None


def asking(turn: OperationTurn, *, failed: bool = False) -> Outcome:
    return Outcome(route="identify", reply=turn.say("identity_failed" if failed else "ask_identity"))


async def _find_user(turn: OperationTurn, tool: str, **args: str) -> str | None:
    try:
        result = await turn.tools.read(tool, **args)
    except ToolFailed as exc:
        if exc.unavailable:
            raise
        return None
    # The tool succeeds only for the customer the shop signed in (another customer's match is "not found").
    return str(result.get("user_id")) if isinstance(result, dict) else str(result)
