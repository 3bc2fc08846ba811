"""Which embedder serves what: retrieval's, the understanding heads' (one setting), and a missing model folder named."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.components.container import build_components
from assistant.components.embedding.embedder import build_embedder
from assistant.errors import ModelFileError
from assistant.settings import EmbeddingSettings, Settings
from tests.conftest import REPO


def test_by_default_the_heads_and_the_corrections_share_one_gemma_int8_beside_retrieval_use() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.embedding.packaged_model == "use-multilingual-v3"  # the knowledge base: light, collections exist
    assert settings.understanding.embedding_model == "embeddinggemma-300m-int8"  # the heads: accuracy within latency
    assert settings.understanding_embedding == settings.correction_embedding  # one copy in memory (built by equality)
    assert settings.understanding_embedding.threads == settings.embedding.threads


def test_with_the_light_model_for_both_one_embedder_serves_both(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(
        embedding={"packaged_model": "use-multilingual-v3"}, understanding={"embedding_model": "use-multilingual-v3"}
    )
    components = build_components(settings)
    assert components.settings.understanding_embedding is components.settings.embedding
    assert components.understanding_embedder() is components.embedder()  # one model in memory


def test_same_gives_the_heads_the_knowledge_base_embedder(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(embedding={"packaged_model": "embeddinggemma-300m"}, understanding={"embedding_model": "same"})
    assert settings.understanding_embedding is settings.embedding


def test_a_lighter_understanding_embedder_is_built_once_beside_the_retrieval_one(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(
        embedding={"packaged_model": "embeddinggemma-300m"}, understanding={"embedding_model": "use-multilingual-v3"}
    )
    assert settings.embedding.model_id == "packaged:embeddinggemma-300m"  # what collections record
    assert settings.understanding_embedding.model_id == "packaged:use-multilingual-v3"
    assert settings.understanding_embedding.threads == settings.embedding.threads

    components = build_components(settings)
    heads = components.understanding_embedder()  # USE only: retrieval's Gemma is not loaded for it
    assert heads.model_id == "packaged:use-multilingual-v3" and components._embedder is None
    assert components.understanding_embedder() is heads
    assert heads.embed(["我要退货"]).shape == (1, 512)


def test_naming_the_retrieval_model_for_understanding_is_the_same_embedder(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(understanding={"embedding_model": "use-multilingual-v3"})
    assert settings.understanding_embedding is settings.embedding


def test_an_unprepared_gemma_folder_is_refused_naming_the_command(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match=r"assistant models prepare --model embeddinggemma-300m"):
        build_embedder(EmbeddingSettings(packaged_model="embeddinggemma-300m"), tmp_path / "no-models")


def test_prepare_refuses_an_unknown_model_listing_every_packaged_one(tmp_path: Path) -> None:
    env = {**os.environ, "ASSISTANT_LLM__MODELS_DIR": str(tmp_path), "COLUMNS": "200"}
    run = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "models", "prepare", "--model", "gemma-7b", "--no-check"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "unknown packaged model gemma-7b" in run.stdout
    assert "qwen2.5-coder-0.5b" in run.stdout and "embeddinggemma-300m" in run.stdout
    assert list(tmp_path.iterdir()) == []
