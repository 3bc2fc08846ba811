"""The shared first step of every account operation: who the customer is, checked the way the shop's policy requires.

The shop's profile names its identity methods, in the order they are tried and
asked for (`identity.methods` in shop.toml):

- `email`; `name_zip` (first and last name with a zip code): looked up in the CRM;
- `phone`: the phone number on the account, found with the shop's phone pattern and looked up in the CRM;
- `platform_user_id`: the customer types the user id the shop signed them in with; it must be that same id;
- `platform_login`: the shop's own sign-in (X-Customer-Id) counts as verified from the first message.

Each look-up goes through the identity tools, which succeed only for the customer
the shop signed in: another customer's details are "not found", like unknown ones.
A customer is asked only for what their shop knows (a JD customer never for an
email or a zip code).
"""

from __future__ import annotations

import re

from assistant.agent import slots
from assistant.agent.operations.base import OperationTurn
from assistant.agent.operations.extraction import extract_name
from assistant.agent.outcome import Outcome, ToolFailed

PHRASES = ("ask_identity", "identity_failed")
# "我的用户名是…", "my user id is …": what a customer typing their platform id says before it.
_USER_ID_CUE = re.compile(
    r"(?:用户名|用户\s*id|用户ID|账号|账户名|会员名|user\s*(?:id|name)|username|login)\s*(?:是|为|:|：|is)?\s*([^\s，,。；;！!？?]+)",
    re.IGNORECASE,
)


async def identify(turn: OperationTurn, verified_customer_id: str | None) -> tuple[str | None, Outcome | None]:
    """The verified customer id, or an outcome asking for the details the shop's policy requires."""
    if verified_customer_id:
        return verified_customer_id, None
    attempted = False
    for method in turn.offered.identity.methods:
        found, tried = await _by(method, turn)
        if found is not None:
            return found, None
        attempted = attempted or tried
    return None, asking(turn, failed=attempted)


async def _by(method: str, turn: OperationTurn) -> tuple[str | None, bool]:
    """(the customer verified by `method`, whether the message tried it at all)."""
    text = turn.text
    match method:
        case "platform_login":
            signed_in = turn.tools.context.authenticated_customer_id
            if signed_in is None:
                return None, False
            turn.tools.context.verified_customer_id = signed_in
            return signed_in, False
        case "email":
            email = slots.email(text)
            return (await _find_user(turn, "find_user_id_by_email", email=email) if email else None), bool(email)
        case "phone":
            for phone in turn.offered.identity.phones(text)[:2]:
                found = await _find_user(turn, "find_user_id_by_phone", phone=phone)
                if found:
                    return found, True
            return None, bool(turn.offered.identity.phones(text))
        case "platform_user_id":
            return await _by_platform_user_id(turn)
        case "name_zip":
            return await _by_name_zip(turn)
    return None, False


async def _by_name_zip(turn: OperationTurn) -> tuple[str | None, bool]:
    zip_codes = slots.zip_codes(turn.text)[:2]
    if not zip_codes:
        return None, False
    names = slots.names(turn.text)[:2]
    if not names:
        extracted = await extract_name(turn)
        names = [extracted] if extracted else []
    for (first, last), zip_code in ((n, z) for n in names for z in zip_codes):
        found = await _find_user(turn, "find_user_id_by_name_zip", first_name=first, last_name=last, zip=zip_code)
        if found:
            return found, True
    return None, True


async def _by_platform_user_id(turn: OperationTurn) -> tuple[str | None, bool]:
    """The signed-in customer's own platform id, typed in the message (exactly: ids are in any script)."""
    signed_in = turn.tools.context.authenticated_customer_id
    if signed_in and signed_in in turn.text:
        return await _find_user(turn, "verify_platform_user_id", user_id=signed_in), True
    typed = _USER_ID_CUE.search(turn.text)
    if typed is None:
        return None, False
    # Another id after "my user id is": checked the same way, so the answer is the same "does not match".
    return await _find_user(turn, "verify_platform_user_id", user_id=typed.group(1)), True


def asking(turn: OperationTurn, *, failed: bool = False) -> Outcome:
    """Ask for the shop's identity details (naming only the methods it has), or say the given ones did not match."""
    key = "identity_failed" if failed else "ask_identity"
    group = "identity_checks" if failed else "identity_methods"
    methods = [turn.say(f"{group}.{method}") for method in turn.offered.identity.methods if method != "platform_login"]
    return Outcome(route="identify", reply=turn.say(key, methods=methods))


async def _find_user(turn: OperationTurn, tool: str, **args: str) -> str | None:
    try:
        result = await turn.tools.read(tool, **args)
    except ToolFailed as exc:
        if exc.unavailable:
            raise
        return None
    # The tool succeeds only for the customer the shop signed in (another customer's match is "not found").
    return str(result.get("user_id")) if isinstance(result, dict) else str(result)
