"""Who is calling: a shop (by its API key) on behalf of one of its customers (by id).

The shop authenticates its own customers and calls the assistant for them; the
assistant trusts the shop for the customer's identity and scopes everything to
that shop and that customer. Missing or wrong credentials → 401. Account data is
still opened only after the identity check the shop's policy asks for.

Customer ids are in any script (the JD shop's `cnjd喜哥2号`). HTTP header values
are ASCII, so `X-Customer-Id` carries the id percent-encoded as UTF-8 (RFC 3986,
what JavaScript's `encodeURIComponent` produces: `cnjd%E5%96%9C%E5%93%A52%E5%8F%B7`);
a plain ASCII id is sent as it is, and raw UTF-8 bytes (what `curl -H` sends for
typed Chinese) are read as UTF-8 too. A literal `%` in an id is sent as `%25`.
"""

from __future__ import annotations

import hmac
import unicodedata
from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, Header, Request

from assistant.chat.service import Caller
from assistant.errors import UnauthorizedError
from assistant.settings import Settings

MAX_CUSTOMER_ID = 200
_HOW = "send the customer's id in the `X-Customer-Id` header, percent-encoded UTF-8 (encodeURIComponent) when not ASCII"


def authenticate(settings: Settings, authorization: str | None, customer_id: str | None) -> Caller:
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise UnauthorizedError("send the shop's API key as `Authorization: Bearer <key>`")
    shop = shop_for_key(settings, key.strip(), "api_key")
    if shop is None:
        raise UnauthorizedError("the API key is not valid")
    return Caller(shop=shop, customer_id=customer_id_of(customer_id))


def customer_id_of(header: str | None) -> str:
    """The customer id an `X-Customer-Id` header carries, decoded; 401 with the reason for one that is not an id."""
    if not header or not header.strip():
        raise UnauthorizedError(_HOW)
    try:
        # Starlette hands header bytes over as latin-1: raw UTF-8 bytes come back as they were sent.
        text = header.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise UnauthorizedError(f"the X-Customer-Id header is not UTF-8: {_HOW}") from None
    try:
        decoded = unquote(text, errors="strict")
    except UnicodeDecodeError:
        raise UnauthorizedError(f"X-Customer-Id is not valid percent-encoded UTF-8: {_HOW}") from None
    if not decoded.strip() or decoded != decoded.strip():
        raise UnauthorizedError(f"X-Customer-Id is empty or has spaces around it: {_HOW}")
    if len(decoded) > MAX_CUSTOMER_ID:
        raise UnauthorizedError(f"X-Customer-Id has {len(decoded)} characters after decoding; at most {MAX_CUSTOMER_ID}")
    if any(unicodedata.category(character) in ("Cc", "Cs") for character in decoded):
        raise UnauthorizedError("X-Customer-Id holds a control character: it is not a customer id")
    return decoded


def shop_for_key(settings: Settings, key: str, kind: str) -> str | None:
    """The shop whose `kind` key (`api_key`, `operator_key`) this is, or None."""
    found = None
    for shop, configured in settings.shops.items():
        secret = configured.api_key if kind == "api_key" else configured.operator_key
        # Compare with every key in constant time, so timing does not reveal which shop's key is close.
        if hmac.compare_digest(secret.get_secret_value().encode(), key.encode()):
            found = shop
    return found


def _caller(
    request: Request,
    authorization: Annotated[str | None, Header(description="`Bearer <shop API key>`")] = None,
    x_customer_id: Annotated[
        str | None, Header(description="The shop's id of the customer it calls for (percent-encoded UTF-8).")
    ] = None,
) -> Caller:
    return authenticate(request.app.state.settings, authorization, x_customer_id)


CallerDep = Annotated[Caller, Depends(_caller)]
