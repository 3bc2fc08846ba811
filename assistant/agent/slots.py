"""Slots that have a fixed shape are read from the message by pattern, not by the model.

Emails, zip codes and payment-method ids are copied exactly or not at all: a
small model asked to repeat `#W2378156` may write `#W2378165`. Order ids and
phone numbers are each shop's own shape: its profile's `IdentityRules` read them
(`ShopOperations.order_ids`, `IdentityRules.phones`).
"""

from __future__ import annotations

import re

# ASCII, not \w: in "我的邮箱是a.b@example.com" the Chinese characters are word characters to `re`.
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
ZIP = re.compile(r"(?<![\d#W])(\d{5})(?!\d)")
PAYMENT_ID = re.compile(r"\b((?:credit_card|paypal|gift_card)_\d+)\b")
USER_ID = re.compile(r"\b([a-z]+_[a-z]+_\d{4})\b")
# "I'm Yusuf Rossi", "my name is ...", "You are Yusuf Rossi" (the benchmark's second-person scenarios).
# The lead-in is matched in any case; the name itself must be capitalised ("I'm able to" is not a name).
NAME = re.compile(r"(?i:\bI am|\bI'm|\bname is|\bYou are|\bthis is|\bname:)\s+([A-Z][a-z]+)\s+([A-Z][a-z]+)")
ZIP_NAMED = re.compile(r"(?i:zip\s*(?:code)?|zipcode|postal code|邮编)\D{0,12}(\d{5})(?!\d)")
USER_ID_NAME = re.compile(r"\b([a-z]+)_([a-z]+)_\d{4}\b")
CANCEL_MISTAKE = re.compile(r"mistake|by accident|accidental|wrong order|错|误", re.IGNORECASE)
# A reason given in so many words ("因为买错了", "原因是…", "because …"), or one of the usual short ones.
REASON_CUE = re.compile(r"(?:因为|由于|原因是|原因[:：]|理由是|\bbecause\b)\s*([^，。,.;；！!？?\n]{2,60})", re.IGNORECASE)
REASON_ZH = re.compile(
    r"(暂时)?不(想|需)要了|不要了|(买|拍|下)错了?(单)?|重复(下单|购买)|买贵了|太贵了|降价了|地址(填)?错了|质量(有)?问题|"
    r"(尺寸|大小|型号)不(合适|对)|不好用|坏了|发货太慢|等不及了?"
)


def email(text: str) -> str | None:
    match = EMAIL.search(text)
    return match.group(0).rstrip(".") if match else None


def zip_code(text: str) -> str | None:
    codes = zip_codes(text)
    return codes[0] if codes else None


def zip_codes(text: str) -> list[str]:
    """Five-digit codes, the ones introduced as a zip code first (a new address may carry another)."""
    codes = [m.group(1) for m in ZIP_NAMED.finditer(text)]
    for match in ZIP.finditer(text):
        if match.group(1) not in codes:
            codes.append(match.group(1))
    return codes


def payment_ids(text: str) -> list[str]:
    return PAYMENT_ID.findall(text)


def name(text: str) -> tuple[str, str] | None:
    candidates = names(text)
    return candidates[0] if candidates else None


def names(text: str) -> list[tuple[str, str]]:
    """First and last names the message states in a common form, or spells in a user id (yusuf_rossi_9620)."""
    found: list[tuple[str, str]] = []
    for match in [*NAME.finditer(text), *USER_ID_NAME.finditer(text)]:
        candidate = (match.group(1).capitalize(), match.group(2).capitalize())
        if candidate not in found:
            found.append(candidate)
    return found


def stated_reason(text: str) -> str | None:
    """The reason the customer gives, in their words (for a shop that takes any reason), or None."""
    match = REASON_CUE.search(text) or REASON_ZH.search(text)
    if match is None:
        return None
    return (match.group(1) if match.re is REASON_CUE else match.group(0)).strip()


def cancel_reason(text: str) -> str:
    """The policy allows exactly two reasons; anything else is read as 'no longer needed'."""
    return "ordered by mistake" if CANCEL_MISTAKE.search(text) else "no longer needed"
