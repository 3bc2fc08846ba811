"""A loopback proxy in front of the real commerce service that fails chosen requests on purpose, until healed.

Every request is forwarded unchanged to the real service, except those a fault
matches (method and path, the path decoded and without its query). A fault is
a status or one of two transport failures:

- a 401 is the real service's own refusal: the request is forwarded with a
  revoked key, so the body and headers are exactly what the shop sends;
- any other status is answered by the proxy, as a crashed service would
  (`500 Internal Server Error`, plain text): the request never reaches the
  shop, so a failed write changes nothing there;
- `TIMEOUT`: the request is forwarded and the shop answers it, but the answer
  is held back longer than the client waits (`hold_seconds`), so the client
  gives up not knowing: a write has really been applied by the shop;
- `DROP`: the connection is closed without any answer, as a crashed or
  restarting service would; the request never reaches the shop.

`write_applied(fault)` says after which fault a write is applied all the same (`TIMEOUT`).
`heal()` drops every fault. `seen` logs each request with how it was answered.
Point the assistant at it with `through(settings, proxy)` (no read retries,
so a failing step fails at once, and the proxy's short `client_timeout`, so a
held answer times out fast); judge what ran by the shop's own state
(`shop_order`, `refund_count`), read from the service directly.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import httpx
import pytest

from assistant.settings import Settings
from tests.commerce.service import RunningCommerce
from tests.connectors.conftest import LoopbackServer

REVOKED_KEY = "revoked-commerce-key"
TIMEOUT: Literal["timeout"] = "timeout"
DROP: Literal["drop"] = "drop"
FaultKind = int | Literal["timeout", "drop"]  # an HTTP status, TIMEOUT or DROP
NO_ANSWER = 0  # `Seen.status` of a dropped request
_DROPPED_HEADERS = ("host", "content-length", "connection")
_KEPT_ANSWER_HEADERS = ("content-type", "idempotent-replayed")


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    method: str | None  # None: every method
    path: re.Pattern[str]

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and self.path.fullmatch(path) is not None


@dataclass(frozen=True)
class Seen:
    method: str
    path: str  # decoded, without the query: "/v1/orders/#W6247578/cancel"
    status: int  # the answer's; for TIMEOUT the shop's answer, withheld; NO_ANSWER when dropped
    injected: bool


def write_applied(fault: FaultKind) -> bool:
    """Whether the shop applied a write that failed by `fault` (only a timeout: the shop ran it, the answer was lost)."""
    return fault == TIMEOUT


class FaultProxy:
    """Forwards to `target`; `fail(fault, method, path)` makes matching requests fail, `heal()` ends that.

    `client_timeout` is the commerce timeout the client is given (`through`); a TIMEOUT fault holds
    the answer `hold_seconds`, twice that, so the client has surely given up.
    """

    def __init__(self, target: str, *, client_timeout: float = 1.0) -> None:
        self.client_timeout = client_timeout
        self.hold_seconds = 2 * client_timeout
        self._client = httpx.Client(base_url=target, timeout=30)
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.seen: list[Seen] = []
        self._server = LoopbackServer(self._respond)

    @property
    def base_url(self) -> str:
        return self._server.base_url

    def fail(self, fault: FaultKind, method: str | None = None, path: str = r".*") -> None:
        """Fail by `fault` the requests of `method` (any when None) whose decoded path fully matches the regex `path`."""
        if not (isinstance(fault, int) or fault in (TIMEOUT, DROP)):
            raise ValueError(f"not a fault: {fault!r}")
        with self._lock:
            self._faults.append(Fault(kind=fault, method=method, path=re.compile(path)))

    def heal(self) -> None:
        with self._lock:
            self._faults.clear()

    def count(self, method: str, path: str, *, injected: bool | None = None) -> int:
        """How many requests of `method` to a path fully matching `path` came in (only failed / passed ones if asked)."""
        pattern = re.compile(path)
        with self._lock:
            return sum(
                1
                for seen in self.seen
                if seen.method == method and pattern.fullmatch(seen.path) and (injected is None or seen.injected == injected)
            )

    def _respond(self, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict[str, str], bytes]:
        method, path = handler.command, unquote(urlsplit(handler.path).path)
        with self._lock:
            fault = next((fault.kind for fault in self._faults if fault.matches(method, path)), None)
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in _DROPPED_HEADERS}
        if fault == DROP:
            self._log(Seen(method, path, NO_ANSWER, injected=True))
            return _drop(handler)
        if isinstance(fault, int) and fault != 401:
            self._log(Seen(method, path, fault, injected=True))
            return fault, {"Content-Type": "text/plain"}, b"Internal Server Error"
        if fault == 401:
            headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            headers["Authorization"] = f"Bearer {REVOKED_KEY}"
        answer = self._client.request(method, handler.path, content=body, headers=headers)
        self._log(Seen(method, path, answer.status_code, injected=fault is not None))
        if fault == TIMEOUT:
            time.sleep(self.hold_seconds)  # the client has given up by now; the late answer goes nowhere
        kept = {k: v for k, v in answer.headers.items() if k.lower() in _KEPT_ANSWER_HEADERS}
        return answer.status_code, kept, answer.content

    def _log(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def __enter__(self) -> FaultProxy:
        self._server.__enter__()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.__exit__()
        self._client.close()


def _drop(handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
    """Close the connection with no answer: the client reads end of stream (the request was read in full, so no reset)."""
    handler.close_connection = True
    handler.connection.shutdown(socket.SHUT_RDWR)
    # What the server then writes fails at once (a broken pipe, which it ignores): nothing reaches the client.
    return 500, {}, b""


def through(settings: Settings, proxy: FaultProxy, shop: str = "retail") -> Settings:
    """The same settings with the shop's commerce service reached through `proxy`, reads not retried, the proxy's
    timeout."""
    configured = settings.shops[shop]
    commerce = configured.commerce.model_copy(
        update={"base_url": proxy.base_url, "retries": 0, "timeout_seconds": proxy.client_timeout}
    )
    return settings.model_copy(update={"shops": {**settings.shops, shop: configured.model_copy(update={"commerce": commerce})}})


@pytest.fixture
def commerce_faults(retail_service: RunningCommerce) -> Iterator[FaultProxy]:
    """A fault proxy in front of the session's retail service (import it into a test module as a fixture)."""
    with FaultProxy(retail_service.base_url) as proxy:
        yield proxy


def shop_order(service: RunningCommerce, order_id: str) -> dict[str, Any]:
    """The order as the shop holds it, read past the proxy."""
    response = service.client().get(f"/orders/{order_id.replace('#', '%23')}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def refund_count(order: dict[str, Any]) -> int:
    """Refunds in the order's payment history: a cancellation that ran once made exactly one."""
    return [payment["transaction_type"] for payment in order["payment_history"]].count("refund")
