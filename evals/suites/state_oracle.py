"""The agent-tasks state check, tau2-bench's way: replay the ground truth's writes on a fresh copy of the seeded
commerce database, then compare that whole database with the one the agent left.

The gold database is written by the commerce service's own code (its order and CRM services, in process, over a copy
of the seeded template the agent's service started from), as tau2 replays the gold actions through the domain's own
tools: the two databases differ only where the agent's writes differ from the ground truth's, never because a second
implementation of the policy's arithmetic disagrees. (tests/tools/replay_oracle.py is that second implementation, on
purpose: it checks the service against the policy, and the replay test checks this oracle against the tools.)

A ground-truth write the service refuses (the data set has a few that pay with a gift card too small) leaves the gold
database without it; as in tau2, a match against such an incomplete gold state is not certified (`db_match` None),
and a mismatch stays a mismatch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.orm import Session

from assistant.connectors.models import Address
from commerce.database import CommerceDatabase, copy_sqlite, open_database
from commerce.errors import CommerceError
from commerce.services.crm import CRMService
from commerce.services.orders import OrderService
from evals.suites.agent_data import HANDOFF, READ_PREFIXES
from evals.suites.db_state import RowDifference, compare_databases

# Ground-truth actions that change nothing in the shop's database: the human transfer is the assistant's own queue.
NO_SHOP_STATE = frozenset({HANDOFF, "request_human_agent_transfer"})
BRIEF_DIFFERENCES = 10


class GroundTruthError(ValueError):
    """A ground-truth action the oracle cannot replay: an unknown write, or arguments that do not fit it."""


@runtime_checkable
class InspectableCommerce(Protocol):
    """A reference commerce service whose SQLite files can be read: the seeded template and the live database."""

    @property
    def template(self) -> Path: ...

    @property
    def db_path(self) -> Path: ...


# --- the ground truth's writes, as the commerce service runs them ---


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _OrderArgs(_Args):
    order_id: str


class _AddressArgs(_Args):
    address1: str
    address2: str
    city: str
    state: str
    country: str
    zip: str

    def address(self) -> Address:
        return Address(**self.model_dump(include=set(Address.model_fields)))


class _Cancel(_OrderArgs):
    reason: str


class _OrderAddress(_OrderArgs, _AddressArgs):
    pass


class _UserAddress(_AddressArgs):
    user_id: str


class _Payment(_OrderArgs):
    payment_method_id: str


class _Return(_Payment):
    item_ids: list[str]


class _Change(_Return):
    new_item_ids: list[str]


_Replay = Callable[[Session, Any], object]
WRITES: dict[str, tuple[type[_Args], _Replay]] = {
    "cancel_pending_order": (_Cancel, lambda s, a: OrderService(s).cancel(a.order_id, a.reason, None)),
    "modify_pending_order_address": (
        _OrderAddress,
        lambda s, a: OrderService(s).modify_address(a.order_id, a.address(), None),
    ),
    "modify_pending_order_payment": (
        _Payment,
        lambda s, a: OrderService(s).modify_payment(a.order_id, a.payment_method_id, None),
    ),
    "modify_pending_order_items": (
        _Change,
        lambda s, a: OrderService(s).modify_items(a.order_id, a.item_ids, a.new_item_ids, a.payment_method_id, None),
    ),
    "return_delivered_order_items": (
        _Return,
        lambda s, a: OrderService(s).return_items(a.order_id, a.item_ids, a.payment_method_id, None),
    ),
    "exchange_delivered_order_items": (
        _Change,
        lambda s, a: OrderService(s).exchange_items(a.order_id, a.item_ids, a.new_item_ids, a.payment_method_id, None),
    ),
    "modify_user_address": (_UserAddress, lambda s, a: CRMService(s).modify_address(a.user_id, a.address())),
}


@dataclass(frozen=True)
class _Write:
    name: str
    arguments: _Args

    def apply(self, session: Session) -> None:
        WRITES[self.name][1](session, self.arguments)

    def label(self) -> str:
        target = getattr(self.arguments, "order_id", None) or getattr(self.arguments, "user_id", "")
        return f"{self.name} {target}"


def parse_actions(actions: Sequence[Mapping[str, Any]]) -> list[_Write]:
    """The writes among `{name, arguments}` actions, checked before anything runs; reads and handoffs are skipped."""
    writes = []
    for number, action in enumerate(actions, 1):
        if not isinstance(action, Mapping) or not isinstance(action.get("name"), str):
            raise GroundTruthError(f"action {number}: expected {{'name': str, 'arguments': {{...}}}}, got {action!r}")
        name, arguments = action["name"], action.get("arguments") or {}
        if name.startswith(READ_PREFIXES) or name in NO_SHOP_STATE:
            continue
        if name not in WRITES:
            raise GroundTruthError(f"action {number}: {name!r} is not a write the oracle knows ({', '.join(sorted(WRITES))})")
        try:
            writes.append(_Write(name, WRITES[name][0].model_validate(arguments)))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in exc.errors())
            raise GroundTruthError(f"action {number} ({name}): {problems}") from exc
    return writes


# --- the check ---


@dataclass(frozen=True)
class StateCheck:
    """The agent's database against the gold one: `db_match` (None when the gold replay had a refused write and the
    states match, so the match certifies nothing), every differing row, and the ground-truth writes refused."""

    db_match: bool | None
    differences: list[RowDifference] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def brief(self, limit: int = BRIEF_DIFFERENCES) -> list[str]:
        lines = [difference.brief() for difference in self.differences[:limit]]
        if len(self.differences) > limit:
            lines.append(f"… and {len(self.differences) - limit} more rows")
        return lines


class StateOracle:
    """Replays ground truths on a copy of the seeded template and compares the result with a database the agent
    left. One gold file in `work_dir`, restored from the template for every task; use it in a `with` block."""

    def __init__(self, template: Path, work_dir: Path) -> None:
        if not template.is_file():
            raise FileNotFoundError(f"no seeded commerce template at {template}")
        self._template = template
        self._gold = work_dir.resolve() / "gold.db"
        self._database: CommerceDatabase | None = None

    @classmethod
    def for_commerce(cls, commerce: InspectableCommerce, work_dir: Path) -> StateOracle:
        return cls(commerce.template, work_dir)

    @property
    def gold_path(self) -> Path:
        return self._gold

    def replay(self, actions: Sequence[Mapping[str, Any]]) -> list[str]:
        """Write the gold database: the template, then each ground-truth write in order. Returns the refused ones."""
        writes = parse_actions(actions)  # a malformed ground truth fails here, before the gold file is touched
        copy_sqlite(self._template, self._gold)
        if self._database is None:
            self._database = open_database(f"sqlite:///{self._gold}")
        refused = []
        for write in writes:
            with self._database.writer() as session:
                try:
                    write.apply(session)
                    session.commit()
                except CommerceError as exc:  # as the service's own writer: a refusal changes nothing
                    session.rollback()
                    refused.append(f"{write.label()}: {exc.reason}")
        return refused

    def check(self, actions: Sequence[Mapping[str, Any]], agent_database: Path) -> StateCheck:
        """Replay `actions` and compare the gold database with `agent_database` (the live file, after the task)."""
        refused = self.replay(actions)
        differences = compare_databases(self._gold, agent_database)
        match = not differences
        return StateCheck(db_match=None if match and refused else match, differences=differences, refused=refused)

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()
            self._database = None

    def __enter__(self) -> StateOracle:
        self._gold.parent.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None) -> None:
        self.close()
