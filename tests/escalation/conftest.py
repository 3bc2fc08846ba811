from __future__ import annotations

import pytest

from assistant.settings import UnderstandingSettings
from assistant.understanding import MessageUnderstanding
from tests.understanding.small_model import SmallModel, small_model


@pytest.fixture(scope="session")
def trained() -> SmallModel:
    return small_model()


@pytest.fixture(scope="session")
def understanding(trained: SmallModel) -> MessageUnderstanding:
    return MessageUnderstanding.from_model(trained.model, UnderstandingSettings(), trained.embedder)
