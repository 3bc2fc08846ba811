"""Who is calling: a shop (by its API key) on behalf of one of its customers (by id).

The shop authenticates its own customers and calls the assistant for them; the
assistant trusts the shop for the customer's identity and scopes everything to
it. Missing or wrong credentials → 401. Account data is still opened only
after the identity check the store policy asks for (email, or name + zip).
"""

from __future__ import annotations

import hmac
import re
from typing import Annotated

from fastapi import Depends, Header, Request

from assistant.chat.service import Caller
from assistant.errors import UnauthorizedError
from assistant.settings import Settings

CUSTOMER_ID = re.compile(r"^[\w.@:+-]{1,200}$")


def authenticate(settings: Settings, authorization: str | None, customer_id: str | None) -> Caller:
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise UnauthorizedError("send the shop's API key as `Authorization: Bearer <key>`")
    shop = _shop_for(settings, key.strip())
    if shop is None:
        raise UnauthorizedError("the API key is not valid")
    if not customer_id or not CUSTOMER_ID.match(customer_id):
        raise UnauthorizedError("send the customer's id in the `X-Customer-Id` header (letters, digits, . _ @ : + -)")
    return Caller(shop=shop, customer_id=customer_id)


def _shop_for(settings: Settings, key: str) -> str | None:
    found = None
    for shop, secret in settings.server.api_keys.items():
        # Compare with every key in constant time, so timing does not reveal which shop's key is close.
        if hmac.compare_digest(secret.get_secret_value().encode(), key.encode()):
            found = shop
    return found


def _caller(
    request: Request,
    authorization: Annotated[str | None, Header(description="`Bearer <shop API key>`")] = None,
    x_customer_id: Annotated[str | None, Header(description="The shop's id of the customer it calls for.")] = None,
) -> Caller:
    return authenticate(request.app.state.settings, authorization, x_customer_id)


CallerDep = Annotated[Caller, Depends(_caller)]
