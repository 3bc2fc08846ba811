"""What the customer wishes a variant to be, read in code from their words against one product's real options.

"in black" names a value; "battery > USB > AC" names values in their order of
preference; "one size bigger" / "less bright" / 大一号 steps along an ordered
option (agent.option_order) from the base variant — the item they have, or with
"same as my other one" the one they have in another order; "the cheapest one"
asks for the lowest price. A `Wish` is what a variant must hold: for each
option it constrains, the values it accepts with their rank (0 best). Picking
among the variants is agent.matching's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.connectors.models import Product

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _find(text: str, phrase: str) -> int:
    """Where the phrase appears in the text as whole words (case-insensitive), or -1."""
    # Not after an apostrophe: the "m" of "I'm" and the "s" of "it's" are no sizes.
    found = re.search(r"(?<![a-z0-9'’])" + re.escape(phrase.lower()) + r"(?![a-z0-9])", text.lower())
    return found.start() if found else -1


def mentions(text: str, phrase: str) -> bool:
    return _find(text, phrase) >= 0


# How customers name option values that the catalogue writes differently.
_VALUE_SYNONYMS = {
    "xs": ("extra small",), "s": ("small",), "m": ("medium",), "l": ("large",), "xl": ("extra large",),
    "xxl": ("extra extra large", "2xl"), "none": ("no backlight", "without backlight", "无背光"),
    "black": ("黑色",), "white": ("白色",), "red": ("红色",), "blue": ("蓝色",), "green": ("绿色",),
    "grey": ("灰色",), "gray": ("灰色",), "silver": ("银色",), "gold": ("金色",), "pink": ("粉色",),
    "purple": ("紫色",), "yellow": ("黄色",), "brown": ("棕色",), "battery": ("电池",),
}  # fmt: skip
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6"}


def _normalise(text: str) -> str:
    return re.sub(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", lambda m: _NUMBER_WORDS[m.group(1)], text.lower())


def value_mention(text: str, key: str, value: str) -> tuple[int, int, int]:
    """(2, start, end) when the option value is named outright, (1, start, end) when one of its distinctive words is.

    Distinctive: a word of four letters or more, or an acronym ("AC" of "AC adapter"). (0, -1, -1) when neither.
    """
    value_l, text = value.lower(), _normalise(text)
    phrases = [value_l, *_VALUE_SYNONYMS.get(value_l, ())] + ([f"no {key}", f"without {key}"] if value_l == "none" else [])
    for phrase in phrases:
        if (where := _find(text, phrase)) >= 0:
            return 2, where, where + len(phrase)
    distinctive = [
        w.lower() for w in re.findall(r"[A-Za-z0-9]+", value)
        if (len(w) >= 4 or (w.isupper() and len(w) >= 2)) and w.lower() not in {"none", "with", "size"}
    ]  # fmt: skip
    found = [(where, where + len(w)) for w in distinctive if (where := _find(text, w)) >= 0]
    return (1, *min(found)) if found else (0, -1, -1)


# Words that make several values of one option a preference order ("battery > USB > AC", "clicky, else tactile").
_PREFERENCE = re.compile(
    r">|＞|\bprefer|\bthen\b|\botherwise\b|\belse\b|\bif not\b|\bfall ?back\b|\bsecond choice\b"
    r"|\bif (?:there is|there's|there are|it is|it's|that is|that's) (?:no|not|none|un)|优先|其次|然后|否则|没有的话|如果没有",
    re.IGNORECASE,
)
_CHEAPEST = re.compile(r"\bcheapest\b|\bleast expensive\b|\blowest[- ]priced?\b|最便宜|最低价|价格最低", re.IGNORECASE)
_SAME_AS_OTHER = re.compile(
    r"\bsame (?:one |kind |model |variant )?as (?:my|the) other\b|\blike my other\b|\bmatch(?:es|ing)? my other\b"
    r"|\bthe (?:same )?one i already (?:have|own)\b|\bsame as the one i (?:already )?(?:have|had|bought|ordered|got)\b"
    r"|[和跟与]我?(?:另一|另外一|之前买的)[个件双款]?一样",
    re.IGNORECASE,
)

# Comparatives: pattern, direction, and the option-key words it is about (None: any ordered option).
_SIZE = ("size", "capacity", "length", "diameter", "height", "piece", "pieces", "weight")
_COMPARATIVES: tuple[tuple[re.Pattern[str], int, tuple[str, ...] | None], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), direction, hints)
    for pattern, direction, hints in (
        (r"\b(?:(\d|a) )?sizes? (?:bigger|larger|up)\b|大(一|两|二|三)[号码]", 1, _SIZE),
        (r"\b(?:(\d|a) )?sizes? (?:smaller|down)\b|小(一|两|二|三)[号码]", -1, _SIZE),
        (r"\b(?:bigger|larger)\b|更大|大一点|大一些|再大", 1, _SIZE),
        (r"\bsmaller\b|更小|小一点|小一些|再小", -1, _SIZE),
        (r"\bbrighter\b|\bmore bright|更亮|亮一点|亮一些", 1, ("brightness",)),
        (r"\b(?:dimmer|darker)\b|\bless bright|\bnot as bright|更暗|暗一点|暗一些|没那么亮|不那么亮", -1, ("brightness",)),
        (r"\blonger\b|更长|长一点|长一些", 1, ("length", "battery")),
        (r"\bshorter\b|更短|短一点|短一些", -1, ("length", "battery")),
        (r"\btaller\b", 1, ("height",)),
        (r"\bthicker\b|更厚", 1, ("thickness",)),
        (r"\bthinner\b|更薄", -1, ("thickness",)),
        (r"\bfaster\b", 1, ("speed",)),
        (r"\bslower\b", -1, ("speed",)),
        (r"\b(?:more|higher|greater|upgrade)\b|更多|多一点|更高|高一点", 1, None),
        (r"\b(?:less|fewer|lower|downgrade)\b|更少|少一点|更低|低一点", -1, None),
    )
)
_COUNT_WORDS = {"a": 1, "一": 1, "两": 2, "二": 2, "三": 3}  # "a size up", 大一号, 小两码
# How Chinese customers name the options the catalogue names in English.
_KEY_WORDS_ZH = {"尺码": "size", "码数": "size", "尺寸": "size", "容量": "capacity", "内存": "ram", "存储": "storage",
                 "屏幕": "screen", "亮度": "brightness", "长度": "length", "续航": "battery", "电池": "battery"}  # fmt: skip

Ranks = dict[str, int]


@dataclass(frozen=True)
class Wish:
    """What a variant must hold: per constrained option the values accepted, with their rank (0 best).

    `stepped` are the options a comparative moved: their ranks (nearest step first) weigh less than the
    order of preference the customer stated or the values they named.
    """

    wanted: dict[str, Ranks] = field(default_factory=dict)
    stepped: frozenset[str] = frozenset()
    cheapest: bool = False

    def rank(self, options: dict[str, str]) -> tuple[int, int] | None:
        """The variant's rank under the wish (lower is better), or None when it does not fit."""
        named = stepped = 0
        for key, ranks in self.wanted.items():
            if options.get(key) not in ranks:
                return None
            if key in self.stepped:
                stepped += ranks[options[key]]
            else:
                named += ranks[options[key]]
        return named, stepped


def same_as_other(text: str) -> bool:
    """The customer wants the variant they already have in another order ("same as my other one")."""
    return _SAME_AS_OTHER.search(text) is not None


def read_wishes(text: str, product: Product, base: dict[str, str], orders: dict[str, list[str]]) -> list[Wish]:
    """The wish in the text, relative to the `base` variant's options; several when a comparative's option is unclear.

    `orders` is the product's ordered options (option_order.product_orders).
    """
    wish = Wish(wanted=_named_values(text, product, base), cheapest=_CHEAPEST.search(text) is not None)
    readings, steps_text = [wish], _normalise(text)
    taken: list[tuple[int, int]] = []
    # Most specific first; a span read once ("less bright") is not read again as a plainer one ("less").
    for pattern, direction, hints in _COMPARATIVES:
        for found in pattern.finditer(steps_text):
            if any(found.start() < end and start < found.end() for start, end in taken):
                continue
            taken.append(found.span())
            count = _count(found)
            keys = [key for key in _comparative_keys(steps_text, found.start(), hints, orders) if key in base]
            if keys:
                readings = [
                    Wish(
                        wanted={**reading.wanted, key: _step(orders[key], base[key], direction, count)},
                        stepped=reading.stepped | {key}, cheapest=reading.cheapest,
                    )
                    for reading in readings for key in keys
                ]  # fmt: skip
    return readings


def _named_values(text: str, product: Product, base: dict[str, str]) -> dict[str, Ranks]:
    values: dict[str, set[str]] = {}
    for variant in product.variants:
        for key, value in variant.options.items():
            values.setdefault(key, set()).add(value)
    preference = _PREFERENCE.search(text) is not None
    wanted: dict[str, Ranks] = {}
    for key, choices in values.items():
        found = {value: value_mention(text, key, value) for value in choices}
        outright = [(start, end) for strength, start, end in found.values() if strength == 2]
        # A word hinting at one value inside another value named outright ("USB" of "USB-C") names nothing.
        named = [
            value for value, (strength, start, _) in found.items()
            if strength == 2 or (strength == 1 and not any(a <= start < b for a, b in outright))
        ]  # fmt: skip
        named.sort(key=lambda value: found[value][1])  # in the order the customer named them
        if not named:
            continue
        if preference and len(named) > 1:
            wanted[key] = {value: rank for rank, value in enumerate(named)}
        else:
            # "instead of blue": the current value named beside others is the one to leave.
            other = [value for value in named if value != base.get(key)]
            wanted[key] = dict.fromkeys(other or named, 0)
    return wanted


def _count(found: re.Match[str]) -> int | None:
    """How many steps the comparative names ("two sizes bigger", 大一号), or None for a bare one ("bigger")."""
    groups = [group for group in found.groups() if group]
    if not groups:
        return 1 if "size" in found.group(0).lower() else None
    return _COUNT_WORDS.get(groups[0]) or int(groups[0])


def _key_positions(text: str, key: str) -> list[int]:
    """Where the text names the option key: one of its words, a word it starts with ("bright"), or a Chinese name."""
    lowered = text.lower()
    key_words = [w for w in words(key) if len(w) >= 3]
    positions = [
        m.start() for m in _WORD.finditer(lowered)
        for w in key_words if m.group(0) in (w, w + "s") or (len(m.group(0)) >= 5 and w.startswith(m.group(0)))
    ]  # fmt: skip
    positions += [m.start() for zh, en in _KEY_WORDS_ZH.items() if en in key_words for m in re.finditer(zh, text)]
    return positions


def _comparative_keys(text: str, where: int, hints: tuple[str, ...] | None, orders: dict[str, list[str]]) -> list[str]:
    """The ordered options a comparative moves: the one named nearest to it, else those its words are about."""
    named = {key: min(abs(p - where) for p in found) for key in orders if (found := _key_positions(text, key))}
    if named:
        nearest = min(named.values())
        return [key for key, distance in named.items() if distance == nearest]
    if hints is None:
        return list(orders)
    return [key for key in orders if words(key) & set(hints)]


def _step(order: list[str], current: str, direction: int, count: int | None) -> Ranks:
    """The values `count` steps up or down the order from the current one; with no count, every value beyond, nearest first."""
    if current not in order:
        return {}
    index = order.index(current)
    if count is not None:
        target = index + direction * count
        return {order[target]: 0} if 0 <= target < len(order) else {}
    beyond = order[index + 1 :] if direction > 0 else order[:index][::-1]
    return {value: rank for rank, value in enumerate(beyond)}
