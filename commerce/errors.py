"""The one kind of refusal the commerce service raises, turned into a 4xx by one handler."""

from __future__ import annotations

from assistant.connectors.models import Refusal


class CommerceError(Exception):
    """A request the service refuses, with its HTTP status and machine-readable reason."""

    def __init__(self, status_code: int, reason: Refusal | str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.reason = str(reason)
        self.message = message


def not_found(reason: Refusal, what: str) -> CommerceError:
    return CommerceError(404, reason, f"{what} not found")


def refused(reason: Refusal, message: str) -> CommerceError:
    """A policy rule said no: 409 when the thing's state forbids it, 422 when the request itself is wrong."""
    state_rules = {
        Refusal.ORDER_NOT_PENDING,
        Refusal.ORDER_NOT_DELIVERED,
        Refusal.ORDER_ALREADY_SHIPPED,
        Refusal.ORDER_NOT_EXPEDITABLE,
        Refusal.ITEM_NOT_AVAILABLE,
        Refusal.INSUFFICIENT_GIFT_CARD_BALANCE,
        Refusal.UNEXPECTED_PAYMENT_HISTORY,
        Refusal.IDEMPOTENCY_KEY_REUSED,
        Refusal.CONCURRENT_CHANGE,
    }
    return CommerceError(409 if reason in state_rules else 422, reason, message)
