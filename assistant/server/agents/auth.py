"""Who is calling the agent API: a human agent (bearer token) or an operator (operator key).

- Agents send `Authorization: Bearer <agent token>` (issued once at registration); a
  missing, unknown or deactivated token is 401. The agent belongs to one shop and
  reaches only that shop's handoffs, conversations, drafts and customers.
- Operators (who register a shop's agents) send that shop's `X-Operator-Key`, the
  same key as for its ingestion and analytics.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from assistant.errors import UnauthorizedError
from assistant.handoff.desk import AgentDesk
from assistant.handoff.models import AgentView
from assistant.server.operator_auth import OperatorShop

__all__ = ["AgentDep", "DeskDep", "OperatorShop"]


def _desk(request: Request) -> AgentDesk:
    return request.app.state.agent_desk  # type: ignore[no-any-return]


def _agent(
    request: Request,
    authorization: Annotated[str | None, Header(description="`Bearer <agent token>`")] = None,
) -> AgentView:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedError("send the agent's token as `Authorization: Bearer <token>`")
    return _desk(request).registry.authenticate(token.strip())


DeskDep = Annotated[AgentDesk, Depends(_desk)]
AgentDep = Annotated[AgentView, Depends(_agent)]
