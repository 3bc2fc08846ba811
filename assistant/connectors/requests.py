"""The bodies of the order writes: what the tools send and the reference commerce service validates.

Bad input (an empty list, a quantity of 0, an unknown date) is refused here, by
the model, before any rule of the shop is looked at: the service answers 422
`bad_request` and changes nothing.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from assistant.connectors.models import Address


class CancelOrderRequest(BaseModel):
    reason: str


class PaymentChangeRequest(BaseModel):
    payment_method_id: str


class ItemsChangeRequest(BaseModel):
    item_ids: list[str]
    new_item_ids: list[str]
    payment_method_id: str


class ReturnRequest(BaseModel):
    item_ids: list[str]
    payment_method_id: str


class ExpediteRequest(BaseModel):
    reason: str = ""


class PhoneChangeRequest(BaseModel):
    phone: str = Field(min_length=1, max_length=40, description="The delivery's new contact phone.")


class OrderReturnRequest(BaseModel):
    """A return of the whole order (shops whose policy returns orders, not items)."""

    reason: str = Field("", max_length=500)


class ProductExchangeRequest(BaseModel):
    """Every line of `product_id` in the order becomes `new_product_id`, a product it lists as exchangeable."""

    product_id: str = Field(min_length=1)
    new_product_id: str = Field(min_length=1)


class PriceProtectionRequest(BaseModel):
    """A price-protection claim on the whole order: every line whose product costs less today is refunded the difference."""


class NewOrderLine(BaseModel):
    product_id: str = Field(min_length=1)
    quantity: int = Field(ge=1, le=99, description="Units, 1 to 99.")


class NewOrder(BaseModel):
    items: list[NewOrderLine] = Field(min_length=1, max_length=20)
    payment_method_id: str = Field(min_length=1, description="One of the customer's payment methods; it pays at once.")
    address: Address | None = Field(None, description="Where it goes; default: the customer's address.")
    recipient_name: str | None = Field(None, max_length=100, description="Default: the customer's name.")
    recipient_phone: str | None = Field(None, max_length=40, description="Default: the customer's phone.")


class InvoiceRequest(BaseModel):
    invoice_type: str = Field(min_length=1, max_length=20, description="One of the shop's invoice types (个人发票, 企业发票).")
    title: str = Field(min_length=1, max_length=100, description="The invoice title (抬头): a person's or company's name.")
    tax_id: str | None = Field(None, max_length=20, description="The company's tax id (税号), for types that need one.")


class AppointmentRequest(BaseModel):
    service_type: str = Field(min_length=1, max_length=20, description="One of the shop's service types (安装, 维修).")
    date: dt.date = Field(description="The visit's day (ISO), today or later in the shop's time zone.")


class AppointmentChange(BaseModel):
    date: dt.date = Field(description="The new day (ISO), today or later in the shop's time zone.")
