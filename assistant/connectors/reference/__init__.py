"""Connectors for the reference commerce service (``commerce/``) over HTTP."""

from __future__ import annotations

from assistant.connectors.interfaces import Connectors
from assistant.connectors.reference.client import CommerceHTTPClient
from assistant.connectors.reference.connectors import (
    HTTPAfterSalesConnector,
    HTTPCRMConnector,
    HTTPLogisticsConnector,
    HTTPOrdersConnector,
)
from assistant.settings import CommerceSettings


def build_reference_connectors(settings: CommerceSettings, *, backoff_seconds: float = 0.2) -> Connectors:
    """The connectors sharing one HTTP client (one connection pool); close with ``await connectors.aclose()``."""
    client = CommerceHTTPClient(settings, backoff_seconds=backoff_seconds)
    return Connectors(
        orders=HTTPOrdersConnector(client),
        logistics=HTTPLogisticsConnector(client),
        crm=HTTPCRMConnector(client),
        aftersales=HTTPAfterSalesConnector(client),
    )


__all__ = ["build_reference_connectors", "CommerceHTTPClient"]
