"""The incremental run on real components: skip unchanged, re-embed only what changed, prune, refuse bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.components.container import Components, build_components
from assistant.errors import EmbeddingModelMismatchError
from assistant.settings import Settings
from ingest.pipeline import IngestPipeline
from tests.conftest import DATA
from tests.ingest.conftest import stored_chunks


def test_rerun_skips_everything_and_an_edited_file_alone_is_re_embedded(components: Components, tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "returns.md").write_text(
        "# Returns\n\n## Window\n\nReturns within 30 days.\n\n## Refunds\n\nTo the original card.\n"
    )
    (folder / "shipping.md").write_text("# Shipping\n\nWe ship within two days. Express costs extra.\n")
    (folder / "policy_zh.md").write_bytes((DATA / "ecom_store" / "policy_zh.md").read_bytes())
    pipeline = IngestPipeline(components)

    first = pipeline.run([folder], "policy")
    assert (first.added, first.updated, first.skipped, first.problems) == (3, 0, 0, [])
    before = stored_chunks(components)
    assert len(before) == first.chunks_written > 3

    again = pipeline.run([folder], "policy")
    assert (again.added, again.updated, again.skipped, again.chunks_written, again.chunks_deleted) == (0, 0, 3, 0, 0)
    assert stored_chunks(components) == before

    (folder / "shipping.md").write_text("# Shipping\n\nWe ship within one day. Express is free over 99 yuan.\n")
    edited = pipeline.run([folder], "policy")
    assert (edited.added, edited.updated, edited.skipped) == (0, 1, 2)
    after = stored_chunks(components)
    shipping_id = str((folder / "shipping.md").resolve())
    unchanged = {chunk_id: digest for chunk_id, digest in before.items() if not chunk_id.startswith(shipping_id)}
    assert {chunk_id: digest for chunk_id, digest in after.items() if not chunk_id.startswith(shipping_id)} == unchanged
    new_shipping = {chunk_id for chunk_id in after if chunk_id.startswith(shipping_id)}
    assert edited.chunks_written == len(new_shipping) and new_shipping.isdisjoint(before)


def test_prune_deletes_only_documents_gone_from_the_named_paths(
    components: Components, banking_slice: Callable[..., Path], tmp_path: Path
) -> None:
    source = banking_slice(12)
    other = tmp_path / "other.md"
    other.write_text("# Other\n\nA policy from elsewhere.\n")
    pipeline = IngestPipeline(components)
    pipeline.run([source], "policy")
    pipeline.run([other], "policy")
    ids_before = {chunk_id.split("#")[0] for chunk_id in stored_chunks(components)}

    lines = source.read_text().splitlines()
    removed = [json.loads(line)["id"] for line in lines[:3]]
    source.write_text("\n".join(lines[3:]) + "\n")
    kept_without_prune = pipeline.run([source], "policy")
    assert kept_without_prune.deleted == 0 and {cid.split("#")[0] for cid in stored_chunks(components)} == ids_before

    pruned = pipeline.run([source], "policy", prune=True)
    assert pruned.deleted == 3 and pruned.chunks_deleted > 0
    remaining = {chunk_id.split("#")[0] for chunk_id in stored_chunks(components)}
    assert remaining == ids_before - set(removed)
    assert str(other.resolve()) in remaining  # outside the pruned path: untouched

    source.unlink()
    pipeline.run([source.parent], "policy", prune=True)  # the file is gone from its folder
    assert {chunk_id.split("#")[0] for chunk_id in stored_chunks(components)} == {str(other.resolve())}


def test_bad_input_loses_nothing_already_stored(components: Components, banking_slice: Callable[..., Path]) -> None:
    source = banking_slice(6)
    pipeline = IngestPipeline(components)
    pipeline.run([source], "policy")
    before = stored_chunks(components)

    source.write_text(source.read_text() + "{this line is broken\n")
    report = pipeline.run([source], "policy", prune=True)
    assert report.skipped == 6 and report.deleted == 0
    assert [problem.message.split(":")[0] for problem in report.problems] == ["line 7"]
    assert stored_chunks(components) == before

    source.write_bytes(b"\xff\xfe broken encoding")
    report = pipeline.run([source], "policy", prune=True)
    assert report.documents_seen == 0 and not report.ingested_anything and report.deleted == 0
    assert stored_chunks(components) == before


def test_dry_run_writes_nothing(components: Components, banking_slice: Callable[..., Path]) -> None:
    report = IngestPipeline(components).run([banking_slice(5)], "policy", dry_run=True)
    assert report.added == 5 and report.chunks_written > 0
    assert components.vector_store().collection_names() == []


def test_a_collection_made_by_another_model_is_refused(
    components: Components, make_settings: Callable[..., Settings], banking_slice: Callable[..., Path]
) -> None:
    source = banking_slice(2)
    IngestPipeline(components).run([source], "policy")
    other_model = build_components(make_settings(embedding={"packaged_model": "all-minilm-l6-v2"}))
    with pytest.raises(EmbeddingModelMismatchError, match="use-multilingual-v3.*all-minilm-l6-v2"):
        IngestPipeline(other_model).run([source], "policy")
