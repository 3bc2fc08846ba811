"""The running service for the page tests, and a real headless Chromium (Debian's, never a downloaded one).

The app runs under uvicorn on a free loopback port in a background thread, with the real 0.5B model, the
ingested test corpus and the retail commerce service (the fixtures of tests/chat). One service and one
assistant database serve the whole module, so the dashboard sees what the chat and console tests did.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.server.app import create_app
from assistant.settings import Settings
from tests.chat.conftest import SHOP_KEY, _port, knowledge_dir, retail_service, understanding_model_file
from tests.commerce.service import RunningCommerce
from tests.conftest import MODELS_DIR, REPO, TEST_MODEL, free_port
from tests.shops import shop_settings
from tests.understanding.small_model import understanding_settings

__all__ = ["knowledge_dir", "retail_service", "understanding_model_file"]

CHROMIUM = Path("/usr/bin/chromium")
OPERATOR_KEY = "test-operator-key"
SCREENSHOTS = REPO / "var" / "screenshots"


class Service:
    """The app served over real HTTP, with plain clients for the checks the tests make through the API."""

    def __init__(self, base_url: str, settings: Settings) -> None:
        self.base_url = base_url
        self.settings = settings

    def customer(self, customer_id: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, timeout=300, headers={"Authorization": f"Bearer {SHOP_KEY}", "X-Customer-Id": customer_id}
        )

    def operator(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=300, headers={"X-Operator-Key": OPERATOR_KEY})

    def agent(self, token: str) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=300, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="module")
def service(
    tmp_path_factory: pytest.TempPathFactory,
    local_llm: Any,
    knowledge_dir: Path,
    retail_service: RunningCommerce,
    understanding_model_file: Path,
) -> Iterator[Service]:
    import uvicorn

    retail_service.reset()
    folder = tmp_path_factory.mktemp("pages")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=folder,
        database={"url": f"sqlite:///{folder / 'assistant.db'}"},
        llm={"local_model": TEST_MODEL, "models_dir": MODELS_DIR, "port": _port(local_llm.base_url)},
        vector_store={"path": knowledge_dir / "chroma"},
        understanding=understanding_settings(understanding_model_file),
        shops=shop_settings(
            base_url=retail_service.base_url, commerce_key=retail_service.api_key, api_key=SHOP_KEY, operator_key=OPERATOR_KEY
        ),
        # A shared 2-core machine can take a minute for a cold prompt; the budget is not what is tested here.
        agent={"turn_seconds": 300.0},
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="pages-service", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the assistant did not start for the page tests")
        time.sleep(0.1)
    yield Service(f"http://127.0.0.1:{port}", settings)
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the page tests drive Debian's chromium (`apt-get install chromium`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


def screenshot(page: Any, name: str) -> Path:
    """Saves the whole page to var/screenshots/<name>.png (kept after the run, for people to look at)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
