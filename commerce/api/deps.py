"""Typed dependencies of the commerce routers: the caller's key, sessions, and idempotent writes.

Writes run through ``Writer``: one transaction that first looks up the request's
``Idempotency-Key``. A key seen before replays the stored first answer (and
changes nothing); a new key is stored together with the change, in the same
commit, so a retried write can never apply twice. A refusal rolls everything
back and stores nothing, so the same request may succeed later.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterator
from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.connectors.models import Refusal
from commerce.database import CommerceDatabase
from commerce.errors import CommerceError
from commerce.models import IdempotencyRow

REPLAYED_HEADER = "Idempotent-Replayed"


def database(request: Request) -> CommerceDatabase:
    return request.app.state.database  # type: ignore[no-any-return]


def require_api_key(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """Service-to-service auth: ``Authorization: Bearer <commerce.api_key>``; anything else is a 401."""
    expected = f"Bearer {request.app.state.api_key}"
    if authorization is None or not secrets.compare_digest(authorization.encode(), expected.encode()):
        raise CommerceError(401, Refusal.UNAUTHORIZED, "Missing or wrong API key")


def read_session(db: Annotated[CommerceDatabase, Depends(database)]) -> Iterator[Session]:
    with db.reader() as session:
        yield session


def acting_for(x_customer_id: Annotated[str | None, Header()] = None) -> str | None:
    """The customer the caller acts for (percent-encoded UTF-8, as ids are in any script); anyone else's data then
    answers 404, as if it did not exist."""
    return unquote(x_customer_id) if x_customer_id else None


ReadSession = Annotated[Session, Depends(read_session)]
ActingFor = Annotated[str | None, Depends(acting_for)]


class Writer:
    def __init__(self, db: CommerceDatabase, scope: str, key: str | None, customer_id: str | None) -> None:
        self.db = db
        self.scope = scope
        self.key = key
        self.customer_id = customer_id

    def run(
        self, action: Callable[[Session], BaseModel], body: BaseModel | None = None, *, status_code: int = 200
    ) -> JSONResponse:
        body_json = body.model_dump_json() if body is not None else ""
        request_hash = hashlib.sha256(f"{self.scope}\n{self.customer_id}\n{body_json}".encode()).hexdigest()
        with self.db.writer() as session:
            try:
                record = None
                if self.key:
                    stored = session.get(IdempotencyRow, self.key)
                    if stored is not None:
                        return _replay(stored, request_hash)
                    # Stored before the change: on PostgreSQL a concurrent request with the same key
                    # blocks on this row until the first commits, then fails here and replays.
                    record = IdempotencyRow(key=self.key, request_hash=request_hash)
                    session.add(record)
                    session.flush()
                payload = action(session).model_dump(mode="json")
                if record is not None:
                    record.status_code, record.body = status_code, payload
                session.commit()
            except CommerceError:
                session.rollback()
                raise
            except IntegrityError:
                session.rollback()
                return self._replay_committed(request_hash)
        return JSONResponse(payload, status_code=status_code)

    def _replay_committed(self, request_hash: str) -> JSONResponse:
        with self.db.reader() as session:
            stored = session.get(IdempotencyRow, self.key)
            if stored is None:
                raise CommerceError(409, Refusal.CONCURRENT_CHANGE, "A concurrent change got in the way; try again")
            return _replay(stored, request_hash)


def _replay(stored: IdempotencyRow, request_hash: str) -> JSONResponse:
    if stored.request_hash != request_hash:
        raise CommerceError(409, Refusal.IDEMPOTENCY_KEY_REUSED, "This Idempotency-Key was used for another request")
    return JSONResponse(stored.body, status_code=stored.status_code, headers={REPLAYED_HEADER: "true"})


def writer(
    request: Request,
    db: Annotated[CommerceDatabase, Depends(database)],
    customer_id: ActingFor,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> Writer:
    return Writer(db, f"{request.method} {request.url.path}", idempotency_key, customer_id)


WriteDep = Annotated[Writer, Depends(writer)]


def same_customer(customer_id: str, acting_for: str | None) -> None:
    """A caller acting for one customer sees no other customer, not even whether one exists."""
    if acting_for is not None and acting_for != customer_id:
        raise CommerceError(404, Refusal.CUSTOMER_NOT_FOUND, "customer not found")
