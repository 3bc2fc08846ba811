"""Shared fixtures: settings in a temporary folder, and the real local model server.

The local model is the real 0.5B GGUF served by llama.cpp on loopback; it is
started once per test session, only by tests that ask for it.
"""

from __future__ import annotations

import ast
import functools
import gc
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from assistant.components.llm.local_server import LocalLLMServer
from assistant.settings import Settings


def _parse_without_collection(parse):  # type: ignore[no-untyped-def]
    """`ast.parse` with the cyclic garbage collector paused while it runs.

    CPython 3.11 keeps the AST constructor's recursion depth in one per-interpreter
    counter (gh-106905, fixed in 3.12). If a collection runs in the middle of
    building an AST and a finalizer formats a traceback — 3.11's traceback module
    parses each line for its ^^^ markers; asyncio logs "Task exception was never
    retrieved" from a finalizer — the nested parse resets the counter and the outer
    one fails with "SystemError: AST constructor recursion depth mismatch". pytest
    parses sources to show every failure, so a run with many failures (a dead model
    server) died with INTERNALERROR and no summary. With collection paused, nothing
    runs inside the constructor: no finalizer, no signal handler, no other thread.
    """

    @functools.wraps(parse)
    def guarded(*args, **kwargs):  # type: ignore[no-untyped-def]
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return parse(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    guarded.collection_paused = True  # type: ignore[attr-defined]
    return guarded


if not getattr(ast.parse, "collection_paused", False):
    ast.parse = _parse_without_collection(ast.parse)

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
# Models are assembled once into the repo's var/ folder (by `assistant models prepare`
# or the first test that needs them) and shared by every test session.
MODELS_DIR = REPO / "var" / "models"
TEST_MODEL = "qwen2.5-coder-0.5b"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings whose every store lives under the test's temporary folder."""

    def build(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "data_dir": tmp_path,
            "vector_store": {"path": tmp_path / "chroma"},
            "database": {"url": f"sqlite:///{tmp_path / 'assistant.db'}"},
            "llm": {"local_model": TEST_MODEL, "models_dir": MODELS_DIR},
        }
        for key, value in overrides.items():
            if isinstance(value, dict) and isinstance(values.get(key), dict):
                values[key] = {**values[key], **value}  # type: ignore[dict-item]
            else:
                values[key] = value
        return Settings(_env_file=None, **values)  # type: ignore[arg-type, call-arg]

    return build


@pytest.fixture(scope="session")
def test_model_file() -> Path:
    """The assembled and verified 0.5B GGUF file."""
    from assistant.components.llm.model_files import assemble, packaged_model

    return assemble(packaged_model(TEST_MODEL), MODELS_DIR)


# The session's model server once started: the guard below asks it, without starting it, whether it still runs.
_session_llm: list[LocalLLMServer] = []


@pytest.fixture(scope="session")
def local_llm(test_model_file: Path) -> Iterator[LocalLLMServer]:
    """The real local model server (0.5B) on a free loopback port, for the whole session."""
    settings = Settings(_env_file=None, llm={"local_model": TEST_MODEL, "models_dir": MODELS_DIR, "port": free_port()})  # type: ignore[call-arg, arg-type]
    server = LocalLLMServer(settings.llm, log_path=REPO / "var" / "test-llm-server.log")
    server.start()
    _session_llm.append(server)
    yield server
    _session_llm.clear()
    server.stop()


@pytest.fixture(autouse=True)
def _model_server_alive(request: pytest.FixtureRequest) -> None:
    """A test that needs the model fails at once, naming the crash, when the session's server has died.

    Without this, every later model test fails its own slower way ("cannot be reached",
    an apology turn, a timeout) and the cause is buried under a hundred failures.
    """
    if _session_llm and "local_llm" in request.fixturenames:
        failure = _session_llm[0].failure()
        if failure is not None:
            pytest.fail(f"{failure} (the session's model server; log var/test-llm-server.log)", pytrace=False)


POSTGRES = "postgresql+psycopg://{user}@127.0.0.1:5432/test"


@contextmanager
def postgres_schema(prefix: str) -> Iterator[tuple[Engine, str]]:
    """A schema of its own on the local PostgreSQL, dropped afterwards: (an engine on the server, the schema).

    Skips the test when PostgreSQL is not reachable (CI and this machine run it on 127.0.0.1:5432).
    """
    server = None
    for user in ("postgres", "root"):
        try:
            server = create_engine(POSTGRES.format(user=user), pool_pre_ping=True)
            with server.connect():
                break
        except OperationalError:
            server = None
    if server is None:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with server.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield server, schema
    finally:
        with server.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        server.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A database URL on the local PostgreSQL whose tables land in a schema of their own."""
    with postgres_schema("t") as (server, schema):
        yield f"{server.url.render_as_string(hide_password=False)}?options=-csearch_path%3D{schema}"


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """An engine on the local PostgreSQL whose tables land in a schema of their own (no tables created)."""
    with postgres_schema("t") as (server, schema):
        yield server.execution_options(schema_translate_map={None: schema})
