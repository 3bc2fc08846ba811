"""Seed: the Chinese appliance shop of ECom-Bench (data/ecom_store/), served under its own policy (shops/jd_appliances).

Its own ids are kept (user ids such as ``cnjd喜哥2号``, 12-digit order and product
ids) and its own words: order statuses stay ``待付款`` ``已付款`` ``处理中``
``已发货`` ``运输中`` ``已送达`` ``已签收`` ``已退货`` (the service's writes add
``已取消`` and ``退货中``, as shops/jd_appliances/policy.toml says). What maps, and how:

- users → customers: ``用户姓名`` is split into family name (first character) and
  given name; phone kept (digits); no email or zip exists; gender and age go to
  ``attributes``; locale ``zh``.
- ``电子卡余额`` (京东E卡 balance) → a gift card ``jd_ecard_<user id>`` (brand 京东E卡);
  each payment means seen in the user's orders (微信, 支付宝, 银行卡) → a payment
  method of that source (``wechat_pay``, ``alipay``, ``bank_card``); 京东E卡 orders
  are paid by the gift card. A customer can pay a new order only with these.
- products → products with one variant each (item id = product id, no options);
  ``商品状态`` kept as the product's status, the variant available when it is
  已上架; price in CNY. ``赠品信息`` (gifts) → ``attributes.gifts``; ``可换货商品`` →
  exchange options (the listing's own status kept); installation, repair, fault
  codes and auxiliary materials stay in ``attributes`` (they are knowledge: the
  product documents are ingested for the assistant).
- products listed as exchangeable but not in the catalogue (102 ids of the 129
  listings) become catalogue products too, from their listing: the description is
  their name and description; their status is the best any listing gives them
  (已上架 over 缺货 over 已下架: a product some listing sells is on sale), and the
  listing chosen for the name is the first with that status; their **price is the
  price of the first catalogue product that lists them** — the listing has no
  price, and the shop lists them as like-for-like replacements of that product
  (same series, another capacity). Exchanges keep the price paid (policy_zh.md
  names no price difference), so the price matters only for new orders.
- orders: a line per unit (``数量`` 2 → two lines, as in the retail data); one
  payment of ``订单总金额``; ``是否加急`` → ``expedited``; the recipient's name and
  phone → ``recipient_name``/``recipient_phone``.
- logistics → one shipment per order with its events (Chinese text as written);
  the shipment status follows the order status because the simulated timelines
  often stop at 已创建 even for delivered orders.
- invoices.json → invoices (个人发票 etc., 抬头, phone; amount = the order's total)
  for the orders that exist; service.json → installation/repair appointments and
  register_cashback.json → cash-back records, likewise.

What does not map (left out, on purpose, and counted in ``SeedRows.skipped``):
invoices whose order is not in orders.json (49 of 71), the one appointment of
service.json (its order 314231443863 is not in orders.json either), 3 logistics
records whose order does not exist; discount.json (promotion rules: knowledge,
not data); the platform/shop ids (one shop per database).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from commerce.seed.rows import SeedRows

ON_SALE = "已上架"
# Which listing status wins when listings of one product disagree: a product some listing sells is on sale.
STATUS_RANK = {ON_SALE: 0, "缺货": 1, "已下架": 2}
SHIPMENT_STATUS = {
    "待付款": "label_created",
    "已付款": "label_created",
    "处理中": "label_created",
    "已发货": "in_transit",
    "运输中": "in_transit",
    "已送达": "delivered",
    "已签收": "delivered",
    "已退货": "returned",
}
PAYMENT_SOURCES = {"微信": "wechat_pay", "支付宝": "alipay", "银行卡": "bank_card"}
GIFT_CARD_NAME = "京东E卡"
KNOWLEDGE_FIELDS = ("辅材材料", "安装说明", "维修说明", "常见故障")


def ecom_store_rows(data_dir: Path) -> SeedRows:
    folder = data_dir / "ecom_store"
    products = _only_shop(_read(folder / "products.json"))
    orders_by_user = _only_shop(_read(folder / "orders.json"))
    logistics_by_user = _only_shop(_read(folder / "logistics.json"))
    users = _read(folder / "users_info.json")
    rows = SeedRows()
    _add_products(rows, products)
    orders: dict[str, dict[str, Any]] = {}
    for user_id, user in users.items():
        user_orders = list(orders_by_user.get(user_id, {}).values())
        _add_customer(rows, user_id, user, user_orders)
        for position, order in enumerate(user_orders):
            orders[order["订单ID"]] = order
            _add_order(rows, products, order, position, logistics_by_user.get(user_id, {}).get(order["订单ID"]))
    rows.skip(
        "logistics records without an order",
        sum(1 for records in logistics_by_user.values() for order_id in records if order_id not in orders),
    )
    _add_aftersales(rows, folder, orders)
    return rows


def _add_products(rows: SeedRows, products: dict[str, Any]) -> None:
    listed: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}  # listed id → (listing, lister) in file order
    for product in products.values():
        product_id = product["商品ID"]
        attributes = {key: product[key] for key in KNOWLEDGE_FIELDS if key in product}
        attributes["gifts"] = [{"name": g["赠品名称"], "description": g["赠品描述"]} for g in product.get("赠品信息") or []]
        _add_product(
            rows, product_id, product["商品名称"], product["商品描述"], product["商品状态"], product["商品价格"], attributes
        )
        for position, listing in enumerate(product.get("可换货商品") or []):
            rows.exchange_options.append(
                {
                    "product_id": product_id,
                    "position": position,
                    "target_id": listing["商品ID"],
                    "description": listing["商品描述"],
                    "status": listing["商品状态"],
                }
            )
            if listing["商品ID"] not in products:
                listed.setdefault(listing["商品ID"], []).append((listing, product))
    for product_id, listings in listed.items():
        status = min((listing["商品状态"] for listing, _ in listings), key=STATUS_RANK.__getitem__)
        listing, lister = next((listing, lister) for listing, lister in listings if listing["商品状态"] == status)
        if len({(entry["商品描述"], entry["商品状态"]) for entry, _ in listings}) > 1:
            rows.skip("listings of one product that disagree (the first with the best status is used)")
        attributes = {"listed_by": sorted({lister["商品ID"] for _, lister in listings}), "gifts": []}
        _add_product(rows, product_id, listing["商品描述"], listing["商品描述"], status, lister["商品价格"], attributes)


def _add_product(
    rows: SeedRows, product_id: str, name: str, description: str, status: str, price: float, attributes: dict[str, Any]
) -> None:
    rows.products.append(
        {
            "id": product_id,
            "name": name,
            "description": description,
            "currency": "CNY",
            "status": status,
            "attributes": attributes,
        }
    )
    rows.variants.append(
        {
            "id": product_id,
            "product_id": product_id,
            "position": 0,
            "options": {},
            "available": status == ON_SALE,
            "price_cents": _cents(price),
        }
    )


def _add_customer(rows: SeedRows, user_id: str, user: dict[str, Any], orders: list[dict[str, Any]]) -> None:
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
            "id": _ecard_id(user_id),
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


def _add_order(
    rows: SeedRows, products: dict[str, Any], order: dict[str, Any], position: int, logistics: dict[str, Any] | None
) -> None:
    order_id, status = order["订单ID"], order["订单状态"]
    address = order["收货地址"]
    rows.orders.append(
        {
            "id": order_id,
            "customer_id": order["用户ID"],
            "position": position,
            "status": status,
            "source_status": None,
            "currency": "CNY",
            "address": _address(address),
            "expedited": bool(order["是否加急"]),
            "recipient_name": address["收件人姓名"],
            "recipient_phone": re.sub(r"\D", "", address["电话号码"]),
            "attributes": {},
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
                    "price_protected_cents": 0,
                }
            )
            item_ids.append(line["商品ID"])
    method_id = (
        _ecard_id(order["用户ID"]) if order["支付方式"] == GIFT_CARD_NAME else _method_id(order["用户ID"], order["支付方式"])
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
        _add_shipment(rows, order_id, status, item_ids, logistics)


def _add_shipment(rows: SeedRows, order_id: str, status: str, item_ids: list[str], logistics: dict[str, Any]) -> None:
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


def _add_aftersales(rows: SeedRows, folder: Path, orders: dict[str, dict[str, Any]]) -> None:
    """Invoices, appointments and cash-back records of the orders that exist; the others are counted as skipped."""
    from assistant.shops.dates import day_of  # how the shop's customers name a day (周六), read as a date

    for record in _read(folder / "invoices.json").values():
        order = orders.get(record["订单ID"])
        if order is None:
            rows.skip("invoices without an order")
            continue
        rows.invoices.append(
            {
                "order_id": order["订单ID"],
                "customer_id": order["用户ID"],
                "invoice_type": record["发票类型"],
                "title": record["发票抬头"],
                "tax_id": record.get("税号") or None,
                "phone": record.get("电话号码"),
                "amount_cents": _cents(order["订单总金额"]),
                "status": "issued",
                "issued_at": None,
                "replaces": None,
            }
        )
    for user_id, records in _only_shop(_read(folder / "service.json")).items():
        for order_id, record in records.items():
            order = orders.get(order_id)
            if order is None or order["用户ID"] != user_id:
                rows.skip("appointments without an order")
                continue
            rows.appointments.append(
                {
                    "order_id": order_id,
                    "customer_id": user_id,
                    "service_type": record["服务类型"],
                    "day": day_of(record["预约日期"], "Asia/Shanghai"),
                    "name": record.get("用户姓名"),
                    "phone": record.get("电话号码"),
                    "status": "booked",
                }
            )
    for user_id, records in _only_shop(_read(folder / "register_cashback.json")).items():
        for order_id, reviewed in records.items():
            order = orders.get(order_id)
            if order is None or order["用户ID"] != user_id:
                rows.skip("cash-back records without an order")
                continue
            rows.cashback_records.append({"order_id": order_id, "customer_id": user_id, "reviewed": bool(reviewed)})


def _address(raw: dict[str, Any]) -> dict[str, str]:
    """省份 → state, 城市 → city, 区县 → address2, 详细地址 → address1; no postal code."""
    return {
        "address1": raw["详细地址"],
        "address2": raw.get("区县") or "",
        "city": raw["城市"],
        "state": raw.get("省份") or "",
        "country": raw["国家"],
        "zip": "",
    }


def _ecard_id(user_id: str) -> str:
    return f"jd_ecard_{user_id}"


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
