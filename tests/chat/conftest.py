"""End-to-end fixtures: the real 0.5B model, real Chroma with a small ingested corpus, the real commerce service.

The corpus is ingested once per session through the ingestion library, each shop's
documents into its own collection: the retail help centre in English and Chinese
(customer-facing) and the retail policy (internal) into the retail shop's; the
Chinese shop's policy (internal) and two of its products (customer-facing) into the
Chinese shop's; the two products also into the default collection of no shop (the
retrieval suite's corpus). Each test gets its own assistant database and a commerce
database reset to the seed. The chat tests serve the retail shop alone.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from assistant.components.container import Components, build_components
from assistant.server.app import create_app
from assistant.settings import Settings
from tests.commerce.service import RunningCommerce, acquire, release
from tests.conftest import DATA, free_port
from tests.shops import shop, shop_settings, with_shop
from tests.understanding.small_model import understanding_settings

SHOP_KEY = "test-shop-key"
JD_KEY = "test-jd-shop-key"
CUSTOMER = "yusuf_rossi_9620"  # retail seed: Yusuf Rossi, zip 19122, orders #W2378156 (delivered), #W4776164 (pending)…
PRODUCTS = 2  # the Midea F6033 60-litre water heater and a 6.6-litre one


@pytest.fixture(scope="session")
def retail_service() -> Iterator[RunningCommerce]:
    service = acquire("retail")
    yield service
    release("retail")


@pytest.fixture(scope="session")
def jd_service() -> Iterator[RunningCommerce]:
    service = acquire("jd_appliances")
    yield service
    release("jd_appliances")


@pytest.fixture
def jd_settings(chat_settings: Settings, jd_service: RunningCommerce) -> Settings:
    """The chat tests' settings with the JD shop served too, over its own reference service (reset to its seed)."""
    jd_service.reset()
    return with_shop(
        chat_settings, "jd_appliances", base_url=jd_service.base_url, commerce_key=jd_service.api_key, api_key=JD_KEY
    )


def jd_customer(http: httpx.AsyncClient, customer: str) -> None:
    """The client speaks for `customer` of the JD shop: its key, the id percent-encoded (Chinese ids)."""
    http.headers.update({"Authorization": f"Bearer {JD_KEY}", "X-Customer-Id": quote(customer, safe="")})


@pytest.fixture(scope="session")
def knowledge_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Chroma folder holding the test corpus, ingested once."""
    from ingest.pipeline import IngestPipeline

    folder = tmp_path_factory.mktemp("knowledge")
    settings = Settings(_env_file=None, data_dir=folder, vector_store={"path": folder / "chroma"})  # type: ignore[call-arg, arg-type]
    components = build_components(settings)
    retail = IngestPipeline(components, shop("retail").profile.collection)
    retail.run([DATA / "retail" / "help_centre.md", DATA / "retail" / "help_centre_zh.md"], "policy", audience="customer")
    retail.run([DATA / "retail" / "policy.md"], "policy", audience="internal")
    jd = IngestPipeline(components, shop("jd_appliances").profile.collection)
    jd.run([DATA / "ecom_store" / "policy_zh.md"], "policy", audience="internal")
    products = json.loads((DATA / "ecom_store" / "products.json").read_text(encoding="utf-8"))
    platform, shops = next(iter(products.items()))
    name, items = next(iter(shops.items()))
    sample = folder / "products_sample.json"
    sample.write_text(json.dumps({platform: {name: dict(list(items.items())[:PRODUCTS])}}, ensure_ascii=False), encoding="utf-8")
    jd.run([sample], "product")
    IngestPipeline(components).run([sample], "product")
    components.engine.dispose()
    return folder


@pytest.fixture(scope="session")
def understanding_model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's small real understanding model (tests/understanding/small_model.py), saved as the service loads it."""
    from tests.understanding.small_model import small_model

    path = tmp_path_factory.mktemp("understanding") / "model.joblib"
    small_model().model.save(path)
    return path


@pytest.fixture
def chat_settings(
    make_settings: Callable[..., Settings],
    local_llm: Any,
    knowledge_dir: Path,
    retail_service: RunningCommerce,
    understanding_model_file: Path,
) -> Settings:
    retail_service.reset()
    return make_settings(**chat_overrides(knowledge_dir, retail_service, understanding_model_file, _port(local_llm.base_url)))


def chat_overrides(
    knowledge_dir: Path, retail_service: RunningCommerce, understanding_model_file: Path, llm_port: int
) -> dict[str, Any]:
    """The chat tests' settings: the test corpus, the seeded shop, the small understanding model, a model server's port."""
    return {
        "understanding": understanding_settings(understanding_model_file),
        "llm": {"port": llm_port},
        "vector_store": {"path": knowledge_dir / "chroma"},
        "shops": shop_settings(base_url=retail_service.base_url, commerce_key=retail_service.api_key, api_key=SHOP_KEY),
        # A shared 2-core machine can take a minute for a cold prompt; the budget is not what is tested here.
        "agent": {"turn_seconds": 300.0},
    }


def column(settings: Settings, sql: str, **parameters: Any) -> list[Any]:
    """The first column of a query on the assistant's database (what a test reads back of the stored turns)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(settings.database.url)
    with engine.connect() as connection:
        rows = list(connection.execute(text(sql), parameters).scalars().all())
    engine.dispose()
    return rows


def failure_causes(settings: Settings) -> list[str]:
    """What each failed turn recorded as its cause."""
    return [str(row) for row in column(settings, "SELECT failure_cause FROM turns WHERE status = 'failed'")]


@pytest.fixture
async def client(chat_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(chat_settings) as http:
        yield http


class app_client:  # noqa: N801 - used like a function in `async with`
    """An HTTP client on a fresh app (its lifespan run, so turns finish and connections close)."""

    def __init__(self, settings: Settings, customer: str = CUSTOMER, components: Components | None = None) -> None:
        self.app = create_app(settings, components)
        self.customer = customer

    async def __aenter__(self) -> httpx.AsyncClient:
        self._lifespan = self.app.router.lifespan_context(self.app)
        await self._lifespan.__aenter__()
        self._http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://assistant",
            headers={"Authorization": f"Bearer {SHOP_KEY}", "X-Customer-Id": self.customer},
            timeout=300,
        )
        return self._http

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()
        await self._lifespan.__aexit__(None, None, None)


def _port(base_url: str) -> int:
    return int(base_url.rsplit(":", 1)[1].split("/")[0])


async def new_conversation(http: httpx.AsyncClient) -> str:
    response = await http.post("/v1/conversations")
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def say(http: httpx.AsyncClient, conversation_id: str, text: str) -> dict[str, Any]:
    response = await http.post(f"/v1/conversations/{conversation_id}/messages", json={"content": text})
    assert response.status_code == 200, response.text
    return dict(response.json())


def sse_events(body: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in fields:
            events.append((fields.get("event", "message"), json.loads(fields["data"])))
    return events


@pytest.fixture
def offline_settings(make_settings: Callable[..., Settings]) -> Settings:
    """No model server, no commerce service (closed loopback ports): for input checks and failure paths."""
    return make_settings(
        llm={"port": free_port(), "timeout_seconds": 5.0},
        shops=shop_settings(
            base_url=f"http://127.0.0.1:{free_port()}",
            commerce_key="test-commerce-key",
            api_key=SHOP_KEY,
            retries=0,
            timeout_seconds=2.0,
        ),
    )
