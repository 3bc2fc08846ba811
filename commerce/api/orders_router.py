"""Orders and catalogue: look-ups and the policy-checked writes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from assistant.connectors.models import (
    Address,
    CancelOrderRequest,
    ItemsChangeRequest,
    Order,
    OrderSummary,
    PaymentChangeRequest,
    Product,
    ProductSummary,
    ReturnRequest,
    Variant,
)
from commerce.api.deps import ActingFor, ReadSession, WriteDep, same_customer
from commerce.services.catalog import CatalogService
from commerce.services.orders import OrderService

router = APIRouter(tags=["orders"])


@router.get("/orders/{order_id}")
def get_order(order_id: str, session: ReadSession, customer_id: ActingFor) -> Order:
    return OrderService(session).get(order_id, customer_id)


@router.get("/customers/{customer_id}/orders")
def list_customer_orders(customer_id: str, session: ReadSession, acting_for: ActingFor) -> list[OrderSummary]:
    same_customer(customer_id, acting_for)
    return OrderService(session).list_for_customer(customer_id)


@router.post("/orders/{order_id}/cancel", response_model=Order)
def cancel_order(order_id: str, body: CancelOrderRequest, write: WriteDep) -> JSONResponse:
    return write.run(lambda s: OrderService(s).cancel(order_id, body.reason, write.customer_id), body)


@router.post("/orders/{order_id}/address", response_model=Order)
def modify_order_address(order_id: str, body: Address, write: WriteDep) -> JSONResponse:
    return write.run(lambda s: OrderService(s).modify_address(order_id, body, write.customer_id), body)


@router.post("/orders/{order_id}/payment", response_model=Order)
def modify_order_payment(order_id: str, body: PaymentChangeRequest, write: WriteDep) -> JSONResponse:
    return write.run(lambda s: OrderService(s).modify_payment(order_id, body.payment_method_id, write.customer_id), body)


@router.post("/orders/{order_id}/items", response_model=Order)
def modify_order_items(order_id: str, body: ItemsChangeRequest, write: WriteDep) -> JSONResponse:
    return write.run(
        lambda s: OrderService(s).modify_items(
            order_id, body.item_ids, body.new_item_ids, body.payment_method_id, write.customer_id
        ),
        body,
    )


@router.post("/orders/{order_id}/return", response_model=Order)
def return_order_items(order_id: str, body: ReturnRequest, write: WriteDep) -> JSONResponse:
    return write.run(
        lambda s: OrderService(s).return_items(order_id, body.item_ids, body.payment_method_id, write.customer_id), body
    )


@router.post("/orders/{order_id}/exchange", response_model=Order)
def exchange_order_items(order_id: str, body: ItemsChangeRequest, write: WriteDep) -> JSONResponse:
    return write.run(
        lambda s: OrderService(s).exchange_items(
            order_id, body.item_ids, body.new_item_ids, body.payment_method_id, write.customer_id
        ),
        body,
    )


@router.get("/products")
def list_products(session: ReadSession) -> list[ProductSummary]:
    return CatalogService(session).list_products()


@router.get("/products/{product_id}")
def get_product(product_id: str, session: ReadSession) -> Product:
    return CatalogService(session).get_product(product_id)


@router.get("/items/{item_id}")
def get_item(item_id: str, session: ReadSession) -> Variant:
    return CatalogService(session).get_item(item_id)
