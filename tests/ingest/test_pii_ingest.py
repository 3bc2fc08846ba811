"""A ticket corpus seeded with personal data: none of it reaches Chroma, the keyword index or the logs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from assistant.components.container import Components
from assistant.retrieval.collection import open_collection
from assistant.retrieval.retriever import Retriever
from ingest.pipeline import IngestPipeline

SEEDED = {
    "email": ["olivia.chen1984@example.com", "zhang.wei@qq.com"],
    "phone": ["(646) 555-0187", "+86 139 1234 5678", "13812345678", "+44 20 7946 0958"],
    "card": ["4539 1488 0343 6467", "5500-0000-0000-0004"],
    "address": ["742 Evergreen Terrace", "Apt 5B", "北京市朝阳区建国路88号"],
    "name": ["Olivia Chen", "Olivia", "Chen", "张伟"],
    "id_number": ["11010519491231002X", "078-05-1120"],
}
KEPT = ["#W4817420", "#W5918442", "6817146515", "100112573665"]


def _seed(folder: Path) -> Path:
    folder.mkdir()
    tickets = [
        {
            "id": "pii-1",
            "transcript": (
                "user: Hi, my name is Olivia Chen. My order #W4817420 arrived broken.\n"
                "assistant: Sorry, Olivia. Could you confirm your email?\n"
                "user: It's olivia.chen1984@example.com, or call me at (646) 555-0187.\n"
                'tool: {"name": {"first_name": "Olivia", "last_name": "Chen"}, "address": {"address1": "742 Evergreen Terrace", '
                '"address2": "Apt 5B", "city": "Springfield", "zip": "62704"}, "payment": "card 4539 1488 0343 6467"}\n'
                "assistant: Thanks, Ms. Chen. I refunded item 6817146515 of #W4817420 to the original card.\n"
                "user: My SSN is 078-05-1120 if you need it. UK number +44 20 7946 0958."
            ),
        },
        {
            "id": "pii-2",
            "transcript": (
                "用户：你好，我叫张伟，手机13812345678，也可以打+86 139 1234 5678。\n"
                "用户：收货地址：北京市朝阳区建国路88号，身份证号11010519491231002X，邮箱zhang.wei@qq.com。\n"
                "客服：张伟您好，商品100112573665的退款已处理，订单#W5918442，卡号5500-0000-0000-0004已退回。"
            ),
        },
    ]
    path = folder / "tickets.jsonl"
    path.write_text("".join(json.dumps(ticket, ensure_ascii=False) + "\n" for ticket in tickets), encoding="utf-8")
    (folder / "more.csv").write_text(
        'ticket_id,question,resolution,outcome\nT-9,"Olivia Chen here, ship to 742 Evergreen Terrace",Address updated,resolved\n',
        encoding="utf-8",
    )
    return folder


def test_no_personal_data_in_chroma_keyword_index_or_logs(
    components: Components, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    report = IngestPipeline(components).run([_seed(tmp_path / "tickets")], "ticket")
    assert report.added == 3 and not report.problems

    retriever = Retriever(components)
    assert retriever.search("refund broken order", k=3, mode="keyword")  # builds and caches the keyword index
    assert retriever.search("olivia chen1984 example 张伟", k=5, mode="keyword") == []  # nothing to match any more

    ids, metadatas, texts = open_collection(components).all_chunks()
    stored = json.dumps([ids, metadatas, texts], ensure_ascii=False)
    cache_files = list((components.settings.data_dir / "keyword_index").glob("*.json"))
    assert cache_files, "the keyword index cache was not written"
    keyword_index = "".join(path.read_text(encoding="utf-8") for path in cache_files)
    logs = caplog.text + "".join(str(record.args) for record in caplog.records)

    for kind, values in SEEDED.items():
        for value in values:
            for where, content in (("chroma", stored), ("keyword index", keyword_index), ("logs", logs)):
                assert value not in content, f"{kind} {value!r} found in the {where}"
    for value in KEPT:
        assert value in stored
    for placeholder in ("<NAME>", "<EMAIL>", "<PHONE>", "<CARD>", "<ADDRESS>", "<ID_NUMBER>"):
        assert placeholder in stored
    assert "personal data replaced" in caplog.text
