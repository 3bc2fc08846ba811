"""The operator's key: who may ingest documents, register agents and read the analytics — of one shop.

`X-Operator-Key: <shops.<name>.operator_key>`; 401 without it. The key is the
shop: an operator reaches that shop's knowledge collection, agents and figures,
and nothing of another shop. The settings refuse development keys in production.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from assistant.errors import UnauthorizedError
from assistant.server.chat.auth import shop_for_key


def operator_shop(
    request: Request, x_operator_key: Annotated[str | None, Header(description="The shop's operator key.")] = None
) -> str:
    """The shop whose operator key the request carries."""
    if not x_operator_key or not x_operator_key.strip():
        raise UnauthorizedError("send the shop's operator key as `X-Operator-Key: <key>`")
    shop = shop_for_key(request.app.state.settings, x_operator_key.strip(), "operator_key")
    if shop is None:
        raise UnauthorizedError("the operator key is not valid")
    return shop


OperatorShop = Annotated[str, Depends(operator_shop)]
