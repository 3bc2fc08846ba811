"""The order of a product's option values, derived from the values its variants hold.

Numbers with units order by quantity ("8" < "9", "500ml" < "1L", "256GB SSD" <
"1TB SSD", "4 hours" < "10 hours"); words order on a known scale (XS < S < M <
L, low < medium < high, A6 < A5 < A4). An option whose values fit neither —
colours, materials, "AC adapter" / "USB" / "battery" — has no order: a
comparative never moves along it, and the customer names a value or states
their own preference order instead (agent.wishes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.connectors.models import Product

# A leading quantity, an optional range end ("30-50 lbs" orders by its start), then the unit.
_QUANTITY = re.compile(r"^\s*(\d+(?:\.\d+)?)(?:\s*-\s*\d+(?:\.\d+)?)?\s*-?\s*([a-z%]*)")
# Units one option may mix ("1L" and "500ml"): the dimension and the factor to its base unit.
# Any other unit ("W", "bar", "mAh", "MP", "%") compares only with itself.
_UNITS: dict[str, tuple[str, float]] = {
    "ml": ("volume", 1.0), "l": ("volume", 1000.0), "liter": ("volume", 1000.0), "litre": ("volume", 1000.0),
    "mb": ("bytes", 1 / 1024), "gb": ("bytes", 1.0), "tb": ("bytes", 1024.0),
    "mm": ("length", 0.1), "cm": ("length", 1.0), "m": ("length", 100.0), "inch": ("length", 2.54),
    "in": ("length", 2.54), "ft": ("length", 30.48), "foot": ("length", 30.48), "feet": ("length", 30.48),
    "min": ("time", 1.0), "minute": ("time", 1.0), "h": ("time", 60.0), "hr": ("time", 60.0), "hour": ("time", 60.0),
}  # fmt: skip

# Word scales, lowest first, for the scales shops use; values must all sit on one scale to be ordered by it.
_SCALES: tuple[tuple[str, ...], ...] = (
    ("xxs", "xs", "s", "m", "l", "xl", "xxl", "xxxl"),
    ("portable", "small", "medium", "large", "extra large"),
    ("low", "medium", "high"),
    ("beginner", "intermediate", "expert"),
    ("basic", "standard", "professional"),
    ("a6", "a5", "a4", "a3"),  # paper sizes: the larger the number, the smaller the sheet
    ("i3", "i5", "i7", "i9"),
    ("720p", "1080p", "1440p", "2k", "4k", "5k", "8k"),
    ("not resistant", "ipx4", "ipx5", "ipx6", "ipx7", "ipx8"),
    ("60%", "65%", "75%", "80%", "full size"),  # keyboard sizes
)


def _unit(raw: str) -> tuple[str, float]:
    for candidate in (raw, raw[:-1], raw[:-2]):  # "liters", "hours", "inches"
        if candidate in _UNITS:
            return _UNITS[candidate]
    return (raw.removesuffix("s") if len(raw) > 2 else raw), 1.0


def _quantity(value: str) -> tuple[str, float] | None:
    """The value's dimension and size in its base unit, or None when it does not start with a number."""
    found = _QUANTITY.match(value.lower())
    if not found:
        return None
    dimension, factor = _unit(found.group(2))
    return dimension, float(found.group(1)) * factor


def value_order(values: Iterable[str]) -> list[str] | None:
    """The distinct values lowest first, or None when they have no order (or fewer than two)."""
    distinct = sorted(set(values))
    if len(distinct) < 2:
        return None
    quantities = [_quantity(value) for value in distinct]
    if all(quantities) and len({q[0] for q in quantities if q}) == 1:
        sizes = {value: q[1] for value, q in zip(distinct, quantities, strict=True) if q}
        if len(set(sizes.values())) == len(distinct):
            return sorted(distinct, key=sizes.__getitem__)
    lowered = {value: value.lower() for value in distinct}
    for scale in _SCALES:
        if all(word in scale for word in lowered.values()):
            return sorted(distinct, key=lambda value: scale.index(lowered[value]))
    return None


def product_orders(product: Product) -> dict[str, list[str]]:
    """Each ordered option of the product, with its values lowest first (from every variant, in stock or not)."""
    values: dict[str, list[str]] = {}
    for variant in product.variants:
        for key, value in variant.options.items():
            values.setdefault(key, []).append(value)
    orders = {key: value_order(found) for key, found in values.items()}
    return {key: order for key, order in orders.items() if order}
