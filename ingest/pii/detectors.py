"""Detectors of personal data other than names; each returns (start, end, label) spans of the text.

Libraries where they exist offline: `phonenumbers` (Google's libphonenumber) for
phone numbers in Chinese and international formats, `python-stdnum` for the
Luhn check of card numbers and the checksums of Chinese resident ids and US
SSNs. Street addresses have no maintained offline detector for both languages
(pyap/usaddress parse whole US addresses, not the street lines and JSON fields
tickets carry), so they are matched by the patterns below; Chinese ones use
jieba's segmentation to find where the administrative part starts.
"""

from __future__ import annotations

import re

import phonenumbers
from stdnum import luhn
from stdnum.cn import ric
from stdnum.us import ssn

Span = tuple[int, int, str]

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# ASCII word boundaries: a card number may stand right after Chinese text (卡号5500…).
CARD = re.compile(r"(?<![\w#.,])\d(?:[ \-]?\d){12,18}(?![\w]|[.,]\d)", re.ASCII)
CN_RESIDENT_ID = re.compile(r"(?<![\w])\d{17}[\dXx](?![\w])", re.ASCII)
US_SSN = re.compile(r"(?<![\w\-])\d{3}-\d{2}-\d{4}(?![\w\-])", re.ASCII)
ID_CUE = re.compile(
    r"(?i)(?:身份证(?:号码|号)?|证件号(?:码)?|护照号(?:码)?|passport(?:\s+(?:number|no\.?))?|"
    r"(?:national\s+)?id\s+(?:number|no\.?)|social\s+security\s+number|ssn)\s*(?:is|是|为)?\s*[:：#]?\s*([A-Za-z0-9\-]{6,20})"
)
PHONE_CUE = re.compile(r"(?i)(?:phone|tel|mobile|cell|call|fax|whatsapp|电话|手机|联系方式|致电|拨打)")
CN_MOBILE = re.compile(r"1[3-9]\d{9}")
STREET = re.compile(
    r"\b\d{1,6}\s+(?:[A-Z][A-Za-z]+\.?\s+){0,3}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Drive|Dr|Lane|Ln|Boulevard|Blvd|Court|Ct|Way|Place|Pl|Terrace|Circle|Parkway|Pkwy|Highway|Hwy)\b\.?"
    r"(?:,?\s+(?:Suite|Ste|Apt|Apartment|Unit|Floor|Fl|#)\.?\s*[A-Za-z0-9\-]+)?"
)
UNIT_LINE = re.compile(r"\b(?:Suite|Apt|Apartment|Unit)\s+[A-Za-z0-9\-]+\b")
ADDRESS_FIELD = re.compile(
    r"""(?i)["']?(?:address1|address2|address_line_?\d|street|zip|zipcode|zip_code|postal_code|postcode|"""
    r"""详细地址|收件人地址|收货地址|地址)["']?\s*[:：=]\s*["']?([^"'\n,，;；。}]+)"""
)
US_STATE_ZIP = re.compile(r"\b[A-Z]{2},?\s+\d{5}(?:-\d{4})?\b")
ZIP_CUE = re.compile(r"(?i)\b(?:zip(?:\s*code)?|postal\s*code|postcode)\s*(?:is|:)?\s*(\d{5}(?:-\d{4})?)\b")
_CN_ADMIN_SUFFIXES = ("省", "自治区", "市", "州", "盟", "区", "县", "旗", "镇", "乡", "街道")
_CN_STREET_MARK = re.compile(r"[路街道巷弄号室楼层栋幢]|单元")
_CN_CLAUSE_REST = re.compile(r"[\u4e00-\u9fffA-Za-z0-9\-#]{1,40}")


def emails(text: str) -> list[Span]:
    return [(m.start(), m.end(), "EMAIL") for m in EMAIL.finditer(text)]


def cards(text: str) -> list[Span]:
    spans = []
    for match in CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
            spans.append((match.start(), match.end(), "CARD"))
    return spans


def id_numbers(text: str) -> list[Span]:
    spans = [(m.start(), m.end(), "ID_NUMBER") for m in CN_RESIDENT_ID.finditer(text) if ric.is_valid(m.group())]
    spans += [(m.start(), m.end(), "ID_NUMBER") for m in US_SSN.finditer(text) if ssn.is_valid(m.group())]
    spans += [(m.start(1), m.end(1), "ID_NUMBER") for m in ID_CUE.finditer(text) if any(c.isdigit() for c in m.group(1))]
    return spans


def phones(text: str, regions: tuple[str, ...] = ("CN", "US")) -> list[Span]:
    """Valid numbers in any of `regions`' formats (and any +country format).

    A bare run of digits is also what product, item and order numbers look like,
    so one is taken as a phone only when it is a Chinese mobile number or a phone
    word stands just before it; formatted numbers (+86 …, (415) 555-…) always are.
    """
    spans = []
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            raw = match.raw_string
            if (
                raw.isdigit()
                and not CN_MOBILE.fullmatch(raw)
                and not PHONE_CUE.search(text[max(0, match.start - 24) : match.start])
            ):
                continue
            spans.append((match.start, match.end, "PHONE"))
    return spans


def addresses(text: str) -> list[Span]:
    spans = [(m.start(), m.end(), "ADDRESS") for m in STREET.finditer(text)]
    spans += [(m.start(), m.end(), "ADDRESS") for m in UNIT_LINE.finditer(text)]
    spans += [(m.start(1), m.end(1), "ADDRESS") for m in ADDRESS_FIELD.finditer(text) if m.group(1).strip()]
    spans += [(m.start(1), m.end(1), "ADDRESS") for m in ZIP_CUE.finditer(text)]
    spans += [(m.start(), m.end(), "ADDRESS") for m in US_STATE_ZIP.finditer(text)]
    if re.search(r"[\u4e00-\u9fff]", text):
        spans += chinese_addresses(text)
    return spans


def chinese_addresses(text: str) -> list[Span]:
    """Runs of administrative names (广东省揭阳市饶平县), with the rest of the clause when it names a street or number.

    One lone place name ("偏远地区", "南京市") is not an address; two in a row, or one followed by a street
    or house number, is.
    """
    from assistant.retrieval.tokenize import jieba_module

    spans: list[Span] = []
    position = 0
    run: list[int] = []  # start, end, number of administrative tokens
    for token in jieba_module().cut(text):
        start, position = position, position + len(token)
        if len(token) >= 2 and token.endswith(_CN_ADMIN_SUFFIXES):
            run = [run[0], position, run[2] + 1] if run else [start, position, 1]
            continue
        if run:
            _close_run(text, run, spans)
            run = []
    if run:
        _close_run(text, run, spans)
    return spans


def _close_run(text: str, run: list[int], spans: list[Span]) -> None:
    start, end, admin_tokens = run
    rest = _CN_CLAUSE_REST.match(text, end)
    if rest and _CN_STREET_MARK.search(rest.group()):
        spans.append((start, rest.end(), "ADDRESS"))
    elif admin_tokens >= 2:
        spans.append((start, end, "ADDRESS"))
