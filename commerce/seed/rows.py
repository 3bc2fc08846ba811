"""Rows of a seed, table by table, and the bulk load that writes them into an empty database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, text

from commerce.database import CommerceDatabase
from commerce.models import (
    AppointmentRow,
    CashbackRow,
    CustomerRow,
    ExchangeOptionRow,
    InvoiceRow,
    OrderItemRow,
    OrderRow,
    PaymentMethodRow,
    PaymentRow,
    ProductRow,
    ShipmentEventRow,
    ShipmentRow,
    VariantRow,
)

Row = dict[str, Any]


@dataclass
class SeedRows:
    products: list[Row] = field(default_factory=list)
    variants: list[Row] = field(default_factory=list)
    exchange_options: list[Row] = field(default_factory=list)
    customers: list[Row] = field(default_factory=list)
    payment_methods: list[Row] = field(default_factory=list)
    orders: list[Row] = field(default_factory=list)
    order_items: list[Row] = field(default_factory=list)
    payments: list[Row] = field(default_factory=list)
    shipments: list[Row] = field(default_factory=list)
    shipment_events: list[Row] = field(default_factory=list)
    invoices: list[Row] = field(default_factory=list)
    appointments: list[Row] = field(default_factory=list)
    cashback_records: list[Row] = field(default_factory=list)
    # Source records left out, with why (an invoice whose order does not exist, …): the seed command reports them.
    skipped: dict[str, int] = field(default_factory=dict)

    def add_shipment(self, shipment: Row, events: list[Row]) -> None:
        # Explicit ids let the events point at their shipment within one bulk insert.
        shipment_id = len(self.shipments) + 1
        self.shipments.append({"id": shipment_id, **shipment})
        for position, event in enumerate(events):
            self.shipment_events.append({"shipment_id": shipment_id, "position": position, **event})

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in vars(self).items() if name != "skipped"}

    def skip(self, what: str, count: int = 1) -> None:
        self.skipped[what] = self.skipped.get(what, 0) + count


TABLE_ORDER = (
    ("products", ProductRow),
    ("variants", VariantRow),
    ("exchange_options", ExchangeOptionRow),
    ("customers", CustomerRow),
    ("payment_methods", PaymentMethodRow),
    ("orders", OrderRow),
    ("order_items", OrderItemRow),
    ("payments", PaymentRow),
    ("shipments", ShipmentRow),
    ("shipment_events", ShipmentEventRow),
    ("invoices", InvoiceRow),
    ("appointments", AppointmentRow),
    ("cashback_records", CashbackRow),
)


def load_rows(database: CommerceDatabase, rows: SeedRows) -> None:
    """Insert every row in one transaction (all or nothing)."""
    with database.writer() as session:
        for name, table in TABLE_ORDER:
            batch = getattr(rows, name)
            if batch:
                session.execute(insert(table), batch)
        if not database.is_sqlite:
            # Ids given explicitly do not advance PostgreSQL's sequences; later inserts must not collide.
            for table_name in ("shipments", "shipment_events", "exchange_options", "invoices", "appointments"):
                sequence = f"pg_get_serial_sequence('{table_name}', 'id')"
                session.execute(text(f"SELECT setval({sequence}, COALESCE(MAX(id), 0) + 1, false) FROM {table_name}"))
        session.commit()
