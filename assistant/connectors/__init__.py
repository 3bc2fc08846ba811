"""Connectors: the typed interfaces through which the tools reach a shop's orders, logistics and CRM.

``interfaces`` holds the four abstract connectors and the ``Connectors`` bundle,
``models``, ``aftersales`` and ``requests`` the data they exchange, and ``reference`` the HTTP implementation for
the reference commerce service (``build_reference_connectors``). README.md tells
how a shop plugs in its own systems.
"""

from assistant.connectors.interfaces import (
    AfterSalesConnector,
    Connectors,
    CRMConnector,
    LogisticsConnector,
    OrdersConnector,
)

__all__ = ["AfterSalesConnector", "Connectors", "CRMConnector", "LogisticsConnector", "OrdersConnector"]
