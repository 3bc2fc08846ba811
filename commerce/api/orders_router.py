"""Orders and catalogue: look-ups and the policy-checked writes of the served shop."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from assistant.connectors.models import Address, Order, OrderSummary, Product, ProductSummary, Variant
from assistant.connectors.requests import (
    CancelOrderRequest,
    ItemsChangeRequest,
    NewOrder,
    OrderReturnRequest,
    PaymentChangeRequest,
    PhoneChangeRequest,
    PriceProtectionRequest,
    ProductExchangeRequest,
    ReturnRequest,
)
from commerce.api.deps import ActingFor, ReadSession, Rules, WriteDep, same_customer
from commerce.services.catalog import CatalogService
from commerce.services.order_changes import OrderChanges
from commerce.services.orders import OrderService
from commerce.services.placing import OrderPlacing

router = APIRouter(tags=["orders"])


@router.get("/orders/{order_id}")
def get_order(order_id: str, session: ReadSession, customer_id: ActingFor, rules: Rules) -> Order:
    return OrderService(session, rules).get(order_id, customer_id)


@router.get("/customers/{customer_id}/orders")
def list_customer_orders(customer_id: str, session: ReadSession, acting_for: ActingFor, rules: Rules) -> list[OrderSummary]:
    same_customer(customer_id, acting_for)
    return OrderService(session, rules).list_for_customer(customer_id)


@router.post("/customers/{customer_id}/orders", response_model=Order, status_code=201)
def place_order(customer_id: str, body: NewOrder, write: WriteDep, rules: Rules) -> JSONResponse:
    same_customer(customer_id, write.customer_id)
    return write.run(lambda s: OrderPlacing(s, rules).place(customer_id, body), body, status_code=201)


@router.post("/orders/{order_id}/cancel", response_model=Order)
def cancel_order(order_id: str, body: CancelOrderRequest, write: WriteDep, rules: Rules) -> JSONResponse:
    return write.run(lambda s: OrderService(s, rules).cancel(order_id, body.reason, write.customer_id), body)


@router.post("/orders/{order_id}/address", response_model=Order)
def modify_order_address(order_id: str, body: Address, write: WriteDep, rules: Rules) -> JSONResponse:
    return write.run(lambda s: OrderService(s, rules).modify_address(order_id, body, write.customer_id), body)


@router.post("/orders/{order_id}/phone", response_model=Order)
def modify_order_phone(order_id: str, body: PhoneChangeRequest, write: WriteDep, rules: Rules) -> JSONResponse:
    return write.run(lambda s: OrderChanges(s, rules).modify_phone(order_id, body.phone, write.customer_id), body)


@router.post("/orders/{order_id}/payment", response_model=Order)
def modify_order_payment(order_id: str, body: PaymentChangeRequest, write: WriteDep, rules: Rules) -> JSONResponse:
    return write.run(lambda s: OrderService(s, rules).modify_payment(order_id, body.payment_method_id, write.customer_id), body)


@router.post("/orders/{order_id}/items", response_model=Order)
def modify_order_items(order_id: str, body: ItemsChangeRequest, write: WriteDep, rules: Rules) -> JSONResponse:
    return write.run(
        lambda s: OrderService(s, rules).modify_items(
            order_id, body.item_ids, body.new_item_ids, body.payment_method_id, write.customer_id
        ),
        body,
    )


@router.post("/orders/{order_id}/return", response_model=Order)
def return_order_items(order_id: str, body: ReturnRequest, write: WriteDep, rules: Rules) -> JSONResponse:
    return write.run(
        lambda s: OrderService(s, rules).return_items(order_id, body.item_ids, body.payment_method_id, write.customer_id),
        body,
    )


@router.post("/orders/{order_id}/return-order", response_model=Order)
def return_whole_order(order_id: str, body: OrderReturnRequest, write: WriteDep, rules: Rules) -> JSONResponse:
    return write.run(lambda s: OrderChanges(s, rules).return_order(order_id, body.reason, write.customer_id), body)


@router.post("/orders/{order_id}/exchange", response_model=Order)
def exchange_order_items(order_id: str, body: ItemsChangeRequest, write: WriteDep, rules: Rules) -> JSONResponse:
    return write.run(
        lambda s: OrderService(s, rules).exchange_items(
            order_id, body.item_ids, body.new_item_ids, body.payment_method_id, write.customer_id
        ),
        body,
    )


@router.post("/orders/{order_id}/exchange-product", response_model=Order)
def exchange_order_product(order_id: str, body: ProductExchangeRequest, write: WriteDep, rules: Rules) -> JSONResponse:
    return write.run(
        lambda s: OrderChanges(s, rules).exchange_product(order_id, body.product_id, body.new_product_id, write.customer_id),
        body,
    )


@router.post("/orders/{order_id}/price-protection", response_model=Order)
def claim_price_protection(order_id: str, body: PriceProtectionRequest, write: WriteDep, rules: Rules) -> JSONResponse:
    return write.run(lambda s: OrderChanges(s, rules).claim_price_protection(order_id, write.customer_id), body)


@router.get("/products")
def list_products(session: ReadSession) -> list[ProductSummary]:
    return CatalogService(session).list_products()


@router.get("/products/{product_id}")
def get_product(product_id: str, session: ReadSession, rules: Rules) -> Product:
    return CatalogService(session, rules.policy.product_on_sale).get_product(product_id)


@router.get("/items/{item_id}")
def get_item(item_id: str, session: ReadSession) -> Variant:
    return CatalogService(session).get_item(item_id)
