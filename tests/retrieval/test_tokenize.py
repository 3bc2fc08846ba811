"""Keyword tokens: a model number written without (or with other) separators still meets the catalogue's."""

from __future__ import annotations

from assistant.retrieval.tokenize import tokenize


def test_model_number_parts_are_also_joined() -> None:
    catalogue = set(tokenize("美的F6033-JE6(HE)电热水器"))
    assert {"f6033", "je6", "f6033je6"} <= catalogue
    assert "f6033je6" in tokenize("f6033je6热水器报E01")  # the customer's spelling, one token
    assert "jsq30m9" in set(tokenize("JSQ30-M9 Max")) & set(tokenize("JSQ30 M9 Max"))
    # U+2011, the non-breaking hyphen some product titles use, joins like an ASCII one.
    assert "m10max" in set(tokenize("JSLQ27\u2011M10 Max")) & set(tokenize("jslq27-m10max"))


def test_words_without_digits_and_parts_split_by_other_text_stay_apart() -> None:
    assert "giftwrap" not in tokenize("gift wrap")  # no digit: ordinary words are not glued together
    tokens = tokenize("E01 故障, F6033 型号")
    assert "e01f6033" not in tokens and "e01" in tokens and "f6033" in tokens
    assert {"退货", "政策"} <= set(tokenize("退货政策"))
