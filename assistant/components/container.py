"""The composition root: builds every component from the settings, once.

`create_app(settings)` and the CLI entry points call `build_components`; tests
build their own. Heavy components (the embedding model, the vector store)
are built on first use, so a process that never needs them never pays for them.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy import Engine

from assistant.components.database.engine import build_engine
from assistant.components.embedding.embedder import Embedder, build_embedder
from assistant.components.llm.client import LLMClient
from assistant.components.llm.server_state import ServerStateFile, state_path
from assistant.components.vector_store.chroma import build_vector_store
from assistant.components.vector_store.store import VectorStore
from assistant.settings import EmbeddingSettings, LLMSettings, Settings

logger = logging.getLogger(__name__)


def llm_endpoint(settings: LLMSettings) -> tuple[str, str]:
    """Base URL and key of the chat model, whichever server it is."""
    if settings.provider == "local":
        return f"http://{settings.host}:{settings.port}/v1", "local"
    api_key = settings.api_key.get_secret_value() if settings.api_key else ""
    return str(settings.base_url), api_key


@dataclass
class Components:
    settings: Settings
    llm: LLMClient
    engine: Engine
    _embedder: Embedder | None = None
    _understanding_embedder: Embedder | None = None
    _other_embedders: dict[str, Embedder] = field(default_factory=dict)  # by model id
    _vector_store: VectorStore | None = None
    # One lock per thing built: loading EmbeddingGemma (10-60 s) must not hold up /health's check of the knowledge
    # base's embedder or the vector store (it did, with one lock for all: health reported both as errors).
    _embedder_lock: threading.Lock = field(default_factory=threading.Lock)
    _understanding_lock: threading.Lock = field(default_factory=threading.Lock)
    _others_lock: threading.Lock = field(default_factory=threading.Lock)
    _vector_store_lock: threading.Lock = field(default_factory=threading.Lock)

    def embedder(self) -> Embedder:
        """The embedder of the knowledge base (ingestion, search) and of everything else but the understanding heads."""
        with self._embedder_lock:
            if self._embedder is None:
                self._embedder = build_embedder(self.settings.embedding, self.settings.llm.models_dir)
            return self._embedder

    def understanding_embedder(self) -> Embedder:
        """The embedder of the per-message intent and sentiment heads: `embedder()` itself unless
        `understanding.embedding_model` names another packaged model (a lighter one, for per-message latency)."""
        wanted = self.settings.understanding_embedding
        if wanted == self.settings.embedding:
            return self.embedder()
        with self._understanding_lock:
            if self._understanding_embedder is None:
                self._understanding_embedder = build_embedder(wanted, self.settings.llm.models_dir)
            return self._understanding_embedder

    def correction_embedder(self) -> Embedder:
        """The embedder published corrections are matched with (knowledge.correction_embedding_model): one of the
        two above when it is the same model (one copy in memory), else its own, built on first use."""
        return self.packaged_embedder(self.settings.correction_embedding)

    def packaged_embedder(self, wanted: EmbeddingSettings) -> Embedder:
        """An embedder of these settings: the knowledge base's or the heads' when it is theirs (one copy of a model
        in memory), else its own, built on first use and shared (the second stage's ranker, the corrections')."""
        if wanted == self.settings.embedding:
            return self.embedder()
        if wanted == self.settings.understanding_embedding:
            return self.understanding_embedder()
        with self._others_lock:
            if wanted.model_id not in self._other_embedders:
                self._other_embedders[wanted.model_id] = build_embedder(wanted, self.settings.llm.models_dir)
            return self._other_embedders[wanted.model_id]

    def load_embedders_in_background(self) -> threading.Thread:
        """Load the embedders on a daemon thread, so the first turn does not wait for EmbeddingGemma (10-60 s).

        A failure (an unprepared model folder, say) is logged here and raised again on first use,
        where /health and the turn report it.
        """

        def load() -> None:
            try:
                self.embedder()
                self.understanding_embedder()
                if self._holds_corrections():
                    # the first search of a collection with a correction would otherwise wait for its model
                    self.correction_embedder()
            except Exception:  # noqa: BLE001 - reported where the embedder is next used
                logger.exception("loading the embedding models at start failed")

        thread = threading.Thread(target=load, name="load-embedders", daemon=True)
        thread.start()
        return thread

    def _holds_corrections(self) -> bool:
        root = self.settings.corrections_folder
        return root.is_dir() and any(path.is_file() for path in root.rglob("*"))

    def vector_store(self) -> VectorStore:
        with self._vector_store_lock:
            if self._vector_store is None:
                # Texts stored or queried without vectors are embedded with the configured model, built on first use.
                self._vector_store = build_vector_store(self.settings.vector_store, lambda texts: self.embedder().embed(texts))
            return self._vector_store

    async def close(self) -> None:
        await self.llm.close()
        self.engine.dispose()


def build_components(settings: Settings) -> Components:
    base_url, api_key = llm_endpoint(settings.llm)
    # The embedded server's owner (`assistant serve`) records how it ended in the data folder.
    diagnose = ServerStateFile(state_path(settings.data_dir)).failure if settings.llm.provider == "local" else None
    return Components(
        settings=settings,
        llm=LLMClient(settings.llm, base_url=base_url, api_key=api_key, diagnose=diagnose),
        engine=build_engine(settings.database.url),
    )
