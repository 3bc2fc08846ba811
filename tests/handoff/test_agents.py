"""Agents: a token is shown once and kept only as a hash; unknown, empty or deactivated tokens are refused."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assistant.errors import ConflictError, NotFoundError, UnauthorizedError
from assistant.handoff.agents import AgentRegistry
from assistant.handoff.tables import AgentRow
from tests.handoff.conftest import SHOP


def test_the_token_is_kept_only_as_its_hash(engine: Engine, registry: AgentRegistry) -> None:
    ann, token = registry.register(shop=SHOP, name="ann", skills=["refunds"], languages=["zh", "en", "en"], max_active=2)
    other, other_token = registry.register(shop=SHOP, name="bo", skills=[], languages=["en"], max_active=1)
    assert token != other_token and len(token) >= 40
    with Session(engine) as session:
        rows = session.scalars(select(AgentRow)).all()
        stored = " ".join(f"{row.token_sha256} {row.name} {row.skills} {row.languages}" for row in rows)
    assert token not in stored and other_token not in stored
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert registry.authenticate(token) == ann
    assert (ann.languages, ann.max_active, ann.load, ann.active) == (["en", "zh"], 2, 0, True)
    assert registry.authenticate(other_token).id == other.id


def test_wrong_tokens_and_names(registry: AgentRegistry) -> None:
    ann, token = registry.register(shop=SHOP, name="ann", skills=[], languages=["en"], max_active=1)
    for wrong in ("", token[:-1], token + "x", token.upper()):
        with pytest.raises(UnauthorizedError):
            registry.authenticate(wrong)
    with pytest.raises(ConflictError):
        registry.register(shop=SHOP, name="ann", skills=[], languages=["zh"], max_active=1)
    registry.set_active(agent_id=ann.id, shop=SHOP, active=False)
    with pytest.raises(UnauthorizedError) as inactive:
        registry.authenticate(token)
    assert inactive.value.reason == "agent_inactive"
    assert registry.set_active(agent_id=ann.id, shop=SHOP, active=True).active
    assert registry.authenticate(token).id == ann.id
    with pytest.raises(NotFoundError):
        registry.set_active(agent_id="nobody", shop=SHOP, active=False)
