"""The demo knowledge base (banking documents, Chinese products, retail and Chinese policies, retail tickets),
ingested once per test session with the README's command, `assistant ingest --demo`, in its own process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.components.container import Components, build_components
from assistant.settings import Settings
from tests.conftest import REPO


@dataclass
class DemoCorpus:
    folder: Path
    first_run: dict
    second_run: dict
    first_seconds: float
    second_seconds: float

    def settings(self, **knowledge: object) -> Settings:
        return Settings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=self.folder,
            vector_store={"path": self.folder / "chroma"},  # type: ignore[arg-type]
            database={"url": f"sqlite:///{self.folder / 'assistant.db'}"},  # type: ignore[arg-type]
            knowledge=knowledge,  # type: ignore[arg-type]
        )


def _ingest_demo(folder: Path) -> tuple[dict, float]:
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(folder),
        "ASSISTANT_VECTOR_STORE__PATH": str(folder / "chroma"),
        "ASSISTANT_DATABASE__URL": f"sqlite:///{folder / 'assistant.db'}",
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ingest", "--demo"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout), seconds


@pytest.fixture(scope="session")
def demo_corpus(tmp_path_factory: pytest.TempPathFactory) -> DemoCorpus:
    folder = tmp_path_factory.mktemp("demo-knowledge")
    first, first_seconds = _ingest_demo(folder)
    second, second_seconds = _ingest_demo(folder)
    return DemoCorpus(folder, first, second, first_seconds, second_seconds)


@pytest.fixture(scope="session")
def demo_components(demo_corpus: DemoCorpus) -> Components:
    return build_components(demo_corpus.settings())


@pytest.fixture
def small_components(make_settings: Callable[..., Settings]) -> Components:
    """Components over an empty store of the test's own, re-checking the keyword index on every search."""
    return build_components(make_settings(knowledge={"keyword_refresh_seconds": 0}))
