"""The operator's key: who may ingest documents, register agents and read the analytics.

`X-Operator-Key: <server.operator_key>`; 401 without it. In production the development
default key is refused, so an unconfigured deployment cannot be driven with it.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request

from assistant.errors import UnauthorizedError


def require_operator(
    request: Request, x_operator_key: Annotated[str | None, Header(description="The operator key.")] = None
) -> None:
    settings = request.app.state.settings
    expected = settings.server.operator_key.get_secret_value()
    if settings.server.environment == "production" and expected.startswith("dev-"):
        raise UnauthorizedError("the operator key is the development default, refused in production: set server.operator_key")
    if not x_operator_key or not hmac.compare_digest(x_operator_key.encode(), expected.encode()):
        raise UnauthorizedError("send the operator key as `X-Operator-Key: <key>`")


OperatorDep = Depends(require_operator)
