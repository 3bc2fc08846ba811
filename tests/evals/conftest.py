"""Fixtures of the evaluation tests: a trained understanding model file (the small session model), and settings for
a suite run on the real session model, the chat tests' corpus and the retail service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings


@pytest.fixture(scope="session")
def understanding_model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.understanding.small_model import small_model

    path = tmp_path_factory.mktemp("understanding") / "model.joblib"
    small_model().model.save(path)
    return path


@pytest.fixture
def suite_settings(
    make_settings: Callable[..., Settings],
    local_llm: Any,
    knowledge_dir: Path,  # noqa: F811  (the chat tests' fixture, imported below)
    retail_service: Any,  # noqa: F811
) -> Callable[..., Settings]:
    """`suite_settings(**overrides)`: the session's model server and corpus, plus the test's own settings."""

    def build(**overrides: Any) -> Settings:
        port = int(local_llm.base_url.rsplit(":", 1)[1].split("/")[0])
        return make_settings(llm={"port": port}, vector_store={"path": knowledge_dir / "chroma"}, **overrides)

    return build


# The chat tests' session corpus (the retail help centre and policies, the Chinese shop's policy, 2 products) and
# retail service.
from tests.chat.conftest import knowledge_dir, retail_service  # noqa: E402, F401
