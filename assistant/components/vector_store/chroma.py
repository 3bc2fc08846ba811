"""The Chroma client, embedded on disk or a server, chosen by settings.

Collections are always created with the project's own embeddings passed in
explicitly: Chroma's default embedding function downloads a model on first use
and would fail offline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.settings import VectorStoreSettings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI


def build_chroma_client(settings: VectorStoreSettings) -> ClientAPI:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    match settings.provider:
        case "chroma_embedded":
            settings.path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(settings.path), settings=chroma_settings)
        case "chroma_server":
            return chromadb.HttpClient(host=settings.host, port=settings.port, settings=chroma_settings)
