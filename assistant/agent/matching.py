"""Resolving what the customer describes to exact ids, in code.

"the mechanical keyboard" → the order line whose product name it names;
"clicky, same otherwise" → the available variant of that product whose option
values differ from the current item only where the customer asked. Measured:
a 1.5B model left to do this invents item ids; string matching over the order
and the product catalogue does not. It works on the connector models (an order's
lines, a product's variants, a customer's payment methods).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.connectors.models import OrderItem, PaymentMethod, Product, Variant

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _mentions(text: str, phrase: str) -> bool:
    """The phrase appears in the text as whole words (case-insensitive)."""
    return re.search(r"(?<![a-z0-9])" + re.escape(phrase.lower()) + r"(?![a-z0-9])", text.lower()) is not None


_ALL = re.compile(r"\b(all|everything|every item|whole order|entire order)\b|全部|所有", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?。！？;；]\s*")


def operation_segment(text: str, own_words: tuple[str, ...], other_words: tuple[str, ...]) -> str:
    """The parts of a message about one operation: from each of its keywords to the next other-operation keyword.

    "return the water bottle, and exchange the pet bed" gives "return the water bottle, and " for a return.
    When no keyword of the operation is present, the whole message.
    """
    lowered = text.lower()
    starts = sorted({m.start() for w in own_words for m in _word(w).finditer(lowered)})
    if not starts:
        return text
    pieces = []
    for start in starts:
        end = len(text)
        for word in other_words:
            found = _word(word).search(lowered, start + 1)
            if found:
                end = min(end, found.start())
        sentence_end = _SENTENCE_END.search(text, start)
        if sentence_end:
            end = min(end, sentence_end.end())
        pieces.append(text[start:end])
    return " ".join(pieces)


def _word(word: str) -> re.Pattern[str]:
    """The word with its inflections ('return', 'returns', 'returned'), not as part of another ('switches')."""
    return re.compile(r"\b" + re.escape(word) + r"(?:s|es|ed|ing)?\b")


def _squashed(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def match_items(text: str, items: Sequence[OrderItem]) -> list[OrderItem]:
    """Order lines the text names: by item id or full product name, else by its head noun ('keyboard', 'headphone').

    "all"/"everything" names every line.
    """
    squashed = _squashed(text)
    # "tshirt", "t shirt" and "T-Shirt" are one name.
    chosen = [
        item for item in items
        if _mentions(text, item.item_id) or _mentions(text, item.name)
        or ("-" in item.name and _squashed(item.name) in squashed)
    ]  # fmt: skip
    text_words = {_singular(w) for w in words(text)}
    for item in items:
        if item in chosen:
            continue
        head = _singular(item.name.split()[-1].lower())
        if len(head) >= 3 and head in text_words:
            chosen.append(item)
    if not chosen and _ALL.search(text):
        return list(items)
    return chosen


# How customers name option values that the catalogue writes differently.
_VALUE_SYNONYMS = {
    "xs": ("extra small",),
    "s": ("small",),
    "m": ("medium",),
    "l": ("large",),
    "xl": ("extra large",),
    "xxl": ("extra extra large", "2xl"),
    "none": ("no backlight", "without backlight"),
}
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6"}


def _normalise(text: str) -> str:
    return re.sub(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", lambda m: _NUMBER_WORDS[m.group(1).lower()], text.lower())


def _value_mentioned(text: str, key: str, value: str) -> int:
    """2 when the option value is named outright, 1 when one of its distinctive words is, else 0."""
    value_l = value.lower()
    text = _normalise(text)
    if _mentions(text, value_l) or any(_mentions(text, synonym) for synonym in _VALUE_SYNONYMS.get(value_l, ())):
        return 2
    if value_l == "none" and (_mentions(text, f"no {key}") or _mentions(text, f"without {key}")):
        return 2
    distinctive = [w for w in words(value_l) if len(w) >= 4 and w not in {"none", "with", "size"}]
    return 1 if any(_mentions(text, w) for w in distinctive) else 0


def score_variant(text: str, current: dict[str, str], candidate: dict[str, str]) -> int:
    """Reward changes the customer asked for, penalise changes they did not mention."""
    score = 0
    for key, value in candidate.items():
        if current.get(key) == value:
            continue
        mentioned = _value_mentioned(text, key, str(value))
        score += 2 * mentioned if mentioned else -1
    return score


def match_variant(text: str, item: OrderItem, product: Product) -> Variant | None:
    """The best available variant of the product for what the text asks, or None if nothing asked-for is available."""
    best: tuple[int, float, Variant] | None = None
    for variant in product.variants:
        if not variant.available or variant.item_id == item.item_id:
            continue
        score = score_variant(text, item.options, variant.options)
        # On a tie, the variant closest to the current price changes the customer's bill least.
        key = (score, -abs(variant.price - item.price))
        if score > 0 and (best is None or key > best[:2]):
            best = (*key, variant)
    return best[2] if best else None


def available_options(product: Product) -> list[str]:
    return [", ".join(f"{k}: {v}" for k, v in variant.options.items()) for variant in product.variants if variant.available]


def match_payment(text: str, methods: Sequence[PaymentMethod]) -> str | None:
    """A payment method the text names by id, or by kind ('paypal', 'gift card', 'credit card', a card's last four)."""
    for method in methods:
        if method.id in text:
            return method.id
    lowered = text.lower()
    for method in methods:
        if method.last_four and method.last_four in text:
            return method.id
    for source, phrases in (
        ("paypal", ("paypal",)),
        ("gift_card", ("gift card", "giftcard")),
        ("credit_card", ("credit card", "card ending", "visa", "mastercard")),
    ):
        if any(phrase in lowered for phrase in phrases):
            matches = [method for method in methods if method.source == source]
            if len(matches) == 1:
                return matches[0].id
    return None


def describe_payment(method: PaymentMethod) -> str:
    if method.brand and method.last_four:
        return f"{method.brand} card ending {method.last_four} ({method.id})"
    return method.id
