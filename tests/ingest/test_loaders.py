"""Loading every supported format into sections, and reporting (not raising on) bad input."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.loaders import load_paths
from tests.conftest import DATA


def _pdf(text: str) -> bytes:
    """A one-page PDF with a text layer (pypdf reads, it does not write text; this is the smallest valid file)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_markdown_is_split_at_real_headings_with_the_single_h1_as_title(tmp_path: Path) -> None:
    source = tmp_path / "returns.md"
    source.write_text(
        "# Returns policy\n\nIntro line.\n\n## Refunds\n\nRefunds go to the original payment.\n\n"
        "### Gift cards\n\nGift card refunds are immediate.\n\n```\n# not a heading\n```\n\n## Exchanges\n\nOnce per order.\n",
        encoding="utf-8",
    )
    [document] = load_paths([source], "policy").documents
    assert document.title == "Returns policy"
    assert [section.heading_path for section in document.sections] == [[], ["Refunds"], ["Refunds", "Gift cards"], ["Exchanges"]]
    assert "# not a heading" in document.sections[2].text
    assert document.id == document.source and document.source_path == str(source.resolve())


def test_html_pdf_and_text_files(tmp_path: Path) -> None:
    (tmp_path / "faq.html").write_text(
        "<html><head><title>FAQ</title><script>var x = 1;</script></head><body>"
        "<h2>Shipping</h2><p>We ship in 2 days.</p><h3>Abroad</h3><p>Abroad takes 9 days.</p></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "manual.pdf").write_bytes(_pdf("Hold the power button for five seconds"))
    (tmp_path / "note.txt").write_text("保修期内免费维修。\n", encoding="utf-8")
    result = load_paths([tmp_path], "product")
    assert not result.problems
    by_name = {Path(document.source).name: document for document in result.documents}
    html = by_name["faq.html"]
    assert html.title == "FAQ"
    assert [(s.heading_path, s.text) for s in html.sections] == [
        (["Shipping"], "We ship in 2 days."),
        (["Shipping", "Abroad"], "Abroad takes 9 days."),
    ]
    assert "power button" in by_name["manual.pdf"].sections[0].text and by_name["manual.pdf"].sections[0].heading_path == [
        "page 1"
    ]
    assert by_name["note.txt"].sections[0].text == "保修期内免费维修。"


def test_products_json_gives_one_document_per_product_with_fields_as_sections() -> None:
    result = load_paths([DATA / "ecom_store" / "products.json"], "product")
    assert not result.problems
    assert len(result.documents) == 52
    heater = next(document for document in result.documents if document.id == "100112573665")
    assert heater.title.startswith("美的（Midea）60升超薄双胆扁桶电热水器")
    headings = [section.heading_path[0] for section in heater.sections]
    assert headings[0] == "Overview" and {"商品描述", "常见故障", "安装说明"} <= set(headings)
    faults = next(section for section in heater.sections if section.heading_path == ["常见故障"])
    assert "F001" in faults.text and "加热缓慢" in faults.text and "{" not in faults.text


def test_tickets_from_jsonl_transcripts_and_csv_question_resolution(tmp_path: Path) -> None:
    csv_file = tmp_path / "tickets.csv"
    csv_file.write_text(
        "ticket_id,question,resolution,outcome\nT-1,My parcel is late,Reshipped with express,resolved\n", encoding="utf-8"
    )
    turns_file = tmp_path / "turns.jsonl"
    turns = [{"role": "user", "content": "Where is my order?"}, {"role": "assistant", "content": "It ships today."}]
    turns_file.write_text(json.dumps({"id": "T-2", "conversation": turns}) + "\n", encoding="utf-8")
    result = load_paths([DATA / "retail" / "resolved_tickets.jsonl", csv_file, turns_file], "ticket")
    assert not result.problems
    assert len(result.documents) == 21
    turns_ticket = next(document for document in result.documents if document.id == "T-2")
    assert turns_ticket.sections[0].text == "user: Where is my order?\nassistant: It ships today."
    csv_ticket = next(document for document in result.documents if document.id == "T-1")
    assert [(s.heading_path, s.text) for s in csv_ticket.sections] == [
        (["Question"], "My parcel is late"),
        (["Resolution"], "Reshipped with express"),
        (["Outcome"], "resolved"),
    ]


def test_bad_input_is_reported_per_file_and_the_rest_still_loads(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": "p1", "title": "Refunds", "content": "Refunds take 5 days."}) + "\n", encoding="utf-8")
    (tmp_path / "empty.md").write_text("  \n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00\x81 not utf-8 \xc3\x28")
    (tmp_path / "slides.pptx").write_bytes(b"PK\x03\x04")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 this is not a pdf")
    (tmp_path / "mixed.jsonl").write_text(
        json.dumps({"id": "p2", "title": "No body"}) + "\n{not json\n" + json.dumps({"id": "p3", "content": "Body only."}) + "\n",
        encoding="utf-8",
    )
    result = load_paths([tmp_path, tmp_path / "missing-folder"], "policy")
    assert sorted(document.id for document in result.documents) == ["p1", "p3"]
    messages = {(Path(problem.path).name, problem.message.split(" (")[0].split(":")[0]) for problem in result.problems}
    assert ("empty.md", "empty file") in messages
    assert ("binary.txt", "unreadable") in messages
    assert ("slides.pptx", "unknown format .pptx; known") in messages
    assert ("broken.pdf", "unreadable") in messages
    assert ("mixed.jsonl", "record 1") in messages  # no text field
    assert ("mixed.jsonl", "line 2") in messages  # not JSON
    assert ("missing-folder", "no such file or folder") in messages
    # A file with a broken record is kept out of --prune: the broken record may be a stored document.
    assert str((tmp_path / "mixed.jsonl").resolve()) in result.unreadable_files
