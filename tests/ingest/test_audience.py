"""Every ingested chunk carries its audience: the operator's, else the document's front matter, else its kind's default."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.components.container import Components
from assistant.retrieval.collection import open_collection
from assistant.shops import load_shop
from ingest.demo import demo_job
from ingest.pipeline import IngestPipeline
from tests.conftest import DATA


def _audiences(components: Components) -> dict[str, set[str]]:
    """document id → the audiences its stored chunks carry."""
    ids, metadatas = open_collection(components).all_metadata()
    found: dict[str, set[str]] = {}
    for metadata in metadatas:
        found.setdefault(str(metadata["document_id"]), set()).add(str(metadata.get("audience")))
    return found


def _products(tmp_path: Path, count: int = 1) -> Path:
    products = json.loads((DATA / "ecom_store" / "products.json").read_text(encoding="utf-8"))
    platform, shops = next(iter(products.items()))
    shop, items = next(iter(shops.items()))
    path = tmp_path / "products.json"
    path.write_text(json.dumps({platform: {shop: dict(list(items.items())[:count])}}, ensure_ascii=False), encoding="utf-8")
    return path


def test_defaults_by_kind_and_by_the_documents_own_declaration(components: Components, tmp_path: Path) -> None:
    pipeline = IngestPipeline(components)
    pipeline.run([DATA / "retail" / "policy.md", DATA / "retail" / "help_centre.md"], "policy")
    pipeline.run([_products(tmp_path)], "product")
    tickets = tmp_path / "tickets.jsonl"
    tickets.write_text("".join((DATA / "retail" / "resolved_tickets.jsonl").read_text(encoding="utf-8").splitlines(True)[:2]))
    pipeline.run([tickets], "ticket")

    found = _audiences(components)
    assert found.pop("data/retail/policy.md") == {"internal"}  # an agent-facing policy nobody marked public
    assert found.pop("data/retail/help_centre.md") == {"customer"}  # its front matter says so
    ticket_ids = [document_id for document_id in found if document_id.startswith("ticket")]
    assert len(ticket_ids) == 2 and all(found.pop(document_id) == {"internal"} for document_id in ticket_ids)
    assert list(found.values()) == [{"customer"}]  # the product


def test_the_operators_audience_wins_and_a_change_rewrites_the_document(components: Components) -> None:
    pipeline = IngestPipeline(components)
    first = pipeline.run([DATA / "retail" / "help_centre.md"], "policy", audience="internal")
    assert first.audience == "internal" and first.added == 1
    assert _audiences(components)["data/retail/help_centre.md"] == {"internal"}

    again = pipeline.run([DATA / "retail" / "help_centre.md"], "policy", audience="customer")
    assert (again.updated, again.skipped) == (1, 0), "the audience is part of what a document turns into"
    assert _audiences(components)["data/retail/help_centre.md"] == {"customer"}
    assert pipeline.run([DATA / "retail" / "help_centre.md"], "policy", audience="customer").skipped == 1


def test_published_corrections_are_customer_facing_and_a_bad_declaration_is_reported(
    components: Components, tmp_path: Path
) -> None:
    corrections = components.settings.data_dir / "knowledge" / "corrections"
    corrections.mkdir(parents=True)
    (corrections / "correction-1.md").write_text("# Do you gift-wrap?\n\nYes, at checkout.\n", encoding="utf-8")
    bad = tmp_path / "bad.md"
    bad.write_text("---\naudience: everyone\n---\n# Bad\n\nText.\n", encoding="utf-8")
    report = IngestPipeline(components).run([corrections, bad], "policy")
    assert [problem.path for problem in report.problems] == [bad.resolve().as_posix()]
    assert "audience" in report.problems[0].message
    (audiences,) = _audiences(components).values()
    assert audiences == {"customer"}


def test_the_demo_shops_keep_their_businesses_apart() -> None:
    shops = {name: load_shop(name) for name in ("retail", "jd_appliances")}
    retail, jd = demo_job(shops["retail"], shops), demo_job(shops["jd_appliances"], shops)
    assert {(source.path.name, source.audience) for source in retail.sources} == {
        ("help_centre.md", "customer"),
        ("help_centre_zh.md", "customer"),
        ("policy.md", "internal"),
        ("resolved_tickets.jsonl", "internal"),
    }
    assert {(source.path.name, source.audience) for source in jd.sources} == {
        ("policy_zh.md", "internal"),
        ("products.json", "customer"),
    }
    assert (retail.collection, jd.collection) == ("knowledge_retail", "knowledge_jd_appliances")
    assert all(source.path.exists() for job in (retail, jd) for source in job.sources)
    foreign = {path.name for path in retail.foreign}
    assert foreign == {"policy_zh.md", "products.json", "documents.jsonl"}  # the other shop's, and the bank's


def test_removing_another_shops_sources(components: Components, tmp_path: Path) -> None:
    pipeline = IngestPipeline(components)
    pipeline.run([DATA / "retail" / "help_centre.md"], "policy")
    pipeline.run([_products(tmp_path, 2)], "product")
    dry = pipeline.remove_sources([tmp_path / "products.json"], dry_run=True)
    assert dry.deleted == 2 and len(_audiences(components)) == 3
    removed = pipeline.remove_sources([tmp_path / "products.json", tmp_path / "never-ingested.json"])
    assert removed.deleted == 2 and removed.chunks_deleted >= 2
    assert list(_audiences(components)) == ["data/retail/help_centre.md"]
