"""Ingestion speed on the banking documents (698 policy documents), end to end, against the raw encode rate.

In one process and on the same chunks:
1. raw encode rate: the configured embedding model alone on every chunk's text (as the pipeline embeds it);
2. a full ingestion into an empty collection (load, split, embed, upsert): documents/s and chunks/s;
3. raw encode rate again (the machine is shared: the mean of 1 and 3 is the reference);
4. a no-change re-run (every document skipped by hash), also through the CLI in a fresh process.

Reported: pipeline chunks/s over raw chunks/s (goal ≥ 0.85) and the no-change re-run over the full
run (goal < 5%).

    python bench/ingest_bench.py [--docs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.components.container import build_components  # noqa: E402
from assistant.retrieval.collection import indexed_text  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from ingest.loaders import load_paths  # noqa: E402
from ingest.pipeline import IngestPipeline, chunk_metadata  # noqa: E402
from ingest.splitter import split_document  # noqa: E402

BANKING_DOCS = REPO / "data/banking_knowledge/documents.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=0, help="Only the first N documents (0: all).")
    parser.add_argument("--results", type=Path, default=REPO / "bench/results")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    try:
        source = BANKING_DOCS
        if args.docs:
            source = work / "documents.jsonl"
            lines = BANKING_DOCS.read_text(encoding="utf-8").splitlines()[: args.docs]
            source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=work,
            vector_store={"path": work / "chroma"},  # type: ignore[arg-type]
            database={"url": f"sqlite:///{work / 'assistant.db'}"},  # type: ignore[arg-type]
        )
        components = build_components(settings)
        embedder = components.embedder()
        embedder.embed(["warm up"])

        texts = _chunk_texts(source, settings)
        raw_before = _raw_rate(embedder, texts)
        print(f"raw encode: {len(texts)} chunks, {raw_before:.1f} chunks/s", flush=True)

        report = IngestPipeline(components).run([source], "policy")
        full_seconds = report.seconds
        docs_rate, chunks_rate = report.documents_seen / full_seconds, report.chunks_written / full_seconds
        print(f"pipeline: {report.documents_seen} docs, {report.chunks_written} chunks in {full_seconds:.1f} s", flush=True)

        raw_after = _raw_rate(embedder, texts)
        print(f"raw encode again: {raw_after:.1f} chunks/s", flush=True)
        raw = (raw_before + raw_after) / 2

        rerun = IngestPipeline(components).run([source], "policy")
        cli_seconds = _cli_rerun(source, work)
        result = {
            "documents": report.documents_seen,
            "chunks": report.chunks_written,
            "embedding_model": settings.embedding.model_id,
            "chunk_tokens": settings.knowledge.chunk_tokens,
            "full_run_seconds": round(full_seconds, 2),
            "pipeline_documents_per_s": round(docs_rate, 2),
            "pipeline_chunks_per_s": round(chunks_rate, 2),
            "raw_encode_chunks_per_s": round(raw, 2),
            "raw_encode_before_after": [round(raw_before, 2), round(raw_after, 2)],
            "pipeline_over_raw": round(chunks_rate / raw, 3),
            "no_change_rerun_seconds": round(rerun.seconds, 3),
            "no_change_rerun_skipped": rerun.skipped,
            "no_change_rerun_over_full": round(rerun.seconds / full_seconds, 4),
            "no_change_rerun_cli_process_seconds": round(cli_seconds, 2),
            "load_average": os.getloadavg(),
        }
        args.results.mkdir(parents=True, exist_ok=True)
        out = args.results / f"ingest-{time.strftime('%Y%m%d-%H%M%S')}.json"
        out.write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))
        print(f"results: {out}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _chunk_texts(source: Path, settings: Settings) -> list[str]:
    """The exact texts the pipeline embeds for these documents."""
    knowledge = settings.knowledge
    texts = []
    for document in load_paths([source], "policy").documents:
        for chunk in split_document(document, document.sections, "bench", knowledge.chunk_tokens, knowledge.chunk_overlap_tokens):
            texts.append(indexed_text(chunk_metadata(chunk), chunk.text))
    return texts


def _raw_rate(embedder, texts: list[str]) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    embedder.embed(texts)
    return len(texts) / (time.perf_counter() - started)


def _cli_rerun(source: Path, work: Path) -> float:
    """Wall time of `assistant ingest` in a fresh process when nothing changed (imports included)."""
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(work),
        "ASSISTANT_VECTOR_STORE__PATH": str(work / "chroma"),
        "ASSISTANT_DATABASE__URL": f"sqlite:///{work / 'assistant.db'}",
    }
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ingest", str(source), "--kind", "policy"],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
