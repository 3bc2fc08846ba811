"""kill -9 in the middle of a real ingestion, then a re-run: exactly the chunk set of a clean run (ids and hashes)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from assistant.components.container import build_components
from assistant.retrieval.collection import open_collection
from assistant.retrieval.keyword_index import KeywordIndex
from assistant.settings import Settings
from ingest.pipeline import IngestPipeline
from tests.ingest.conftest import stored_chunks


def _settings(folder: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=folder,
        vector_store={"path": folder / "chroma"},  # type: ignore[arg-type]
        database={"url": f"sqlite:///{folder / 'assistant.db'}"},  # type: ignore[arg-type]
        embedding={"batch_size": 4},  # type: ignore[arg-type]
    )


def _clean_run(folder: Path, source: Path, prune: bool = False) -> dict[str, str]:
    components = build_components(_settings(folder))
    IngestPipeline(components).run([source], "policy", prune=prune)
    return stored_chunks(components)


def _killed_run(folder: Path, source: Path, after_batches: int, prune: bool = False) -> None:
    """Run the CLI in its own process and SIGKILL it once it has made `after_batches` writes (of 4 x 4 chunks)."""
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(folder),
        "ASSISTANT_VECTOR_STORE__PATH": str(folder / "chroma"),
        "ASSISTANT_DATABASE__URL": f"sqlite:///{folder / 'assistant.db'}",
        "ASSISTANT_EMBEDDING__BATCH_SIZE": "4",
    }
    command = [
        sys.executable,
        "-m",
        "assistant.cli",
        "ingest",
        str(source),
        "--kind",
        "policy",
        "--collection",
        "knowledge",
        "-v",
    ] + (["--prune"] if prune else [])
    process = subprocess.Popen(command, cwd=folder, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    written = 0
    deadline = time.monotonic() + 240
    assert process.stderr is not None
    for line in process.stderr:
        if " wrote " in line:
            written += 1
            if written == after_batches:
                process.send_signal(signal.SIGKILL)
                break
        if time.monotonic() > deadline:
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, f"the run ended before it could be killed (exit {process.returncode})"


def test_killed_runs_converge_to_the_clean_run(tmp_path: Path, banking_slice: Callable[..., Path]) -> None:
    source = banking_slice(60)
    killed, clean_v1, clean_v2 = tmp_path / "killed", tmp_path / "clean-v1", tmp_path / "clean-v2"
    for folder in (killed, clean_v1, clean_v2):
        folder.mkdir()

    # 1. A first ingestion killed mid-way, then completed.
    _killed_run(killed, source, after_batches=3)
    partial = stored_chunks(build_components(_settings(killed)))
    expected_v1 = _clean_run(clean_v1, source)
    assert 0 < len(partial) < len(expected_v1)
    assert _clean_run(killed, source) == expected_v1

    # 2. The sources change (edits and removals), the pruning run is killed mid-way, then completed.
    records = [json.loads(line) for line in source.read_text().splitlines()]
    for record in records[10:30]:
        record["content"] += "\n\n## Update\n\nThis procedure changed; confirm with a supervisor first."
    source.write_text("".join(json.dumps(record) + "\n" for record in records[5:]))
    _killed_run(killed, source, after_batches=1, prune=True)
    expected_v2 = _clean_run(clean_v2, source)
    assert stored_chunks(build_components(_settings(killed))) != expected_v2
    components = build_components(_settings(killed))
    report = IngestPipeline(components).run([source], "policy", prune=True)
    assert report.deleted + report.updated + report.repaired > 0
    assert stored_chunks(components) == expected_v2

    # The keyword index is derived from the collection, so it holds exactly the same chunks.
    collection = open_collection(components)
    index = KeywordIndex.build(collection, cache_dir=None)
    assert index.fingerprint == collection.fingerprint()
    assert dict(zip(index.ids, (m["content_hash"] for m in index.metadatas), strict=True)) == expected_v2
