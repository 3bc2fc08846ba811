"""The demo knowledge bases, ingested once per test session with the README's command in its own process:
`assistant ingest --demo` fills each shop's own collection from its profile (the retail shop: its help centre in
English and Chinese, the agent policy, tickets; the Chinese shop: its products and policy)."""

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

RETAIL_COLLECTION = "knowledge_retail"  # shops/retail/shop.toml
ECOM_COLLECTION = "knowledge_jd_appliances"  # shops/jd_appliances/shop.toml


@dataclass
class DemoCorpus:
    folder: Path
    first_run: dict
    second_run: dict
    first_seconds: float
    second_seconds: float
    retail_run: dict

    def settings(self, **knowledge: object) -> Settings:
        return Settings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=self.folder,
            vector_store={"path": self.folder / "chroma"},  # type: ignore[arg-type]
            database={"url": f"sqlite:///{self.folder / 'assistant.db'}"},  # type: ignore[arg-type]
            knowledge=knowledge,  # type: ignore[arg-type]
        )


def ingest_demo(folder: Path, *options: str) -> tuple[dict, float]:
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(folder),
        "ASSISTANT_VECTOR_STORE__PATH": str(folder / "chroma"),
        "ASSISTANT_DATABASE__URL": f"sqlite:///{folder / 'assistant.db'}",
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ingest", "--demo", *options],
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
    first, first_seconds = ingest_demo(folder)
    second, second_seconds = ingest_demo(folder)
    retail, _ = ingest_demo(folder, "--shop", "retail")
    return DemoCorpus(folder, first, second, first_seconds, second_seconds, retail)


@pytest.fixture(scope="session")
def demo_components(demo_corpus: DemoCorpus) -> Components:
    """The store holding both demo shops' collections (RETAIL_COLLECTION, ECOM_COLLECTION)."""
    return build_components(demo_corpus.settings())


@pytest.fixture(scope="session")
def ecom_components(demo_components: Components) -> Components:
    return demo_components


@pytest.fixture
def small_components(make_settings: Callable[..., Settings]) -> Components:
    """Components over an empty store of the test's own, re-checking the keyword index on every search."""
    return build_components(make_settings(knowledge={"keyword_refresh_seconds": 0}))
