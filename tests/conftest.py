"""Shared fixtures: settings in a temporary folder, and the real local model server.

The local model is the real 0.5B GGUF served by llama.cpp on loopback; it is
started once per test session, only by tests that ask for it.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

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
