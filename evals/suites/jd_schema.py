"""Where the Chinese-shop eval set's oracle finds things in the commerce database: every table and column name it reads,
in one place.

The defaults are commerce/models.py as main has it once the commerce branch (issue 16) is in: the JD seed keeps the
shop's own statuses in `orders.status`, the contact phone in `orders.recipient_phone`, the 京东E卡 as a `gift_card`
payment method with `balance_cents`; `invoices` (a re-issue marks the old row `replaced`) and `appointments` (a visit's
`day` is a date) are tables of their own. The schema before it (this branch's base) kept the phone in
`orders.attributes.recipient_phone` and had neither table: `LEGACY_NAMES` reads that one. Change the names here (or pass
another `CommerceNames` to the oracle), nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CommerceNames:
    # orders: one row per order
    orders: str = "orders"
    order_id: str = "id"
    order_customer: str = "customer_id"
    order_status: str = "status"  # the shop's own status words (已付款, 已取消 …)
    order_address: str = "address"  # JSON: every value of it is searched
    order_phone: tuple[str, ...] = ("recipient_phone",)  # a column, or a JSON column and the key in it
    order_expedited: str = "expedited"
    # An exchange may be recorded on the order (retail's way: item ids before and after) instead of changing its lines.
    order_exchange_old: str = "exchange_items"
    order_exchange_new: str = "exchange_new_items"
    # order lines
    order_items: str = "order_items"
    item_order: str = "order_id"
    item_product: str = "product_id"
    item_id: str = "item_id"
    # payment means of a customer; the 京东E卡 is the one of `ecard_source` (or of brand 京东E卡)
    payment_methods: str = "payment_methods"
    method_id: str = "id"
    method_customer: str = "customer_id"
    method_source: str = "source"
    method_brand: str = "brand"
    method_balance: str = "balance_cents"
    ecard_source: str = "gift_card"
    # money moved on an order
    payments: str = "payments"
    payment_order: str = "order_id"
    payment_kind: str = "transaction_type"
    payment_amount: str = "amount_cents"
    payment_method: str = "payment_method_id"
    charge_kinds: tuple[str, ...] = ("payment",)
    refund_kinds: tuple[str, ...] = ("refund",)
    # invoices and installation / repair visits (not on main: see the module's note)
    invoices: str = "invoices"
    invoice_order: str = "order_id"
    invoice_type: str = "invoice_type"
    invoice_title: str = "title"
    invoice_tax_id: str = "tax_id"
    invoice_status: str = "status"
    invoice_void: tuple[str, ...] = ("replaced", "void", "cancelled")  # an invoice in one of these no longer counts
    appointments: str = "appointments"
    appointment_order: str = "order_id"
    appointment_type: str = "service_type"
    appointment_date: str = "day"  # an ISO date, or a weekday word (周六): compared as ISO weekdays
    appointment_status: str = "status"
    appointment_void: tuple[str, ...] = ("cancelled", "canceled", "已取消")
    # Any other table: a row belongs to the order (or customer) its `order_ref` (or `customer_ref`) column names.
    order_ref: str = "order_id"
    customer_ref: str = "customer_id"
    customers: str = "customers"
    customer_key: str = "id"
    shipments: str = "shipments"
    shipment_events: str = "shipment_events"
    shipment_event_parent: str = "shipment_id"
    money_scale: int = 100  # stored amounts are cents
    # Tables that record requests, not what the shop holds (the idempotency keys; an audit log, if the service has one).
    bookkeeping_tables: frozenset[str] = frozenset({"idempotency_keys"})
    ignored_columns: frozenset[str] = frozenset({"created_at", "updated_at"})
    # How a payment means of the eval set (the data's words) may be stored: a method's brand or its source.
    means: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "京东E卡": ("京东E卡", "gift_card"),
            "微信": ("微信", "wechat_pay"),
            "支付宝": ("支付宝", "alipay"),
            "银行卡": ("银行卡", "bank_card"),
        }
    )
    invoice_types: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "个人发票": ("个人发票", "个人", "personal", "individual"),
            "企业发票": ("企业发票", "企业", "单位", "公司", "company", "business", "enterprise"),
        }
    )
    appointment_types: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {"安装": ("安装", "installation", "install"), "维修": ("维修", "repair")}
    )


JD_NAMES = CommerceNames()
LEGACY_NAMES = CommerceNames(order_phone=("attributes", "recipient_phone"))
