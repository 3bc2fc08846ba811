"""Shared fixtures: settings in a temporary folder, and the real local model server.

The local model is the real 0.5B GGUF served by llama.cpp on loopback; it is
started once per test session, only by tests that ask for it.
"""

from __future__ import annotations

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


@pytest.fixture(scope="session")
def local_llm(test_model_file: Path) -> Iterator[LocalLLMServer]:
    """The real local model server (0.5B) on a free loopback port, for the whole session."""
    settings = Settings(_env_file=None, llm={"local_model": TEST_MODEL, "models_dir": MODELS_DIR, "port": free_port()})  # type: ignore[call-arg, arg-type]
    server = LocalLLMServer(settings.llm, log_path=REPO / "var" / "test-llm-server.log")
    server.start()
    yield server
    server.stop()


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
