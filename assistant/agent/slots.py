"""Slots that have a fixed shape are read from the message by pattern, not by the model.

Order ids, emails, zip codes and payment-method ids are copied exactly or not
at all: a small model asked to repeat `#W2378156` may write `#W2378165`.
"""

from __future__ import annotations

import re

ORDER_ID = re.compile(r"#?\b(W\d{7})\b", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
ZIP = re.compile(r"(?<![\d#W])(\d{5})(?!\d)")
PAYMENT_ID = re.compile(r"\b((?:credit_card|paypal|gift_card)_\d+)\b")
USER_ID = re.compile(r"\b([a-z]+_[a-z]+_\d{4})\b")
# "I'm Yusuf Rossi", "my name is ...", "You are Yusuf Rossi" (the benchmark's second-person scenarios).
NAME = re.compile(r"(?:\bI am|\bI'm|\bmy name is|\bYou are|\bthis is|\bname:)\s+([A-Z][a-z]+)\s+([A-Z][a-z]+)", re.IGNORECASE)
USER_ID_NAME = re.compile(r"\b([a-z]+)_([a-z]+)_\d{4}\b")
CANCEL_MISTAKE = re.compile(r"mistake|by accident|accidental|wrong order|错|误", re.IGNORECASE)


def order_ids(text: str) -> list[str]:
    seen: list[str] = []
    for match in ORDER_ID.finditer(text):
        order_id = "#" + match.group(1).upper()
        if order_id not in seen:
            seen.append(order_id)
    return seen


def email(text: str) -> str | None:
    match = EMAIL.search(text)
    return match.group(0).rstrip(".") if match else None


def zip_code(text: str) -> str | None:
    match = ZIP.search(text)
    return match.group(1) if match else None


def payment_ids(text: str) -> list[str]:
    return PAYMENT_ID.findall(text)


def name(text: str) -> tuple[str, str] | None:
    """First and last name when the message states them in a common form."""
    match = NAME.search(text)
    if match and match.group(1).lower() not in {"a", "the", "not", "looking", "trying"}:
        return match.group(1).capitalize(), match.group(2).capitalize()
    match = USER_ID_NAME.search(text)
    if match:
        return match.group(1).capitalize(), match.group(2).capitalize()
    return None


def cancel_reason(text: str) -> str:
    """The policy allows exactly two reasons; anything else is read as 'no longer needed'."""
    return "ordered by mistake" if CANCEL_MISTAKE.search(text) else "no longer needed"
