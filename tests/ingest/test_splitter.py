"""Heading-aware, sentence-aware splitting within a token budget, with deterministic chunk ids."""

from __future__ import annotations

from assistant.components.tokens import count_tokens
from ingest.models import Section, SourceDocument
from ingest.splitter import language_of, split_document


def _document(sections: list[Section], kind: str = "policy") -> SourceDocument:
    return SourceDocument(id="doc-1", title="Title", kind=kind, source="doc.md", source_path="/tmp/doc.md", sections=sections)  # type: ignore[arg-type]


def test_long_chinese_text_is_cut_at_sentence_ends_within_the_budget() -> None:
    sentence = "本产品采用搪瓷内胆，防腐蚀且耐用，适合三到四口之家日常使用。"
    text = "".join(f"第{i}条：{sentence}" for i in range(40))
    section = Section(heading_path=["商品描述"], text=text)
    chunks = split_document(_document([section]), [section], "h", 120, 50)
    assert len(chunks) > 3
    assert all(count_tokens(chunk.text) <= 120 for chunk in chunks)
    assert all(chunk.text.endswith("。") for chunk in chunks)
    assert all(chunk.heading_path == ["商品描述"] and chunk.language == "zh" for chunk in chunks)
    # Overlap, in whole sentences: each chunk starts with the last sentence of the one before.
    for previous, chunk in zip(chunks, chunks[1:], strict=False):
        assert previous.text.endswith(chunk.text.split("。")[0] + "。")


def test_english_text_is_cut_at_sentence_ends() -> None:
    text = " ".join(f"Rule {i} says a refund goes back to the original payment method within five days." for i in range(60))
    chunks = split_document(_document([Section(text=text)]), [Section(text=text)], "h", 80, 0)
    assert all(count_tokens(chunk.text) <= 80 and chunk.language == "en" for chunk in chunks)
    assert all(chunk.text.endswith("days.") for chunk in chunks)


def test_small_sections_share_a_chunk_and_keep_their_headings_as_lines() -> None:
    sections = [
        Section(heading_path=["Eligibility"], text="Customer must be verified."),
        Section(heading_path=["Eligibility", "Age"], text="At least 18."),
        Section(heading_path=["Procedure"], text="Open the account."),
    ]
    merged = split_document(_document(sections), sections, "h", 300, 40)
    assert len(merged) == 1
    assert merged[0].heading_path == []
    assert merged[0].text.splitlines()[:2] == ["Eligibility", "Customer must be verified."]
    separate = split_document(_document(sections), sections, "h", 300, 40, merge_sections=False)
    assert [chunk.heading_path for chunk in separate] == [["Eligibility"], ["Eligibility", "Age"], ["Procedure"]]


def test_chunk_ids_are_deterministic_and_change_with_the_content() -> None:
    sections = [Section(heading_path=["A"], text="First part. " * 50), Section(heading_path=["B"], text="Second part. " * 50)]
    first = split_document(_document(sections), sections, "h", 60, 10)
    again = split_document(_document(sections), sections, "h", 60, 10)
    assert [c.id for c in first] == [c.id for c in again]
    assert all(c.id.startswith(f"doc-1#{c.index}:") and c.count == len(first) for c in first)
    edited = [sections[0], Section(heading_path=["B"], text="Second part, edited. " * 50)]
    changed = split_document(_document(edited), edited, "h", 60, 10)
    assert {c.id for c in changed} & {c.id for c in first}  # the untouched section keeps its ids
    assert {c.id for c in changed} != {c.id for c in first}


def test_language_by_script() -> None:
    assert language_of("如何申请退货？") == "zh"
    assert language_of("How do I return the F6033 heater?") == "en"
    assert language_of("F6033-UD3(HE)热水器漏水怎么办") == "zh"
