"""Seed: the Chinese appliance store of ECom-Bench (data/ecom_store/), mapped into the same schema.

Its own ids are kept (user ids such as ``cnjd喜哥2号``, 12-digit order and product
ids). What maps, and how:

- users → customers: ``用户姓名`` is split into family name (first character) and
  given name; phone kept (digits), no email or zip exists; gender and age go to
  ``attributes``; locale ``zh``.
- ``电子卡余额`` (JD e-card balance) → a gift card ``jd_ecard_<user id>``; each payment
  means seen in the user's orders (微信, 支付宝, 银行卡) → a payment method of that
  source (``wechat_pay``, ``alipay``, ``bank_card``); 京东E卡 orders are paid by the gift card.
- products → products with one variant each (item id = product id, no options);
  available when ``商品状态`` is 已上架; price in CNY. The long texts (gifts,
  installation, repair, common faults, exchangeable products) stay in ``attributes``.
- orders: a line per unit (``数量`` 2 → two lines, as in the retail data); one
  payment of ``订单总金额``; ``是否加急`` → ``expedited``; recipient name and phone →
  ``attributes``; status mapped by ORDER_STATUS (the original kept as ``source_status``).
- logistics → one shipment per order with its events (Chinese text as written);
  the shipment status follows the mapped order status because the simulated
  timelines often stop at 已创建 even for delivered orders.

What does not map (left out, on purpose): discount.json (promotion rules),
invoices.json, register_cashback.json (review cash-back), service.json
(installation appointments), the platform/shop ids (one shop per database),
3 logistics records whose order does not exist, and the shop's own rules
(exchange to a listed product, cancel while processing): the service applies
the retail policy to every seed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from commerce.seed.rows import SeedRows

ORDER_STATUS = {
    "待付款": "pending",
    "已付款": "pending",
    "处理中": "pending",
    "已发货": "processed",
    "运输中": "processed",
    "已送达": "delivered",
    "已签收": "delivered",
    "已退货": "returned",
}
SHIPMENT_STATUS = {"pending": "label_created", "processed": "in_transit", "delivered": "delivered", "returned": "returned"}
PAYMENT_SOURCES = {"微信": "wechat_pay", "支付宝": "alipay", "银行卡": "bank_card"}
GIFT_CARD_NAME = "京东E卡"


def ecom_store_rows(data_dir: Path) -> SeedRows:
    folder = data_dir / "ecom_store"
    products = _only_shop(_read(folder / "products.json"))
    orders_by_user = _only_shop(_read(folder / "orders.json"))
    logistics_by_user = _only_shop(_read(folder / "logistics.json"))
    users = _read(folder / "users_info.json")
    rows = SeedRows()
    for product in products.values():
        product_id = product["商品ID"]
        attributes = {key: value for key, value in product.items() if key not in ("商品ID", "商品名称", "商品描述", "商品价格")}
        rows.products.append(
            {
                "id": product_id,
                "name": product["商品名称"],
                "description": product["商品描述"],
                "currency": "CNY",
                "attributes": attributes,
            }
        )
        rows.variants.append(
            {
                "id": product_id,
                "product_id": product_id,
                "position": 0,
                "options": {},
                "available": product["商品状态"] == "已上架",
                "price_cents": _cents(product["商品价格"]),
            }
        )
    for user_id, user in users.items():
        orders = list(orders_by_user.get(user_id, {}).values())
        name = user["用户姓名"]
        rows.customers.append(
            {
                "id": user_id,
                "first_name": name[1:],
                "last_name": name[:1],
                "email": None,
                "phone": re.sub(r"\D", "", user["电话号码"]),
                "zip": "",
                "address": _address(user["地址信息"]),
                "tags": [],
                "locale": "zh",
                "attributes": {"gender": user["性别"], "age": user["年龄"]},
            }
        )
        rows.payment_methods.append(
            {
                "id": f"jd_ecard_{user_id}",
                "customer_id": user_id,
                "position": 0,
                "source": "gift_card",
                "brand": GIFT_CARD_NAME,
                "last_four": None,
                "balance_cents": _cents(user["电子卡余额"]),
            }
        )
        for position, means in enumerate(sorted({order["支付方式"] for order in orders} - {GIFT_CARD_NAME}), start=1):
            rows.payment_methods.append(
                {
                    "id": _method_id(user_id, means),
                    "customer_id": user_id,
                    "position": position,
                    "source": PAYMENT_SOURCES[means],
                    "brand": means,
                    "last_four": None,
                    "balance_cents": None,
                }
            )
        for position, order in enumerate(orders):
            _add_order(rows, products, order, position, logistics_by_user.get(user_id, {}).get(order["订单ID"]))
    return rows


def _add_order(
    rows: SeedRows, products: dict[str, Any], order: dict[str, Any], position: int, logistics: dict[str, Any] | None
) -> None:
    order_id, status = order["订单ID"], ORDER_STATUS[order["订单状态"]]
    address = order["收货地址"]
    rows.orders.append(
        {
            "id": order_id,
            "customer_id": order["用户ID"],
            "position": position,
            "status": status,
            "source_status": order["订单状态"],
            "currency": "CNY",
            "address": _address(address),
            "expedited": bool(order["是否加急"]),
            "attributes": {"recipient_name": address["收件人姓名"], "recipient_phone": address["电话号码"]},
        }
    )
    item_ids: list[str] = []
    for line in order["订单商品列表"]:
        for _ in range(line["数量"]):
            rows.order_items.append(
                {
                    "order_id": order_id,
                    "position": len(item_ids),
                    "item_id": line["商品ID"],
                    "product_id": line["商品ID"],
                    "name": products[line["商品ID"]]["商品名称"],
                    "price_cents": _cents(line["单价"]),
                    "options": {},
                }
            )
            item_ids.append(line["商品ID"])
    method_id = (
        f"jd_ecard_{order['用户ID']}" if order["支付方式"] == GIFT_CARD_NAME else _method_id(order["用户ID"], order["支付方式"])
    )
    rows.payments.append(
        {
            "order_id": order_id,
            "position": 0,
            "transaction_type": "payment",
            "amount_cents": _cents(order["订单总金额"]),
            "payment_method_id": method_id,
        }
    )
    if logistics is not None:
        recipient = logistics["收件人信息"]
        rows.add_shipment(
            {
                "order_id": order_id,
                "position": 0,
                "tracking_id": logistics["物流单号"],
                "carrier": logistics["物流公司"],
                "status": SHIPMENT_STATUS[status],
                "item_ids": item_ids,
                "estimated_delivery": logistics["预计送达时间"],
                "delivered_at": logistics["实际送达时间"],
                "recipient": {
                    "name": recipient["收件人姓名"],
                    "phone": recipient["收件人电话"],
                    "address": recipient["收件人地址"],
                },
            },
            events=[
                {
                    "time": event.get("时间"),
                    "status": event.get("状态", event.get("status")),
                    "location": event.get("位置"),
                    "description": event.get("描述"),
                    "operator": event.get("操作人"),
                }
                for event in logistics["物流轨迹"]
            ],
        )


def _address(raw: dict[str, Any]) -> dict[str, str]:
    return {
        "address1": raw["详细地址"],
        "address2": raw.get("区县") or "",
        "city": raw["城市"],
        "state": raw.get("省份") or "",
        "country": raw["国家"],
        "zip": "",
    }


def _method_id(user_id: str, means: str) -> str:
    return f"{PAYMENT_SOURCES[means]}_{user_id}"


def _only_shop(tree: dict[str, Any]) -> dict[str, Any]:
    """The files nest platform → shop → records; the data set has one of each."""
    (platform,) = tree.values()
    (shop,) = platform.values()
    return shop  # type: ignore[no-any-return]


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _cents(amount: float) -> int:
    return round(amount * 100)
