"""Fixtures: the real retail commerce service, and tiny loopback HTTP servers that misbehave on purpose.

The misbehaving servers are fakes for units about something else (the
connector's reaction to slowness and 5xx); the service they stand in front of,
or next to, is the real one.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.commerce.service import RunningCommerce, acquire, release
from tests.conftest import free_port


@pytest.fixture(scope="session")
def retail_service() -> Iterator[RunningCommerce]:
    service = acquire("retail")
    yield service
    release("retail")


@pytest.fixture
def retail(retail_service: RunningCommerce) -> RunningCommerce:
    retail_service.reset()
    return retail_service


class LoopbackServer:
    """A threaded HTTP server on a free loopback port; ``respond(handler)`` decides every answer."""

    def __init__(self, respond: Callable[[BaseHTTPRequestHandler, bytes], tuple[int, dict[str, str], bytes]]) -> None:
        self.requests: Counter[str] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                server.requests[self.command] += 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, headers, payload = respond(self, body)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: exactly what the slow cases provoke

            do_GET = do_POST = do_PUT = do_PATCH = _any  # noqa: N815

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.port = free_port()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def delaying_proxy(target: str, delay: Callable[[str], float]) -> LoopbackServer:
    """Forwards every request to ``target`` at once, then holds the answer back ``delay(method)`` seconds."""
    client = httpx.Client(base_url=target, timeout=30)

    def respond(handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict[str, str], bytes]:
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("host", "content-length", "connection")}
        answer = client.request(handler.command, handler.path, content=body, headers=headers)
        time.sleep(delay(handler.command))
        keep = {k: v for k, v in answer.headers.items() if k.lower() in ("content-type", "idempotent-replayed")}
        return answer.status_code, keep, answer.content

    return LoopbackServer(respond)


def failing_server(status: int = 500) -> LoopbackServer:
    def respond(_handler: BaseHTTPRequestHandler, _body: bytes) -> tuple[int, dict[str, str], bytes]:
        return status, {"Content-Type": "text/plain"}, b"Internal Server Error"

    return LoopbackServer(respond)


@pytest.fixture(scope="session")
def jd_service() -> Iterator[RunningCommerce]:
    service = acquire("jd_appliances")
    yield service
    release("jd_appliances")


@pytest.fixture
def jd(jd_service: RunningCommerce) -> RunningCommerce:
    jd_service.reset()
    return jd_service
