"""Is a published correction found first for paraphrases of its question, and not for other questions?

Set: evals/datasets/correction_paraphrases.jsonl (ours: 8 correction questions, each with three
paraphrases, two English and one Chinese; dev/test by correction). Negatives: our shop messages
(evals/datasets/shop_messages_{dev,test}.jsonl, none of which asks a correction's question).

The retail shop's knowledge (store policy and help centre) and the corrections of the chosen part are
ingested with the real pipeline (corrections through the folder published corrections are written to),
then for each setting of `knowledge.correction_similarity`:
- found first: share of paraphrases whose first hit (kinds policy) is their correction;
- false first: share of negative messages whose first hit is any correction;
and the raw similarities (paraphrase to its own question; best over the corrections for a negative), from
which the threshold is chosen on dev.

    python bench/corrections_bench.py --split dev --threshold 0.5 0.55 0.6 0.65 0.7
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.components.container import Components, build_components  # noqa: E402
from assistant.feedback.publish import corrections_folder, render_document  # noqa: E402
from assistant.retrieval.retriever import Retriever  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from ingest.pipeline import IngestPipeline  # noqa: E402

DATASETS = REPO / "evals/datasets"
KNOWLEDGE = [REPO / "data/retail/policy.md", REPO / "data/retail/help_centre.md", REPO / "data/retail/help_centre_zh.md"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=["dev", "test"], default="dev")
    parser.add_argument("--threshold", type=float, nargs="+", default=[0.5, 0.55, 0.6, 0.65, 0.7])
    parser.add_argument("--embedding", choices=["same", "embeddinggemma-300m", "embeddinggemma-300m-int8"],
                        default="embeddinggemma-300m-int8",
                        help="the correction embedding model (`same`: the knowledge base's, USE)")  # fmt: skip
    parser.add_argument("--work-dir", type=Path, default=REPO / "var/bench/corrections")
    parser.add_argument("--models-dir", type=Path, default=REPO / "var/models")
    args = parser.parse_args()

    corrections = [row for row in _jsonl(DATASETS / "correction_paraphrases.jsonl") if row["split"] == args.split]
    messages = {row["id"]: row["text"] for part in ("dev", "test") for row in _jsonl(DATASETS / f"shop_messages_{part}.jsonl")}
    # Shop messages that ask a correction's question (by reading them; `asked_in`) are paraphrases written by another
    # hand: positives of the corrections ingested here, and never negatives.
    asked = {message for row in _jsonl(DATASETS / "correction_paraphrases.jsonl") for message in row["asked_in"]}
    negatives = [row["text"] for row in _jsonl(DATASETS / f"shop_messages_{args.split}.jsonl") if row["id"] not in asked]
    positives = [(row, text) for row in corrections for text in [*row["paraphrases"], *(messages[m] for m in row["asked_in"])]]
    components = _components(args.work_dir / args.split, args.models_dir, args.embedding)
    IngestPipeline(components, "retail").run(KNOWLEDGE, "policy")
    folder = corrections_folder(components, "retail")
    folder.mkdir(parents=True, exist_ok=True)
    for row in corrections:
        (folder / f"correction-{row['id']}.md").write_text(render_document(row["question"], row["answer"]), encoding="utf-8")
    IngestPipeline(components, "retail").run([folder], "policy")

    embedder = components.correction_embedder()
    questions = embedder.embed_queries([row["question"] for row in corrections])
    position = {row["id"]: index for index, row in enumerate(corrections)}
    own = [float(embedder.embed_queries([text])[0] @ questions[position[row["id"]]]) for row, text in positives]
    negative_vectors = embedder.embed_queries(negatives)
    best_negative = sorted(zip((negative_vectors @ questions.T).max(axis=1).tolist(), negatives, strict=True), reverse=True)
    print(f"{args.split}, {args.embedding}: {len(corrections)} corrections, {len(positives)} paraphrases, "
          f"{len(negatives)} negative messages")  # fmt: skip
    print(f"similarity of a paraphrase to its question: min {min(own):.3f} median {statistics.median(own):.3f}")
    print(f"best similarity of a negative to any question: max {best_negative[0][0]:.3f} "
          f"median {statistics.median(s for s, _ in best_negative):.3f}; highest:")  # fmt: skip
    for similarity, text in best_negative[:5]:
        print(f"  {similarity:.3f} {text}")

    rows = []
    for threshold in [None, *args.threshold]:
        retriever = Retriever(_with_threshold(components, threshold), "retail")
        started = time.perf_counter()
        found = [_first_source(retriever, text) == f"correction-{row['id']}" for row, text in positives]
        false = [_first_source(retriever, text).startswith("correction-") for text in negatives]
        seconds = (time.perf_counter() - started) / (len(found) + len(false))
        rows.append({"embedding": args.embedding, "threshold": threshold, "found_first": statistics.mean(found),
                     "false_first": statistics.mean(false), "ms_per_search": round(seconds * 1000, 1)})  # fmt: skip
        print(json.dumps(rows[-1]), flush=True)
    print("\n| correction embedding | correction_similarity | found first | false first | ms per search |\n|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['embedding']} | {row['threshold']} | {row['found_first']:.3f} | {row['false_first']:.3f} | "
              f"{row['ms_per_search']} |")  # fmt: skip


def _first_source(retriever: Retriever, text: str) -> str:
    hits = retriever.search(text, k=1, kinds=["policy"])
    return Path(hits[0].source).stem if hits else ""


def _components(folder: Path, models_dir: Path, embedding: str) -> Components:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=folder,
        llm={"models_dir": models_dir},  # type: ignore[arg-type]
        knowledge={"correction_embedding_model": embedding},  # type: ignore[arg-type]
        vector_store={"path": folder / "chroma"},  # type: ignore[arg-type]
        database={"url": f"sqlite:///{folder / 'assistant.db'}"},  # type: ignore[arg-type]
    )
    folder.mkdir(parents=True, exist_ok=True)
    return build_components(settings)


def _with_threshold(components: Components, threshold: float | None) -> Components:
    import dataclasses

    knowledge = components.settings.knowledge.model_copy(update={"correction_similarity": threshold})
    return dataclasses.replace(components, settings=components.settings.model_copy(update={"knowledge": knowledge}))


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


if __name__ == "__main__":
    main()
