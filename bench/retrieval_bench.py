"""Retrieval quality of dense, keyword and hybrid search, to choose the defaults by measurement.

Two sets:
- banking: data/banking_knowledge/tasks_dev.json, the task's whole user-scenario text as the
  query (as in /work/shared/docs/BASELINES.md), `required_documents` as gold; document-level
  recall@5, recall@10 and MRR@10 (hits collapsed to one per document).
- products: evals/datasets/ecom_products_questions.jsonl (our own questions), kind `product`
  only; product-level hit@1, hit@5, MRR@5, and the best dense similarity of answerable and
  unanswerable questions (what a low-confidence threshold has to separate).

For each chunk size the banking documents and the products are ingested with the real
pipeline into var/bench/retrieval/<size>/ (USE) or var/bench/retrieval/<model>/<size>/ (another
packaged embedder), kept, so a second run only re-reads them. Each row also has the median time of
one query embedding (wall and CPU) and of one search; the ingestion times are in the results file.

Banking is split into the 30 develop tasks (reported as bank_*) and 30 held-back ones (bank_test_*, only
with --held-back) by evals/datasets/banking_escalation_split.json; the Chinese product questions of
evals/datasets/zh_product_questions.jsonl likewise (zq_*, zq_test_*). Hybrid rows can add the title stage
(--title-weight), the focus on a long message's sentences (--focus N words) and the second stage (--rerank).

    python bench/retrieval_bench.py --chunk-tokens 200 300 400 --rrf-k 10 60 --dense-weight 0.3 0.5 1.0
    python bench/retrieval_bench.py --chunk-tokens 200 --rrf-k 5 --dense-weight 0.3 --title-weight 0 0.5 1.0 --focus 0 40
        --held-back   (one command)
    python bench/retrieval_bench.py --chunk-tokens 200 --rrf-k 5 --dense-weight 0.3 --focus 40 --rerank embeddinggemma-300m
        --hybrid-only --banking-only   (one command)
    python bench/retrieval_bench.py --embedding embeddinggemma-300m --chunk-tokens 200 --rrf-k 5 --dense-weight 0.3 1.0
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from pathlib import Path
from typing import get_args

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.components.container import Components, build_components  # noqa: E402
from assistant.retrieval.retriever import Retriever  # noqa: E402
from assistant.settings import PackagedEmbeddingModel, Settings  # noqa: E402
from ingest.pipeline import IngestPipeline  # noqa: E402

BANKING_DOCS = REPO / "data/banking_knowledge/documents.jsonl"
BANKING_TASKS = REPO / "data/banking_knowledge/tasks_dev.json"
PRODUCTS = REPO / "data/ecom_store/products.json"
PRODUCT_QUESTIONS = REPO / "evals/datasets/ecom_products_questions.jsonl"
ZH_QUESTIONS = REPO / "evals/datasets/zh_product_questions.jsonl"
BANKING_SPLIT = REPO / "evals/datasets/banking_escalation_split.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunk-tokens", type=int, nargs="+", default=[200, 300, 400])
    parser.add_argument("--rrf-k", type=int, nargs="+", default=[10, 60])
    parser.add_argument("--dense-weight", type=float, nargs="+", default=[0.3, 0.5, 1.0])
    parser.add_argument("--embedding", choices=get_args(PackagedEmbeddingModel), default="use-multilingual-v3")
    parser.add_argument("--work-dir", type=Path, default=REPO / "var/bench/retrieval")
    parser.add_argument("--models-dir", type=Path, default=REPO / "var/models", help="where the model folders are")
    parser.add_argument("--results", type=Path, default=REPO / "bench/results")
    parser.add_argument("--title-weight", type=float, nargs="+", default=[0.0], help="knowledge.title_weight values")
    parser.add_argument("--focus", type=int, nargs="+", default=[0], help="knowledge.focus_min_words values (0: off)")
    parser.add_argument("--rerank", nargs="+", default=["none"], help="knowledge.rerank_model values (none: off)")
    parser.add_argument("--rerank-candidates", type=int, default=30)
    parser.add_argument("--rerank-weight", type=float, default=1.0)
    parser.add_argument("--banking-only", action="store_true", help="leave out the product question sets")
    parser.add_argument("--hybrid-only", action="store_true", help="leave out the dense-only and keyword-only rows")
    parser.add_argument(
        "--held-back", action="store_true", help="also the held-back parts (banking test half, zh questions test): report only"
    )
    args = parser.parse_args()

    tasks = json.loads(BANKING_TASKS.read_text(encoding="utf-8"))
    part_of = {task["id"]: task["split"] for task in json.loads(BANKING_SPLIT.read_text(encoding="utf-8"))["tasks"]}
    parts = ["develop", "test"] if args.held_back else ["develop"]
    banking = {
        part: [
            (task["user_scenario"]["instructions"], set(task["required_documents"]))
            for task in tasks
            if task.get("required_documents") and part_of[task["id"]] == part
        ]
        for part in parts
    }
    questions = _jsonl(PRODUCT_QUESTIONS)
    zh_questions = {part: [q for q in _jsonl(ZH_QUESTIONS) if q["split"] == part] for part in ("dev", "test")}
    if not args.held_back:
        del zh_questions["test"]
    queries = [query for cases in banking.values() for query, _ in cases] + [q["question"] for q in questions]
    if args.banking_only:
        questions, zh_questions = [], {}
        queries = [query for cases in banking.values() for query, _ in cases]
    count = len(queries) + sum(len(part) for part in zh_questions.values())
    rows, ingestion = [], []
    for size in args.chunk_tokens:
        folder = args.work_dir / (str(size) if args.embedding == "use-multilingual-v3" else f"{args.embedding}/{size}")
        components = _components(folder, size, args.embedding, args.models_dir)
        started = time.perf_counter()
        components.embedder()
        print(f"embedder {args.embedding} loaded in {time.perf_counter() - started:.1f} s")
        for paths, kind in (([BANKING_DOCS], "policy"), ([PRODUCTS], "product")):
            report = IngestPipeline(components).run(paths, kind)
            print(f"chunks {size}: {kind} {report.documents_seen} docs, {report.chunks_written} chunks, {report.seconds:.1f} s")
            ingestion.append({"chunk_tokens": size, "kind": kind, "documents": report.documents_seen,
                              "chunks_written": report.chunks_written, "seconds": round(report.seconds, 1)})  # fmt: skip
        query_ms = _query_embedding_ms(components, queries)
        variants: list[tuple[str, int | None, float | None, int | None, str | None, float]]
        variants = [] if args.hybrid_only else [("dense", None, None, None, None, 0.0)]
        variants += [] if args.hybrid_only else [("keyword", None, None, None, None, 0.0)]
        variants += [
            ("hybrid", k, weight, focus or None, None if rerank == "none" else rerank, title)
            for k in args.rrf_k
            for weight in args.dense_weight
            for focus in args.focus
            for rerank in args.rerank
            for title in args.title_weight
        ]
        for mode, rrf_k, dense_weight, focus, rerank, title in variants:
            variant = components if rrf_k is None else _with_fusion(components, rrf_k, dense_weight, focus, rerank, title, args)
            retriever = Retriever(variant)
            started, cpu_started = time.perf_counter(), time.thread_time()
            row = {"embedding": args.embedding, "chunk_tokens": size, "mode": mode, "rrf_k": rrf_k, "dense_weight": dense_weight,
                   "title_weight": title, "focus": focus, "rerank": rerank,
                   "rerank_candidates": args.rerank_candidates if rerank else None,
                   "rerank_weight": args.rerank_weight if rerank else None}  # fmt: skip
            for part, cases in banking.items():
                row.update(_banking(retriever, mode, cases, "bank_" if part == "develop" else "bank_test_"))
            if not args.banking_only:
                row.update(_products(retriever, mode, questions, "prod_"))
                for part, zh in zh_questions.items():
                    row.update(_products(retriever, mode, zh, "zq_" if part == "dev" else "zq_test_"))
            row["seconds_per_query"] = (time.perf_counter() - started) / count
            row["cpu_seconds_per_query"] = (time.thread_time() - cpu_started) / count
            row.update(query_ms)
            rows.append(row)
            print(_format(row), flush=True)
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"retrieval-{time.strftime('%Y%m%d-%H%M%S')}.json"
    summary = {"banking_tasks": {part: len(cases) for part, cases in banking.items()}, "product_questions": len(questions),
               "zh_product_questions": {part: len(zh) for part, zh in zh_questions.items()}, "ingestion": ingestion,
               "rows": rows}  # fmt: skip
    out.write_text(json.dumps(summary, indent=2))
    print(f"\nresults: {out}")
    print(_table(rows))


def _components(folder: Path, chunk_tokens: int, embedding: str, models_dir: Path) -> Components:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=folder,
        embedding={"packaged_model": embedding},  # type: ignore[arg-type]
        llm={"models_dir": models_dir},  # type: ignore[arg-type]
        vector_store={"path": folder / "chroma"},  # type: ignore[arg-type]
        database={"url": f"sqlite:///{folder / 'assistant.db'}"},  # type: ignore[arg-type]
        knowledge={"chunk_tokens": chunk_tokens},  # type: ignore[arg-type]
    )
    folder.mkdir(parents=True, exist_ok=True)
    return build_components(settings)


def _query_embedding_ms(components: Components, queries: list[str]) -> dict[str, float]:
    """Median wall and CPU time of one query embedding, one query at a time (as a turn embeds it).

    CPU time (of this one-threaded encoder) is what the query costs on a core of its own: on a shared
    machine the wall time is mostly waiting for one.
    """
    embedder = components.embedder()
    embedder.embed_queries(["warm up"])
    wall, cpu = [], []
    for query in queries:
        started, cpu_started = time.perf_counter(), time.thread_time()
        embedder.embed_queries([query])
        wall.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - cpu_started)
    cpu.sort()
    return {
        "query_embedding_ms_median": round(statistics.median(wall) * 1000, 1),
        "query_embedding_cpu_ms_median": round(statistics.median(cpu) * 1000, 1),
        "query_embedding_cpu_ms_p95": round(cpu[int(0.95 * len(cpu)) - 1] * 1000, 1),
    }


def _with_fusion(
    components: Components,
    rrf_k: int,
    dense_weight: float,
    focus: int | None,
    rerank: str | None,
    title: float,
    args: argparse.Namespace,
) -> Components:
    update = {"rrf_k": rrf_k, "dense_weight": dense_weight, "focus_min_words": focus, "rerank_model": rerank,
              "title_weight": title, "rerank_candidates": args.rerank_candidates,
              "rerank_weight": args.rerank_weight}  # fmt: skip
    knowledge = components.settings.knowledge.model_copy(update=update)
    settings = components.settings.model_copy(update={"knowledge": knowledge})
    components.embedder()
    components.vector_store()  # built once and shared by the variants
    return dataclasses.replace(components, settings=settings)


def _banking(retriever: Retriever, mode: str, cases: list[tuple[str, set[str]]], prefix: str) -> dict[str, float]:
    recall5, recall10, reciprocal, seconds = [], [], [], []
    for query, gold in cases:
        started = time.perf_counter()
        ranked = [hit.document_id for hit in retriever.search(query, k=10, mode=mode, max_per_document=1)]  # type: ignore[arg-type]
        seconds.append(time.perf_counter() - started)
        recall5.append(len(gold & set(ranked[:5])) / len(gold))
        recall10.append(len(gold & set(ranked[:10])) / len(gold))
        reciprocal.append(next((1 / rank for rank, doc in enumerate(ranked, start=1) if doc in gold), 0.0))
    return {
        f"{prefix}R@5": statistics.mean(recall5),
        f"{prefix}R@10": statistics.mean(recall10),
        f"{prefix}MRR@10": statistics.mean(reciprocal),
        # Wall time of one whole search (a scenario as the query), on whatever share of the machine it got.
        f"{prefix}seconds_median": statistics.median(seconds),
        f"{prefix}seconds_p95": sorted(seconds)[max(0, int(0.95 * len(seconds)) - 1)],
    }


def _products(retriever: Retriever, mode: str, questions: list[dict], prefix: str) -> dict[str, float | None]:
    hit1, hit5, reciprocal, answerable, unanswerable = [], [], [], [], []
    for question in questions:
        hits = retriever.search(question["question"], k=5, kinds=["product"], mode=mode, max_per_document=1)  # type: ignore[arg-type]
        best_dense = max((hit.dense_score for hit in hits), default=0.0)
        gold = set(question["product_ids"])
        if not gold:
            unanswerable.append(best_dense)
            continue
        answerable.append(best_dense)
        ranked = [hit.document_id for hit in hits]
        hit1.append(float(bool(ranked) and ranked[0] in gold))
        hit5.append(float(bool(gold & set(ranked))))
        reciprocal.append(next((1 / rank for rank, doc in enumerate(ranked, start=1) if doc in gold), 0.0))
    figures: dict[str, float | None] = {
        f"{prefix}hit@1": statistics.mean(hit1),
        f"{prefix}hit@5": statistics.mean(hit5),
        f"{prefix}MRR@5": statistics.mean(reciprocal),
    }
    if unanswerable:
        figures[f"{prefix}best_dense_answerable_min"] = min(answerable)
        figures[f"{prefix}best_dense_answerable_median"] = statistics.median(answerable)
        figures[f"{prefix}best_dense_unanswerable_max"] = max(unanswerable)
    return figures


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _format(row: dict) -> str:
    return " ".join(f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}" for key, value in row.items())


def _table(rows: list[dict]) -> str:
    keys = ["embedding", "chunk_tokens", "mode", "rrf_k", "dense_weight", "title_weight", "focus", "rerank", "rerank_candidates"]
    keys += ["bank_R@5", "bank_R@10", "bank_MRR@10", "bank_test_R@10", "bank_test_MRR@10"]
    keys += ["prod_hit@1", "prod_hit@5", "zq_hit@1", "zq_hit@5", "zq_test_hit@1", "zq_test_hit@5"]
    keys += ["seconds_per_query", "cpu_seconds_per_query", "bank_seconds_median", "bank_seconds_p95"]
    keys = [key for key in keys if any(key in row for row in rows)]
    columns = [key.replace("_", " ") for key in keys]
    rows = [{key: row.get(key) for key in keys} for row in rows]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = [
            f"{row[key]:.3f}" if isinstance(row[key], float) else str(row[key] if row[key] is not None else "-") for key in keys
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
