"""The scrubber on its own: every kind of personal data becomes its placeholder; order and product ids stay."""

from __future__ import annotations

from pathlib import Path

from ingest.pii.scrubber import Scrubber


def test_english_ticket() -> None:
    text = (
        "user: Hi, my name is Yusuf Rossi and my zip code is 19122. Email yusuf.rossi7301@example.com, "
        "phone (415) 555-2671 or +44 20 7946 0958. Card 4111 1111 1111 1111, SSN 078-05-1120. "
        "I live at 445 Maple Drive, Suite 394, Philadelphia, PA 19122. Order #W2378156, item 3377618313.\n"
        'tool: {"user_id": "yusuf_rossi_9620", "name": {"first_name": "Yusuf", "last_name": "Rossi"}, '
        '"address": {"address1": "445 Maple Drive", "address2": "Suite 394", "zip": "19122"}}\n'
        "assistant: Thanks, Rossi, Yusuf. Your reference 1234567812345678 is noted."
    )
    out = Scrubber().scrub(text)
    for secret in ("Yusuf", "Rossi", "yusuf", "19122", "555-2671", "7946", "4111", "078-05-1120", "445 Maple", "Suite 394"):
        assert secret not in out, secret
    for kept in ("#W2378156", "3377618313", "1234567812345678", "Philadelphia"):  # ids; a Luhn-invalid number is no card
        assert kept in out, kept
    assert {"<NAME>", "<EMAIL>", "<PHONE>", "<CARD>", "<ID_NUMBER>", "<ADDRESS>"} <= set(_placeholders(out))


def test_chinese_ticket() -> None:
    text = (
        "用户：你好，我叫宋敬明，手机15540534614，座机 020-12345678，身份证号11010519491231002X。"
        "收货地址：四川省成都市武侯区科华北路62号力宝大厦北区15层。订单312790552933里的商品100112573665漏水了。\n"
        "客服：宋敬明您好，王先生已经为您登记。"
    )
    out = Scrubber().scrub(text)
    for secret in ("宋敬明", "15540534614", "12345678", "11010519491231002X", "科华北路", "力宝大厦", "王先生"):
        assert secret not in out, secret
    for kept in ("312790552933", "100112573665", "漏水"):
        assert kept in out, kept
    assert {"<NAME>", "<PHONE>", "<ID_NUMBER>", "<ADDRESS>"} <= set(_placeholders(out))


def test_known_names_from_a_list_and_from_name_pairs(tmp_path: Path) -> None:
    names_file = tmp_path / "names.txt"
    names_file.write_text("# customers\n欧阳娜娜\n", encoding="utf-8")
    out = Scrubber(extra_names_file=names_file).scrub("Agent Grace Hopper forwarded the case of 欧阳娜娜 to Will.")
    assert "Grace" not in out and "Hopper" not in out and "欧阳娜娜" not in out
    assert "Will." in out  # a common word is not taken for a name without a cue


def _placeholders(text: str) -> list[str]:
    import re

    return re.findall(r"<[A-Z_]+>", text)
