"""Resolving what the customer describes to exact ids, in code.

"the mechanical keyboard" → the order line whose product name it names;
"clicky, same otherwise", "one size bigger", "the cheapest one in stock" → the
available variants of that product that fit the wish (agent.wishes reads it,
agent.option_order orders the values) and differ from the current item only
where the customer asked. Measured: a 1.5B model left to do this invents item
ids; matching over the order and the product catalogue does not. It works on
the connector models (an order's lines, a product's variants, a customer's
payment methods).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.agent import option_order, wishes
from assistant.agent.wishes import mentions, words
from assistant.connectors.models import OrderItem, PaymentMethod, Product, Variant

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


def squashed(text: str) -> str:
    """Lower-case letters and digits only: "T-Shirt", "t shirt" and "tshirt" are one name."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def match_items(text: str, items: Sequence[OrderItem]) -> list[OrderItem]:
    """Order lines the text names: by item id or full product name, else by its head noun ('keyboard', 'headphone').

    "all"/"everything" names every line.
    """
    asked = squashed(text)
    # "tshirt", "t shirt" and "T-Shirt" are one name.
    chosen = [
        item for item in items
        if mentions(text, item.item_id) or mentions(text, item.name)
        or ("-" in item.name and squashed(item.name) in asked)
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


_PIECE_END = re.compile(r"[.!?。！？;；]\s*|\s+and\s+|[，,]?\s*(?:另外|还有)")


def item_text(text: str, item: OrderItem, items: Sequence[OrderItem], *, message: str = "") -> str:
    """The parts of the text about one of the items (`items`: every line of its order): those naming it, and
    those after them that name no item.

    "exchange the keyboard for a clicky one and the thermostat for a white one" gives the keyboard
    "exchange the keyboard for a clicky one". Parts before any item is named are about every item; an
    item that no part names (chosen by "all") gets the whole text. A sentence of the whole `message`
    outside the text that names the item is about it too ("If there is no clicky keyboard with RGB, no
    backlight is fine", after the sentence that asked for the exchange).
    """
    pieces = [piece for piece in _PIECE_END.split(text) if piece.strip()]
    about, mine, named_once = list(items), [], False
    for piece in pieces:
        if named := match_items(piece, items):
            about, named_once = named, named_once or item in named
        if item in about:
            mine.append(piece)
    later = [
        sentence for sentence in _SENTENCE_END.split(message)
        if sentence.strip() and sentence.strip() not in text and item in match_items(sentence, items)
    ]  # fmt: skip
    return " ".join([*(mine if named_once else [text]), *later])


@dataclass(frozen=True)
class VariantFit:
    """The available variants that fit a wish; `exact` when they change nothing the customer did not ask for."""

    variants: list[Variant]
    exact: bool = True

    @property
    def chosen(self) -> Variant | None:
        """The variant to propose: the one exact fit. Several, or only near ones, are a question for the customer."""
        return self.variants[0] if self.exact and len(self.variants) == 1 else None


def resolve_variant(text: str, item: OrderItem, product: Product, others: Sequence[OrderItem] = ()) -> VariantFit:
    """The available variants of the product that fit the customer's wish for the item.

    The wish is read against the item, or — "same as my other one" — against the variant of this product
    the customer has on another order line (`others`). A variant fits exactly when it holds what the wish
    asks and changes nothing else; when none does, those that change least else fit nearly. Among them
    the customer's preferred values and the nearest step win, or with "the cheapest" the lowest price.
    """
    orders = option_order.product_orders(product)
    bases = [item.options]
    if wishes.same_as_other(text):
        owned = {o.item_id: o.options for o in others if o.product_id == item.product_id and o.item_id != item.item_id}
        bases = list(owned.values())
    fits = [_best(wish, base, item, product) for base in bases for wish in wishes.read_wishes(text, product, base, orders)]
    variants: list[Variant] = []
    for fit in fits:
        variants += [variant for variant in fit.variants if variant not in variants]
    return VariantFit(variants, exact=all(fit.exact for fit in fits if fit.variants))


def _best(wish: wishes.Wish, base: dict[str, str], item: OrderItem, product: Product) -> VariantFit:
    asks = wish.cheapest or base != item.options or any(set(ranks) != {base.get(key)} for key, ranks in wish.wanted.items())
    if not asks:
        return VariantFit([])  # nothing asked for but what the item already is
    ranked = [
        (rank, variant) for variant in product.variants
        if variant.available and variant.item_id != item.item_id and (rank := wish.rank(variant.options)) is not None
    ]  # fmt: skip

    def unasked(variant: Variant) -> int:
        return sum(1 for key, value in variant.options.items() if key not in wish.wanted and value != base.get(key))

    # "The cheapest" frees every option the wish leaves open; otherwise the rest stays as it is where it can.
    keys = [((0, rank, variant.price) if wish.cheapest else (unasked(variant), rank, 0.0), variant) for rank, variant in ranked]
    best = min((key for key, _ in keys), default=None)
    return VariantFit([variant for key, variant in keys if key == best], exact=best is None or best[0] == 0)


def match_variant(text: str, item: OrderItem, product: Product) -> Variant | None:
    """The one available variant that fits exactly what the text asks, or None."""
    return resolve_variant(text, item, product).chosen


def describe_variant(variant: Variant, currency: str) -> str:
    options = ", ".join(f"{k}: {v}" for k, v in variant.options.items())
    return f"{options} ({variant.price:.2f} {currency})"


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
