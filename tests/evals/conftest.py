"""Fixtures of the evaluation tests: a trained understanding model file (the small session model)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def understanding_model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from understanding.small_model import small_model

    path = tmp_path_factory.mktemp("understanding") / "model.joblib"
    small_model().model.save(path)
    return path


# The chat tests' session corpus (retail and Chinese policies, 6 banking documents, 2 products) and retail service.
from chat.conftest import knowledge_dir, retail_service  # noqa: E402, F401
