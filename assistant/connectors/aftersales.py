"""After-sales records a shop may keep beside its orders: invoices, home-service appointments, review cash-back."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Invoice(BaseModel):
    invoice_id: int
    order_id: str
    user_id: str
    invoice_type: str = Field(description="The shop's word for it (个人发票, 企业发票).")
    title: str = Field(description="Its title (抬头).")
    tax_id: str | None = Field(default=None, description="The company's tax id (税号), on a company invoice.")
    phone: str | None = None
    amount: float | None = Field(default=None, description="What it is for: what the order cost, less refunds.")
    currency: str
    status: Literal["issued", "replaced"]
    issued_at: str | None = Field(default=None, description="When it was issued; None for one the shop's records predate.")
    replaces: int | None = Field(default=None, description="The invoice this one re-issued (and replaced).")


class Appointment(BaseModel):
    appointment_id: int
    order_id: str
    user_id: str
    service_type: str = Field(description="The shop's word for the visit (安装, 维修).")
    date: str = Field(description="The day of the visit, ISO (YYYY-MM-DD), in the shop's time zone.")
    name: str | None = None
    phone: str | None = None
    status: Literal["booked", "cancelled"]
    created_at: str
    updated_at: str


class CashbackRecord(BaseModel):
    """Whether a review was registered for an order's cash-back (晒单返现)."""

    order_id: str
    recorded: bool = Field(description="The shop has a record for this order.")
    reviewed: bool = Field(description="A review was registered (已晒单); false: 未晒单.")
    status: Literal["已晒单", "未晒单"]
