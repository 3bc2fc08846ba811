"""Is every part the assistant depends on configured and answering? The shared parts, and each shop's own:
its commerce backend (`commerce:<shop>`) and its knowledge collection (`knowledge:<shop>`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Literal

import httpx
from pydantic import BaseModel
from sqlalchemy import text

from assistant.components.container import Components
from assistant.errors import AssistantError, UnderstandingModelError
from assistant.shops import Shop, load_shops


class PartStatus(BaseModel):
    name: str
    provider: str
    status: Literal["ok", "error"]
    detail: str
    seconds: float


class HealthReport(BaseModel):
    status: Literal["ok", "degraded"]
    parts: list[PartStatus]


class HealthService:
    """Checks each part with a real call, with a timeout, never raising."""

    def __init__(self, components: Components, shops: Mapping[str, Shop] | None = None, timeout_seconds: float = 10.0) -> None:
        self._components = components
        self._shops = dict(shops) if shops is not None else load_shops(components.settings)
        self._timeout = timeout_seconds

    async def check(self) -> HealthReport:
        settings = self._components.settings
        per_shop = []
        for name, shop in self._shops.items():
            base_url = settings.shops[name].commerce.base_url
            per_shop.append(self._run(f"commerce:{name}", base_url, partial(self._commerce, base_url)))
            collection = shop.profile.collection
            per_shop.append(self._run(f"knowledge:{name}", collection, partial(self._knowledge, collection)))
        parts = await asyncio.gather(
            self._run("llm", settings.llm.provider, self._llm),
            self._run("embeddings", settings.embedding.model_id, self._embeddings),
            self._run("vector_store", settings.vector_store.provider, self._vector_store),
            self._run("database", self._components.engine.dialect.name, self._database),
            *per_shop,
            self._run("understanding", "trained model file", self._understanding),
        )
        status: Literal["ok", "degraded"] = "ok" if all(p.status == "ok" for p in parts) else "degraded"
        return HealthReport(status=status, parts=list(parts))

    async def _run(self, name: str, provider: str, probe: Callable[[], Awaitable[str]]) -> PartStatus:
        started = time.perf_counter()
        try:
            detail = await asyncio.wait_for(probe(), self._timeout)
            status: Literal["ok", "error"] = "ok"
        except TimeoutError:
            detail, status = f"no answer within {self._timeout:.0f} s", "error"
        except AssistantError as exc:
            detail, status = exc.message, "error"
        except Exception as exc:  # noqa: BLE001 - a health check reports every failure instead of raising
            detail, status = f"{type(exc).__name__}: {exc}", "error"
        return PartStatus(name=name, provider=provider, status=status, detail=detail, seconds=time.perf_counter() - started)

    async def _llm(self) -> str:
        llm = self._components.llm
        try:
            models = await llm.list_models()
        except AssistantError:
            # llama.cpp answers nothing while it reads a long prompt: busy with our own request is not down.
            if llm.generating:
                return "busy with a request (the model server answers between requests)"
            raise
        return f"serves {', '.join(models)}"

    async def _embeddings(self) -> str:
        embedder = await asyncio.to_thread(self._components.embedder)
        vectors = await asyncio.to_thread(embedder.embed, ["health check"])
        return f"{embedder.model_id}, {vectors.shape[1]} dimensions"

    async def _vector_store(self) -> str:
        store = await asyncio.to_thread(self._components.vector_store)
        await asyncio.to_thread(store.heartbeat)
        return f"{len(await asyncio.to_thread(store.collection_names))} collections"

    async def _database(self) -> str:
        def ping() -> str:
            with self._components.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return "answers"

        return await asyncio.to_thread(ping)

    async def _understanding(self) -> str:
        from assistant.understanding.service import default_model_path

        path = default_model_path(self._components.settings)
        if not path.is_file():
            raise UnderstandingModelError(
                f"no understanding model at {path}: run `assistant understand train`; until then turns use the keyword rules only"
            )
        return f"model file {path}"

    async def _commerce(self, base_url: str) -> str:
        async with httpx.AsyncClient(timeout=3.0) as client:
            response = await client.get(f"{base_url}/health")
            response.raise_for_status()
        return "answers"

    async def _knowledge(self, collection: str) -> str:
        """The shop's collection exists, was filled by the configured embedding model, and holds chunks."""
        from assistant.retrieval.collection import open_collection

        opened = await asyncio.to_thread(open_collection, self._components, collection)
        return f"{await asyncio.to_thread(opened.count)} chunks"
