"""The data the connectors speak: customers, orders, products, shipments, notes and tickets.

These pydantic models are the contract between the agent's tools and any shop's
systems. The reference commerce service answers with exactly these shapes, and a
shop that plugs in its own APIs maps its answers into them. Field names follow
the retail store policy (``user_id``, ``payment_history``, ``fulfillments``) so
that the policy text and the data the model reads use one vocabulary.

Amounts are decimal numbers in the order's currency, rounded to cents.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class Refusal(StrEnum):
    """Machine-readable reasons the commerce service (and the tools' pre-checks) give for a refusal."""

    ORDER_NOT_FOUND = "order_not_found"
    CUSTOMER_NOT_FOUND = "customer_not_found"
    PRODUCT_NOT_FOUND = "product_not_found"
    ITEM_NOT_FOUND = "item_not_found"
    TICKET_NOT_FOUND = "ticket_not_found"
    ORDER_NOT_PENDING = "order_not_pending"
    ORDER_NOT_DELIVERED = "order_not_delivered"
    ORDER_ALREADY_SHIPPED = "order_already_shipped"
    ORDER_NOT_EXPEDITABLE = "order_not_expeditable"
    INVALID_CANCEL_REASON = "invalid_cancel_reason"
    ITEM_NOT_IN_ORDER = "item_not_in_order"
    ITEM_COUNT_MISMATCH = "item_count_mismatch"
    ITEM_NOT_AVAILABLE = "item_not_available"
    DIFFERENT_PRODUCT = "different_product"
    PAYMENT_METHOD_NOT_OWNED = "payment_method_not_owned"
    REFUND_NOT_TO_ORIGINAL = "refund_not_to_original_payment_method"
    SAME_PAYMENT_METHOD = "same_payment_method"
    INSUFFICIENT_GIFT_CARD_BALANCE = "insufficient_gift_card_balance"
    UNEXPECTED_PAYMENT_HISTORY = "unexpected_payment_history"
    INVALID_TICKET_UPDATE = "invalid_ticket_update"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    CONCURRENT_CHANGE = "concurrent_change"
    BAD_REQUEST = "bad_request"
    UNAUTHORIZED = "unauthorized"
    # The shop's policy (assistant/shops/policy.py): the order's status does not allow the action, or the shop does
    # not offer it (in this form) at all.
    ORDER_STATUS_NOT_ALLOWED = "order_status_not_allowed"
    ACTION_NOT_OFFERED = "action_not_offered"
    PRODUCT_NOT_ON_SALE = "product_not_on_sale"
    PRODUCT_NOT_EXCHANGEABLE = "product_not_exchangeable"
    NO_PRICE_DIFFERENCE = "no_price_difference"
    INVALID_PHONE = "invalid_phone"
    INVOICE_NOT_FOUND = "invoice_not_found"
    INVALID_INVOICE_TYPE = "invalid_invoice_type"
    TAX_ID_REQUIRED = "tax_id_required"
    INVALID_TAX_ID = "invalid_tax_id"
    APPOINTMENT_NOT_FOUND = "appointment_not_found"
    INVALID_SERVICE_TYPE = "invalid_service_type"
    DATE_IN_PAST = "date_in_past"
    DATE_TOO_FAR = "date_too_far"
    APPOINTMENT_EXISTS = "appointment_exists"


CANCEL_REASONS = ("no longer needed", "ordered by mistake")
CancelReason = Literal["no longer needed", "ordered by mistake"]
OrderStatus = (
    str  # pending, pending (item modified), processed, delivered, cancelled, return requested, exchange requested, returned
)
GIFT_CARD = "gift_card"


class Address(BaseModel):
    address1: str = Field(description="Street and number.")
    address2: str = Field(default="", description="Apartment, suite or district; may be empty.")
    city: str
    state: str = Field(default="", description="State or province.")
    country: str
    zip: str = Field(default="", description="Postal code; empty where the shop has none.")

    def one_line(self) -> str:
        parts = [self.address1, self.address2, self.city, self.state, self.zip, self.country]
        return ", ".join(part for part in parts if part)


class Name(BaseModel):
    first_name: str
    last_name: str


class PaymentMethod(BaseModel):
    id: str
    source: str = Field(description="gift_card, credit_card, paypal, wechat_pay, alipay or bank_card.")
    brand: str | None = None
    last_four: str | None = None
    balance: float | None = Field(default=None, description="Remaining balance of a gift card.")


class Customer(BaseModel):
    user_id: str
    name: Name
    email: str | None = None
    phone: str | None = None
    address: Address
    payment_methods: list[PaymentMethod]
    orders: list[str] = Field(description="Ids of the customer's orders.")
    tags: list[str] = Field(default_factory=list, description="CRM tags such as vip or frequent_complainer.")
    locale: str = "en"

    def payment_method(self, payment_method_id: str) -> PaymentMethod | None:
        return next((method for method in self.payment_methods if method.id == payment_method_id), None)


class OrderItem(BaseModel):
    item_id: str
    product_id: str
    name: str
    price: float = Field(description="The unit price paid.")
    options: dict[str, str] = Field(default_factory=dict)
    price_protected: float = Field(
        default=0.0, description="Refunded on this unit by price protection (价保): it cost price minus this in the end."
    )


class Payment(BaseModel):
    transaction_type: Literal["payment", "refund"]
    amount: float
    payment_method_id: str


class Fulfillment(BaseModel):
    tracking_id: list[str]
    item_ids: list[str]


class Order(BaseModel):
    order_id: str
    user_id: str
    status: OrderStatus
    address: Address
    items: list[OrderItem]
    fulfillments: list[Fulfillment] = Field(default_factory=list)
    payment_history: list[Payment]
    currency: str = "USD"
    expedited: bool = False
    cancel_reason: str | None = None
    return_items: list[str] | None = None
    return_payment_method_id: str | None = None
    exchange_items: list[str] | None = None
    exchange_new_items: list[str] | None = None
    exchange_payment_method_id: str | None = None
    exchange_price_difference: float | None = None
    source_status: str | None = Field(default=None, description="The status as the shop's own system wrote it, when it differs.")
    recipient_name: str | None = Field(default=None, description="Who receives the delivery, where the shop records it.")
    recipient_phone: str | None = Field(default=None, description="The delivery's contact phone, where the shop records it.")

    @property
    def total(self) -> float:
        return round(sum(item.price for item in self.items), 2)


class OrderSummary(BaseModel):
    order_id: str
    status: OrderStatus
    total: float
    currency: str
    item_count: int


class Variant(BaseModel):
    item_id: str
    product_id: str
    options: dict[str, str]
    available: bool
    price: float


class ExchangeOption(BaseModel):
    """A product the shop lists as an exchange for another (可换货商品), with the listing's own status."""

    product_id: str
    description: str
    status: str = Field(
        description="The listing's status in the shop's words (已上架 on sale, 缺货 out of stock, 已下架 withdrawn)."
    )
    on_sale: bool = Field(description="Whether an order's product can be exchanged for it now.")


class Gift(BaseModel):
    """A gift that comes with a product (赠品信息) and when it is sent."""

    name: str
    description: str


class Product(BaseModel):
    product_id: str
    name: str
    description: str | None = None
    currency: str = "USD"
    variants: list[Variant]
    status: str | None = Field(
        default=None, description="Its sale status in the shop's words (已上架, 缺货, 已下架), if it keeps one."
    )
    exchangeable: list[ExchangeOption] = Field(
        default_factory=list, description="What an order of it can be exchanged for (shops that list exchanges)."
    )
    gifts: list[Gift] = Field(default_factory=list, description="Gifts that come with it.")

    def variant(self, item_id: str) -> Variant | None:
        return next((variant for variant in self.variants if variant.item_id == item_id), None)


class ProductSummary(BaseModel):
    product_id: str
    name: str


class ShipmentEvent(BaseModel):
    time: str | None
    status: str | None
    location: str | None = None
    description: str | None = None
    operator: str | None = None


class Shipment(BaseModel):
    tracking_id: str
    carrier: str | None = None
    status: str = Field(description="label_created, in_transit, delivered, cancelled or returned.")
    item_ids: list[str]
    estimated_delivery: str | None = None
    delivered_at: str | None = None
    events: list[ShipmentEvent] = Field(default_factory=list)


class Tracking(BaseModel):
    order_id: str
    order_status: OrderStatus
    expedited: bool
    address: Address
    shipments: list[Shipment]


class Note(BaseModel):
    note_id: int
    user_id: str
    ticket_id: int | None = None
    kind: str = Field(description="note, call, chat or email: the note log is also the contact history.")
    author: str
    body: str
    created_at: str


class Ticket(BaseModel):
    ticket_id: int
    user_id: str
    order_id: str | None = None
    subject: str
    description: str
    status: Literal["open", "pending", "resolved", "closed"]
    priority: Literal["low", "normal", "high", "urgent"]
    category: str | None = None
    created_at: str
    updated_at: str
    comments: list[Note] = Field(default_factory=list)


class CustomerMatch(BaseModel):
    user_id: str


# --- request bodies of the CRM writes (the order writes' are in requests.py) ---


class NewNote(BaseModel):
    kind: Literal["note", "call", "chat", "email"] = "note"
    author: str = "assistant"
    body: str = Field(min_length=1)
    ticket_id: int | None = None


class NewTicket(BaseModel):
    user_id: str
    subject: str = Field(min_length=1)
    description: str = Field(min_length=1)
    order_id: str | None = None
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    category: str | None = None


class TicketUpdate(BaseModel):
    status: Literal["open", "pending", "resolved", "closed"] | None = None
    priority: Literal["low", "normal", "high", "urgent"] | None = None
    comment: str | None = None
    author: str = "assistant"


class TagsUpdate(BaseModel):
    tags: list[str]


class ErrorBody(BaseModel):
    reason: str
    message: str
