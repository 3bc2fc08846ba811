"""Logistics: tracking, expedite requests, delivery-address changes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from assistant.connectors.models import Address, Tracking
from assistant.connectors.requests import ExpediteRequest
from commerce.api.deps import ActingFor, ReadSession, Rules, WriteDep
from commerce.services.logistics import LogisticsService

router = APIRouter(tags=["logistics"])


@router.get("/orders/{order_id}/tracking")
def get_tracking(order_id: str, session: ReadSession, customer_id: ActingFor, rules: Rules) -> Tracking:
    return LogisticsService(session, rules).tracking(order_id, customer_id)


@router.post("/orders/{order_id}/expedite", response_model=Tracking)
def request_expedite(order_id: str, body: ExpediteRequest, write: WriteDep, rules: Rules) -> JSONResponse:
    return write.run(lambda s: LogisticsService(s, rules).request_expedite(order_id, body.reason, write.customer_id), body)


@router.post("/orders/{order_id}/delivery-address", response_model=Tracking)
def change_delivery_address(order_id: str, body: Address, write: WriteDep, rules: Rules) -> JSONResponse:
    return write.run(lambda s: LogisticsService(s, rules).change_delivery_address(order_id, body, write.customer_id), body)
