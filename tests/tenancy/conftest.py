"""Two shops served by one assistant, each with its own keys, backend, knowledge, customers, agents and history.

The world is built once per module through the HTTP API, with the second shop's keys: the JD appliance shop (B)
has a conversation of its customer (identified by phone, an order status told, a handoff asked for), an agent of
its own who corrected an answer, a draft, and an ingestion job that put a document only B has into B's collection.
The retail shop (A) has its own agent and conversation. Every probe then uses A's credentials against B's things:
by id (B's real ids, guessed ones) and by injection (a customer message asking for B's data), and asserts on the
data that nothing of B was reached and nothing of B changed.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import create_engine, text

from assistant.drafts.models import CustomerContext, DraftView, Variant
from assistant.drafts.store import DraftStore
from assistant.server.app import create_app
from assistant.settings import Settings
from tests.chat.conftest import knowledge_dir, understanding_model_file  # noqa: F401  (fixtures)
from tests.commerce.service import RunningCommerce, acquire, release
from tests.shops import shop_settings
from tests.understanding.small_model import understanding_settings

KEYS = {
    "retail": {"api_key": "probe-retail-shop-key", "operator_key": "probe-retail-operator-key"},
    "jd_appliances": {"api_key": "probe-jd-shop-key", "operator_key": "probe-jd-operator-key"},
}
RETAIL_CUSTOMER = "yusuf_rossi_9620"
JD_CUSTOMER = "cnjdwdnipzaorvgkymr"  # phone 12810332319, order 312705335872 (已付款), 京东E卡
JD_ORDER = "312705335872"
# What only the JD shop knows of its customer (never said by a probe): the name and street on the order, the order's
# status and item, the payment; and a document only it has ingested.
JD_SECRETS = ("彭穆清", "天元西路", "已付款", "F6033-JE6", "京东E卡")
JD_DOCUMENT_SECRET = "紫晶独角兽延保计划"


@dataclass
class World:
    settings: Settings
    http: httpx.AsyncClient
    app: Any
    jd_conversation: str = ""
    jd_answer_message: int = 0
    jd_handoff: str = ""
    jd_agent: str = ""
    jd_agent_token: str = ""
    jd_correction: str = ""
    jd_draft: str = ""
    jd_job: str = ""
    jd_document: Path = field(default_factory=Path)
    retail_agent: str = ""
    retail_agent_token: str = ""
    retail_conversation: str = ""

    # --- credentials -----------------------------------------------------------------------------------------------

    def customer(self, shop: str, customer: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {KEYS[shop]['api_key']}", "X-Customer-Id": quote(customer, safe="")}

    def operator(self, shop: str) -> dict[str, str]:
        return {"X-Operator-Key": KEYS[shop]["operator_key"]}

    def agent(self, shop: str) -> dict[str, str]:
        token = self.retail_agent_token if shop == "retail" else self.jd_agent_token
        return {"Authorization": f"Bearer {token}"}

    # --- what is stored --------------------------------------------------------------------------------------------

    def rows(self, sql: str, **parameters: Any) -> list[tuple[Any, ...]]:
        engine = create_engine(self.settings.database.url)
        with engine.connect() as connection:
            found = [tuple(row) for row in connection.execute(text(sql), parameters)]
        engine.dispose()
        return found

    async def jd_messages(self) -> list[dict[str, Any]]:
        """B's conversation as B's customer sees it (what a probe must leave unchanged)."""
        response = await self.http.get(
            f"/v1/conversations/{self.jd_conversation}", headers=self.customer("jd_appliances", JD_CUSTOMER)
        )
        assert response.status_code == 200, response.text
        return list(response.json()["messages"])

    async def jd_handoff_view(self) -> dict[str, Any]:
        response = await self.http.get(f"/v1/agent/handoffs/{self.jd_handoff}", headers=self.agent("jd_appliances"))
        assert response.status_code == 200, response.text
        return dict(response.json()["handoff"])

    def chunks(self, collection: str) -> list[str]:
        """The document ids in a shop's knowledge collection."""
        store = self.app.state.components.vector_store()
        try:
            stored = store.collection(collection)
        except Exception:  # noqa: BLE001 - a collection never filled holds nothing
            return []
        return sorted({str(chunk.metadata.get("document_id")) for chunk in stored.scan()})


def not_found(response: httpx.Response, asked: str = "") -> None:
    """Another shop's object answers exactly like a missing one: 404, and nothing of it in the body (the id the caller
    `asked` for may be echoed: that is the caller's own word)."""
    assert response.status_code == 404, response.text
    body = response.text.replace(asked, "<asked>") if asked else response.text
    for secret in (*JD_SECRETS, JD_CUSTOMER, JD_DOCUMENT_SECRET, "jd_appliances"):
        assert secret not in body, (secret, body)


@pytest.fixture(scope="module")
def jd_backend() -> Iterator[RunningCommerce]:
    service = acquire("jd_appliances")
    service.reset()
    yield service
    release("jd_appliances")


@pytest.fixture(scope="module")
def retail_backend() -> Iterator[RunningCommerce]:
    service = acquire("retail")
    service.reset()
    yield service
    release("retail")


@pytest.fixture(scope="module")
def world_settings(
    tmp_path_factory: pytest.TempPathFactory,
    local_llm: Any,
    knowledge_dir: Path,  # noqa: F811
    understanding_model_file: Path,  # noqa: F811
    retail_backend: RunningCommerce,
    jd_backend: RunningCommerce,
) -> Settings:
    from tests.conftest import MODELS_DIR, TEST_MODEL

    folder = tmp_path_factory.mktemp("tenancy")
    # A copy of the session's corpus: B's ingestion job writes into it, and must not reach other tests' knowledge.
    shutil.copytree(knowledge_dir / "chroma", folder / "chroma")
    shops = {
        **shop_settings("retail", base_url=retail_backend.base_url, commerce_key=retail_backend.api_key, **KEYS["retail"]),
        **shop_settings("jd_appliances", base_url=jd_backend.base_url, commerce_key=jd_backend.api_key, **KEYS["jd_appliances"]),
    }
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=folder,
        database={"url": f"sqlite:///{folder / 'assistant.db'}"},
        llm={
            "local_model": TEST_MODEL,
            "models_dir": MODELS_DIR,
            "port": int(local_llm.base_url.rsplit(":", 1)[1].split("/")[0]),
        },
        vector_store={"path": folder / "chroma"},
        understanding=understanding_settings(understanding_model_file),
        shops=shops,
        agent={"turn_seconds": 300.0},
    )


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(world_settings: Settings) -> AsyncIterator[World]:
    app = create_app(world_settings)
    async with app.router.lifespan_context(app):
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://assistant", timeout=300)
        built = World(settings=world_settings, http=http, app=app)
        await _build(built)
        yield built
        await http.aclose()


async def _build(world: World) -> None:
    http, jd = world.http, world.customer("jd_appliances", JD_CUSTOMER)
    # B's customer: identified by phone, told their order's status (no model call), then asks for a person.
    world.jd_conversation = (await http.post("/v1/conversations", headers=jd)).json()["id"]
    told = await _say(http, world.jd_conversation, jd, f"你好，我的手机号是12810332319。帮我查一下订单{JD_ORDER}现在什么状态？")
    assert told["route"] == "order_status" and "已付款" in told["reply"], told
    world.jd_answer_message = told["message_id"]
    handed = await _say(http, world.jd_conversation, jd, "我要转人工")
    assert handed["handoff"], handed
    # B's operator registers B's agent, who sees the handoff and corrects the answer.
    world.jd_agent, world.jd_agent_token = await _register(http, world.operator("jd_appliances"), "mei")
    queue = (await http.get("/v1/agent/handoffs", headers=world.agent("jd_appliances"))).json()
    world.jd_handoff = next(item["id"] for item in queue if item["conversation_id"] == world.jd_conversation)
    correction = await http.post(
        f"/v1/agent/messages/{world.jd_answer_message}/correction",
        json={"correct_answer": f"小主，订单{JD_ORDER}已付款，将由南京仓发货。"},
        headers=world.agent("jd_appliances"),
    )
    assert correction.status_code == 201, correction.text
    world.jd_correction = correction.json()["id"]
    world.jd_draft = await asyncio.to_thread(_jd_draft, world)
    # B's operator ingests a document only B has.
    world.jd_document = world.settings.data_dir / "jd_private" / "extended_warranty.md"
    world.jd_document.parent.mkdir(parents=True, exist_ok=True)
    # Written for customers (front matter): B's answers may quote it, so a probe can see it found where it belongs.
    world.jd_document.write_text(
        f"---\naudience: customer\n---\n# {JD_DOCUMENT_SECRET}\n\n购买满三年的家电可加购两年延保，费用为售价的百分之五。\n",
        encoding="utf-8",
    )
    job = await http.post(
        "/v1/ingest/jobs", json={"paths": [str(world.jd_document)], "kind": "policy", "prune": False},
        headers=world.operator("jd_appliances"),
    )  # fmt: skip
    assert job.status_code == 202, job.text
    world.jd_job = job.json()["id"]
    await _finished(http, world.jd_job, world.operator("jd_appliances"))
    assert any("extended_warranty" in document for document in world.chunks("knowledge_jd_appliances"))
    # A: its own agent and a conversation of its own customer.
    world.retail_agent, world.retail_agent_token = await _register(http, world.operator("retail"), "ann")
    world.retail_conversation = (await http.post("/v1/conversations", headers=world.customer("retail", RETAIL_CUSTOMER))).json()[
        "id"
    ]


async def _say(http: httpx.AsyncClient, conversation: str, headers: dict[str, str], content: str) -> dict[str, Any]:
    response = await http.post(f"/v1/conversations/{conversation}/messages", json={"content": content}, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _register(http: httpx.AsyncClient, operator: dict[str, str], name: str) -> tuple[str, str]:
    response = await http.post("/v1/agents", json={"name": name, "languages": ["zh", "en"]}, headers=operator)
    assert response.status_code == 201, response.text
    return response.json()["agent"]["id"], response.json()["token"]


async def _finished(http: httpx.AsyncClient, job_id: str, operator: dict[str, str]) -> dict[str, Any]:
    for _ in range(600):
        job = (await http.get(f"/v1/ingest/jobs/{job_id}", headers=operator)).json()
        if job["status"] in ("succeeded", "failed"):
            assert job["status"] == "succeeded", job
            return dict(job)
        await asyncio.sleep(0.2)
    raise AssertionError(f"ingest job {job_id} did not finish")


def _jd_draft(world: World) -> str:
    """A draft of B's conversation by B's agent, stored as the drafts service stores one (its wording is not the point)."""
    draft = DraftView(
        id="d" * 32, shop="jd_appliances", conversation_id=world.jd_conversation, ticket_text=None, customer_id=JD_CUSTOMER,
        language="zh", prompt_version="v1", variants=[Variant(tone="concise", text="小主您好，彭穆清的订单已付款。")],
        sources=[], customer_context=CustomerContext(customer_id=JD_CUSTOMER), suggested_actions=[],
        created_by=world.jd_agent, created_at=datetime.now(UTC), seconds=0.0,
    )  # fmt: skip
    DraftStore(world.app.state.components.engine).save(draft=draft, model="none", proposals=[])
    return draft.id
