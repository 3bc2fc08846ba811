"""Rows of the commerce database rendered as the connector contract (assistant.connectors.models)."""

from __future__ import annotations

from datetime import datetime

from assistant.connectors.aftersales import Appointment, Invoice
from assistant.connectors.models import (
    Address,
    Customer,
    ExchangeOption,
    Fulfillment,
    Gift,
    Name,
    Note,
    Order,
    OrderItem,
    OrderSummary,
    Payment,
    PaymentMethod,
    Product,
    Shipment,
    ShipmentEvent,
    Ticket,
    Tracking,
    Variant,
)
from commerce.models import (
    AppointmentRow,
    CustomerRow,
    InvoiceRow,
    NoteRow,
    OrderRow,
    PaymentMethodRow,
    ProductRow,
    ShipmentRow,
    TicketRow,
    VariantRow,
)


def money(cents: int) -> float:
    return round(cents / 100, 2)


def cents(amount: float) -> int:
    return round(amount * 100)


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def payment_method_view(row: PaymentMethodRow) -> PaymentMethod:
    return PaymentMethod(
        id=row.id,
        source=row.source,
        brand=row.brand,
        last_four=row.last_four,
        balance=None if row.balance_cents is None else money(row.balance_cents),
    )


def customer_view(row: CustomerRow, order_ids: list[str]) -> Customer:
    return Customer(
        user_id=row.id,
        name=Name(first_name=row.first_name, last_name=row.last_name),
        email=row.email,
        phone=row.phone,
        address=Address.model_validate(row.address),
        payment_methods=[payment_method_view(method) for method in row.payment_methods],
        orders=order_ids,
        tags=list(row.tags or []),
        locale=row.locale,
    )


def order_view(row: OrderRow) -> Order:
    return Order(
        order_id=row.id,
        user_id=row.customer_id,
        status=row.status,
        address=Address.model_validate(row.address),
        items=[
            OrderItem(
                item_id=item.item_id,
                product_id=item.product_id,
                name=item.name,
                price=money(item.price_cents),
                options=item.options,
                price_protected=money(item.price_protected_cents or 0),
            )
            for item in row.items
        ],
        fulfillments=[Fulfillment(tracking_id=[shipment.tracking_id], item_ids=shipment.item_ids) for shipment in row.shipments],
        payment_history=[
            Payment(
                transaction_type=payment.transaction_type,  # type: ignore[arg-type]
                amount=money(payment.amount_cents),
                payment_method_id=payment.payment_method_id,
            )
            for payment in row.payments
        ],
        currency=row.currency,
        expedited=row.expedited,
        cancel_reason=row.cancel_reason,
        return_items=row.return_items,
        return_payment_method_id=row.return_payment_method_id,
        exchange_items=row.exchange_items,
        exchange_new_items=row.exchange_new_items,
        exchange_payment_method_id=row.exchange_payment_method_id,
        exchange_price_difference=(
            None if row.exchange_price_difference_cents is None else money(row.exchange_price_difference_cents)
        ),
        source_status=row.source_status,
        recipient_name=row.recipient_name,
        recipient_phone=row.recipient_phone,
    )


def order_summary_view(row: OrderRow) -> OrderSummary:
    return OrderSummary(
        order_id=row.id,
        status=row.status,
        total=money(sum(item.price_cents for item in row.items)),
        currency=row.currency,
        item_count=len(row.items),
    )


def variant_view(row: VariantRow) -> Variant:
    return Variant(
        item_id=row.id, product_id=row.product_id, options=row.options, available=row.available, price=money(row.price_cents)
    )


def product_view(row: ProductRow, on_sale: dict[int, bool] | None = None) -> Product:
    """`on_sale`: for each of its exchange listings (by row id), whether that exchange can be made now."""
    return Product(
        product_id=row.id,
        name=row.name,
        description=row.description,
        currency=row.currency,
        variants=[variant_view(variant) for variant in row.variants],
        status=row.status,
        exchangeable=[
            ExchangeOption(
                product_id=option.target_id,
                description=option.description,
                status=option.status,
                on_sale=(on_sale or {}).get(option.id, False),
            )
            for option in row.exchangeable
        ],
        gifts=[Gift.model_validate(gift) for gift in (row.attributes or {}).get("gifts", [])],
    )


def shipment_view(row: ShipmentRow) -> Shipment:
    return Shipment(
        tracking_id=row.tracking_id,
        carrier=row.carrier,
        status=row.status,
        item_ids=row.item_ids,
        estimated_delivery=row.estimated_delivery,
        delivered_at=row.delivered_at,
        events=[
            ShipmentEvent(
                time=event.time,
                status=event.status,
                location=event.location,
                description=event.description,
                operator=event.operator,
            )
            for event in row.events
        ],
    )


def tracking_view(row: OrderRow) -> Tracking:
    return Tracking(
        order_id=row.id,
        order_status=row.status,
        expedited=row.expedited,
        address=Address.model_validate(row.address),
        shipments=[shipment_view(shipment) for shipment in row.shipments],
    )


def note_view(row: NoteRow) -> Note:
    return Note(
        note_id=row.id,
        user_id=row.customer_id,
        ticket_id=row.ticket_id,
        kind=row.kind,
        author=row.author,
        body=row.body,
        created_at=stamp(row.created_at),
    )


def ticket_view(row: TicketRow) -> Ticket:
    return Ticket(
        ticket_id=row.id,
        user_id=row.customer_id,
        order_id=row.order_id,
        subject=row.subject,
        description=row.description,
        status=row.status,  # type: ignore[arg-type]
        priority=row.priority,  # type: ignore[arg-type]
        category=row.category,
        created_at=stamp(row.created_at),
        updated_at=stamp(row.updated_at),
        comments=[note_view(note) for note in row.comments],
    )


def invoice_view(row: InvoiceRow, currency: str) -> Invoice:
    return Invoice(
        invoice_id=row.id,
        order_id=row.order_id,
        user_id=row.customer_id,
        invoice_type=row.invoice_type,
        title=row.title,
        tax_id=row.tax_id,
        phone=row.phone,
        amount=None if row.amount_cents is None else money(row.amount_cents),
        currency=currency,
        status=row.status,  # type: ignore[arg-type]
        issued_at=None if row.issued_at is None else stamp(row.issued_at),
        replaces=row.replaces,
    )


def appointment_view(row: AppointmentRow) -> Appointment:
    return Appointment(
        appointment_id=row.id,
        order_id=row.order_id,
        user_id=row.customer_id,
        service_type=row.service_type,
        date=row.day.isoformat(),
        name=row.name,
        phone=row.phone,
        status=row.status,  # type: ignore[arg-type]
        created_at=stamp(row.created_at),
        updated_at=stamp(row.updated_at),
    )
