"""Fixtures: the real commerce service of each shop on loopback, reset to its seed before each test."""

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


@pytest.fixture(scope="session")
def jd_service() -> Iterator[RunningCommerce]:
    service = acquire("jd_appliances")
    yield service
    release("jd_appliances")


@pytest.fixture
def jd(jd_service: RunningCommerce) -> Iterator[RunningCommerce]:
    """The Chinese appliance shop's service (its own policy and seed), reset to the seed."""
    jd_service.reset()
    yield jd_service
    jd_service.close_clients()
