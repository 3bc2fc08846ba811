"""Runs the main paths of the assistant and fails if anything tries to leave loopback.

Started by test_offline.py in a network namespace with only loopback (when the
machine allows `unshare -n`); an audit hook also records every connection or
name lookup that is not loopback, so the proof holds either way.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import sys
from pathlib import Path

ATTEMPTS: list[str] = []


def _is_loopback(host: object) -> bool:
    if host in (None, "localhost", "", "0.0.0.0"):
        return True
    try:
        return ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        return False


def _guard(event: str, args: tuple[object, ...]) -> None:
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            ATTEMPTS.append(f"connect {address}")
            raise OSError("network blocked by the offline test")
    elif event == "socket.getaddrinfo" and not _is_loopback(args[0]):
        ATTEMPTS.append(f"lookup {args[0]}")
        raise socket.gaierror("name lookup blocked by the offline test")


def main(work_dir: Path, models_dir: Path, port: int) -> None:
    sys.addaudithook(_guard)
    from fastapi.testclient import TestClient

    from assistant.components.container import build_components
    from assistant.components.llm.local_server import LocalLLMServer
    from assistant.components.tokens import count_tokens
    from assistant.server.app import create_app
    from assistant.settings import Settings

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=work_dir,
        vector_store={"path": work_dir / "chroma"},  # type: ignore[arg-type]
        database={"url": f"sqlite:///{work_dir / 'assistant.db'}"},  # type: ignore[arg-type]
        llm={"local_model": "qwen2.5-coder-0.5b", "models_dir": models_dir, "port": port},  # type: ignore[arg-type]
    )
    print("tokens", count_tokens("退货政策是什么？ What is the return policy?"))
    components = build_components(settings)
    vectors = components.embedder().embed(["退货政策", "return policy", "shipping times"])
    collection = components.vector_store().collection("offline", create=True)
    collection.upsert(["a", "b", "c"], ["退货政策", "return policy", "shipping times"], [{}, {}, {}], embeddings=vectors)
    hit = collection.query(text="how do returns work", k=1)
    print("vector store", hit[0].id)

    with LocalLLMServer(settings.llm):
        # The app gets its own components: an async client belongs to the event loop that used it first.
        with TestClient(create_app(settings)) as client:
            health = client.get("/health").json()
        print("health", {part["name"]: part["status"] for part in health["parts"]})
        completion = asyncio.run(components.llm.complete([{"role": "user", "content": "Say hello."}], max_tokens=8))
        print("llm", repr(completion.text))
        if not completion.text.strip():
            raise SystemExit("empty answer from the local model")

    if ATTEMPTS:
        raise SystemExit(f"tried to reach the network: {ATTEMPTS}")
    print("offline ok")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
