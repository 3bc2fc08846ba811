"""Tables of the reference commerce service (its own database, not the assistant's).

Money is stored in integer cents so that refunds and balances add up exactly on
SQLite and PostgreSQL alike. Flexible, shop-specific shapes (addresses, item
options, the raw fields of a second shop) are JSON columns.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class CommerceBase(DeclarativeBase):
    """Declarative base of the commerce service's tables."""

    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, list[Any]: JSON}


class CustomerRow(CommerceBase):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    # Lower-cased copies keep the lookups index-friendly on both databases.
    email: Mapped[str | None] = mapped_column(String(200), index=True)
    phone: Mapped[str | None] = mapped_column(String(40), index=True)
    zip: Mapped[str] = mapped_column(String(20), index=True, default="")
    address: Mapped[dict[str, Any]]
    tags: Mapped[list[str]] = mapped_column(default=list)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)

    payment_methods: Mapped[list[PaymentMethodRow]] = relationship(order_by="PaymentMethodRow.position")


class PaymentMethodRow(CommerceBase):
    __tablename__ = "payment_methods"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(32))
    brand: Mapped[str | None] = mapped_column(String(40))
    last_four: Mapped[str | None] = mapped_column(String(4))
    balance_cents: Mapped[int | None] = mapped_column(Integer)


class ProductRow(CommerceBase):
    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The shop's own sale status (已上架, 缺货, 已下架), for shops that keep one; its variants' `available` follows it.
    status: Mapped[str | None] = mapped_column(String(20))

    variants: Mapped[list[VariantRow]] = relationship(order_by="VariantRow.position")
    exchangeable: Mapped[list[ExchangeOptionRow]] = relationship(
        order_by="ExchangeOptionRow.position", foreign_keys="ExchangeOptionRow.product_id"
    )


class ExchangeOptionRow(CommerceBase):
    """One product listed as an exchange for another (可换货商品), with the listing's own status."""

    __tablename__ = "exchange_options"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    target_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))


class VariantRow(CommerceBase):
    __tablename__ = "variants"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    options: Mapped[dict[str, Any]]
    available: Mapped[bool] = mapped_column(Boolean)
    price_cents: Mapped[int] = mapped_column(Integer)


class OrderRow(CommerceBase):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(40))
    source_status: Mapped[str | None] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    address: Mapped[dict[str, Any]]
    expedited: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_reason: Mapped[str | None] = mapped_column(String(100))
    return_items: Mapped[list[str] | None] = mapped_column(JSON)
    return_payment_method_id: Mapped[str | None] = mapped_column(String(64))
    exchange_items: Mapped[list[str] | None] = mapped_column(JSON)
    exchange_new_items: Mapped[list[str] | None] = mapped_column(JSON)
    exchange_payment_method_id: Mapped[str | None] = mapped_column(String(64))
    exchange_price_difference_cents: Mapped[int | None] = mapped_column(Integer)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    recipient_name: Mapped[str | None] = mapped_column(String(100))
    recipient_phone: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    items: Mapped[list[OrderItemRow]] = relationship(order_by="OrderItemRow.position")
    payments: Mapped[list[PaymentRow]] = relationship(order_by="PaymentRow.position")
    shipments: Mapped[list[ShipmentRow]] = relationship(order_by="ShipmentRow.position")


class OrderItemRow(CommerceBase):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[str] = mapped_column(String(64))
    product_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    price_cents: Mapped[int] = mapped_column(Integer)
    options: Mapped[dict[str, Any]]
    # Refunded on this unit by price protection (价保): the unit cost price_cents minus this in the end.
    price_protected_cents: Mapped[int] = mapped_column(Integer, default=0)


class PaymentRow(CommerceBase):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    transaction_type: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int] = mapped_column(Integer)
    payment_method_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ShipmentRow(CommerceBase):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Not unique: the second shop's simulated data reuses tracking numbers across orders.
    tracking_id: Mapped[str] = mapped_column(String(64), index=True)
    carrier: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(32))
    item_ids: Mapped[list[str]]
    estimated_delivery: Mapped[str | None] = mapped_column(String(32))
    delivered_at: Mapped[str | None] = mapped_column(String(32))
    recipient: Mapped[dict[str, Any]] = mapped_column(default=dict)

    events: Mapped[list[ShipmentEventRow]] = relationship(order_by="ShipmentEventRow.position")


class ShipmentEventRow(CommerceBase):
    __tablename__ = "shipment_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    time: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str | None] = mapped_column(String(40))
    location: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    operator: Mapped[str | None] = mapped_column(String(200))


class NoteRow(CommerceBase):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TicketRow(CommerceBase):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    category: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    comments: Mapped[list[NoteRow]] = relationship(order_by="NoteRow.id", viewonly=True)


class InvoiceRow(CommerceBase):
    """An order's invoice; a re-issue marks the old one `replaced` and points back at it."""

    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    invoice_type: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(100))
    tax_id: Mapped[str | None] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(40))
    amount_cents: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="issued")
    issued_at: Mapped[datetime | None] = mapped_column()
    replaces: Mapped[int | None] = mapped_column(Integer)


class AppointmentRow(CommerceBase):
    """A home-service visit (installation, repair) booked for an order."""

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    service_type: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="booked")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CashbackRow(CommerceBase):
    """Whether a review was registered for an order's cash-back (晒单返现)."""

    __tablename__ = "cashback_records"

    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    reviewed: Mapped[bool] = mapped_column(Boolean)


class ServedShopRow(CommerceBase):
    """Which shop's data the database holds (one row), so it is never served under another shop's policy.

    A database made before shops had names has no row: it holds the retail shop's data (the only one then served).
    """

    __tablename__ = "served_shop"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)


class IdempotencyRow(CommerceBase):
    """The first answer to a write, replayed when the same Idempotency-Key comes again."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer, default=0)
    body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
