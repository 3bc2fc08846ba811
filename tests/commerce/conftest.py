"""Fixtures: the real retail commerce service on loopback, reset to the seed before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.commerce.service import RunningCommerce, acquire, release


@pytest.fixture(scope="session")
def retail_service() -> Iterator[RunningCommerce]:
    service = acquire("retail")
    yield service
    release("retail")


@pytest.fixture
def retail(retail_service: RunningCommerce) -> Iterator[RunningCommerce]:
    """The retail service with its database just reset to the seed."""
    retail_service.reset()
    yield retail_service
    retail_service.close_clients()
