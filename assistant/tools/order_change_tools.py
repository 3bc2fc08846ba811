"""Order writes in the forms the Chinese shop's policy asks for (WRITE): cancel for any reason, a new address or phone,
a whole-order return, an exchange for a listed product, price protection.

Each checks ownership and the shop's policy (`ctx.shop.policy`: which statuses
allow it) and describes exactly what will happen, with the amounts in the
shop's currency and where refunds go — a gift card (京东E卡) at once, any other
method later; nothing runs until the customer confirms.
"""

from __future__ import annotations

import re
from collections import Counter

from assistant.connectors.models import GIFT_CARD, Address, Order, Product, Refusal
from assistant.errors import BadInputError, PolicyViolationError
from assistant.tools.access import own_customer, own_order
from assistant.tools.base import Proposal, ToolKind, tool
from assistant.tools.context import ToolContext
from assistant.tools.describe import Describer
from assistant.tools.order_write_tools import method_of, net_payments, refund_lines
from assistant.tools.policy import original_payment_method_id, require_action


class OrderChangeTools:
    @tool(ToolKind.WRITE, executor="_cancel_order")
    async def cancel_order(self, ctx: ToolContext, order_id: str, reason: str) -> Proposal:
        """Cancel an order the shop still allows to cancel, and refund what was paid.

        An e-card or gift card gets its money back at once, another payment method later. The customer must confirm
        the order and the reason.

        Args:
            order_id: The order id as the shop writes it, such as '{example_order_id}'.
            reason: Why the customer cancels, in their own words.
        """
        if not reason.strip():
            raise BadInputError("Give the reason for the cancellation.", reason=Refusal.INVALID_CANCEL_REASON)
        order = await own_order(ctx, order_id)
        require_action(ctx, order, "cancel_order")
        customer = await own_customer(ctx)
        say = Describer(ctx.language, ctx.texts)
        refunds = net_payments(order)
        lines = refund_lines(say, customer, refunds, order.currency)
        text = say.render(
            "cancel_order", order_id=order.order_id, items=units(say, order), reason=reason.strip(), refunds="; ".join(lines)
        )
        return Proposal(description=text, refund_amount=round(sum(refunds.values()), 2), currency=order.currency)

    async def _cancel_order(self, ctx: ToolContext, key: str, order_id: str, reason: str) -> Order:
        return await ctx.connectors.orders.cancel_order(
            order_id, reason=reason.strip(), customer_id=ctx.customer_id, idempotency_key=key
        )

    @tool(ToolKind.WRITE, executor="_modify_order_address")
    async def modify_order_address(
        self, ctx: ToolContext, order_id: str, province: str, city: str, district: str, detail: str
    ) -> Proposal:
        """Change the delivery address of an order the shop still allows to change (a Chinese address: no postal code).

        Args:
            order_id: The order id as the shop writes it, such as '{example_order_id}'.
            province: The province (省份), such as '广东省'; for a municipality the city itself, such as '北京市'.
            city: The city (城市), such as '揭阳市'.
            district: The district or county (区县), such as '饶平县'.
            detail: The street, number and any building or room (详细地址), such as '中山北路231号'.
        """
        new = chinese_address(ctx, province, city, district, detail)
        order = await own_order(ctx, order_id)
        require_action(ctx, order, "modify_order_address")
        say = Describer(ctx.language, ctx.texts)
        text = say.render(
            "modify_order_address",
            order_id=order.order_id,
            old=say.address(order.address, "chinese"),
            new=say.address(new, "chinese"),
        )
        return Proposal(description=text)

    async def _modify_order_address(
        self, ctx: ToolContext, key: str, order_id: str, province: str, city: str, district: str, detail: str
    ) -> Order:
        address = chinese_address(ctx, province, city, district, detail)
        return await ctx.connectors.orders.modify_order_address(
            order_id, address, customer_id=ctx.customer_id, idempotency_key=key
        )

    @tool(ToolKind.WRITE, executor="_modify_order_phone")
    async def modify_order_phone(self, ctx: ToolContext, order_id: str, phone: str) -> Proposal:
        """Change the recipient's phone number of an order the shop still allows to change.

        Args:
            order_id: The order id as the shop writes it, such as '{example_order_id}'.
            phone: The new phone number, digits only, such as '13800138000'.
        """
        number = valid_phone(ctx, phone)
        order = await own_order(ctx, order_id)
        require_action(ctx, order, "modify_order_phone")
        say = Describer(ctx.language, ctx.texts)
        text = say.render("modify_order_phone", order_id=order.order_id, old=order.recipient_phone or "-", new=number)
        return Proposal(description=text, arguments={"phone": number})

    async def _modify_order_phone(self, ctx: ToolContext, key: str, order_id: str, phone: str) -> Order:
        return await ctx.connectors.orders.modify_order_phone(order_id, phone, customer_id=ctx.customer_id, idempotency_key=key)

    @tool(ToolKind.WRITE, executor="_return_order")
    async def return_order(self, ctx: ToolContext, order_id: str, reason: str = "") -> Proposal:
        """Request the return of a whole order, once the shop allows it (signed for).

        An order paid by e-card is refunded to the e-card at once; another payment method once the goods are back.

        Args:
            order_id: The order id as the shop writes it, such as '{example_order_id}'.
            reason: Why the customer returns it, in their words; may be empty.
        """
        order = await own_order(ctx, order_id)
        require_action(ctx, order, "return_order")
        customer = await own_customer(ctx)
        method = method_of(customer, original_payment_method_id(order) or "")
        amount = net_payments(order).get(method.id, 0.0)
        at_once = ctx.shop.policy.return_refund == "gift_card_at_once" and method.source == GIFT_CARD
        say = Describer(ctx.language, ctx.texts)
        text = say.render(
            "return_order",
            order_id=order.order_id,
            items=units(say, order),
            amount=say.money(amount, order.currency),
            method=say.method(method),
            timing=say.timing(method),
            at_once=at_once,
        )
        return Proposal(description=text, refund_amount=amount, currency=order.currency)

    async def _return_order(self, ctx: ToolContext, key: str, order_id: str, reason: str = "") -> Order:
        return await ctx.connectors.orders.return_order(order_id, reason=reason, customer_id=ctx.customer_id, idempotency_key=key)

    @tool(ToolKind.WRITE, executor="_exchange_order_product")
    async def exchange_order_product(self, ctx: ToolContext, order_id: str, product_id: str, new_product_id: str) -> Proposal:
        """Exchange a product of an order, before it ships, for one the product lists as exchangeable and that is on sale.

        Check the product's exchange list first (get_product_details: exchangeable). Every unit of the product in the
        order is exchanged; the price paid stays the same.

        Args:
            order_id: The order id as the shop writes it, such as '{example_order_id}'.
            product_id: The product in the order to exchange, such as '100112573665'.
            new_product_id: The product to exchange it for, from the exchange list, such as '100112573666'.
        """
        order = await own_order(ctx, order_id)
        require_action(ctx, order, "exchange_order_product")
        say = Describer(ctx.language, ctx.texts)
        lines = [item for item in order.items if item.product_id == product_id]
        if not lines:
            products = ", ".join(dict.fromkeys(f"{item.name} ({item.product_id})" for item in order.items))
            message = say.text(
                "refusal", "product_not_in_order", order_id=order.order_id, product_id=product_id, products=products
            )
            raise PolicyViolationError(message, reason=Refusal.ITEM_NOT_IN_ORDER)
        product = await ctx.connectors.orders.get_product(product_id)
        target = await _exchange_target(ctx, say, product, new_product_id)
        text = say.render(
            "exchange_order_product",
            order_id=order.order_id,
            old=say.text("misc", "units", name=lines[0].name, count=len(lines)),
            new=f"{target.name} ({target.product_id})",
            price=say.money(lines[0].price, order.currency),
        )
        return Proposal(description=text)

    async def _exchange_order_product(
        self, ctx: ToolContext, key: str, order_id: str, product_id: str, new_product_id: str
    ) -> Order:
        return await ctx.connectors.orders.exchange_order_product(
            order_id, product_id, new_product_id, customer_id=ctx.customer_id, idempotency_key=key
        )

    @tool(ToolKind.WRITE, executor="_claim_price_protection")
    async def claim_price_protection(self, ctx: ToolContext, order_id: str) -> Proposal:
        """Claim price protection (价保) for an order: what was paid above today's price is refunded, per unit.

        The refund goes to the original payment method (an e-card at once). Refused when nothing costs less today.

        Args:
            order_id: The order id as the shop writes it, such as '{example_order_id}'.
        """
        order = await own_order(ctx, order_id)
        require_action(ctx, order, "claim_price_protection")
        say = Describer(ctx.language, ctx.texts)
        differences: Counter[tuple[str, str, float, float]] = Counter()
        prices: dict[str, str] = {}  # each product's price paid and today's, named when nothing is refunded
        for item in order.items:
            today = (await ctx.connectors.orders.get_item(item.item_id)).price
            paid = round(item.price - item.price_protected, 2)
            prices[item.product_id] = say.text(
                "misc", "price_now", name=item.name, paid=say.money(paid, order.currency),
                today=say.money(today, order.currency),
            )  # fmt: skip
            if paid > today:
                differences[(item.product_id, item.name, paid, today)] += 1
        total = round(sum((paid - today) * count for (_, _, paid, today), count in differences.items()), 2)
        if total <= 0:
            message = say.text("refusal", "no_price_difference", order_id=order.order_id, prices="; ".join(prices.values()))
            raise PolicyViolationError(message, reason=Refusal.NO_PRICE_DIFFERENCE)
        customer = await own_customer(ctx)
        method = method_of(customer, original_payment_method_id(order) or "")
        lines = [
            say.text(
                "misc",
                "protection_line",
                name=name,
                paid=say.money(paid, order.currency),
                today=say.money(today, order.currency),
                difference=say.money(paid - today, order.currency),
                count=count,
            )  # fmt: skip
            for (_, name, paid, today), count in differences.items()
        ]
        text = say.render(
            "claim_price_protection",
            order_id=order.order_id,
            lines="; ".join(lines),
            amount=say.money(total, order.currency),
            method=say.method(method),
            timing=say.timing(method),
        )
        return Proposal(description=text, refund_amount=total, currency=order.currency)

    async def _claim_price_protection(self, ctx: ToolContext, key: str, order_id: str) -> Order:
        return await ctx.connectors.orders.claim_price_protection(order_id, customer_id=ctx.customer_id, idempotency_key=key)


async def _exchange_target(ctx: ToolContext, say: Describer, product: Product, new_product_id: str) -> Product:
    """The listed, on-sale product `new_product_id` of `product`'s exchange list, or the refusal naming what is."""
    on_sale = ", ".join(f"{option.product_id} ({option.description})" for option in product.exchangeable if option.on_sale)
    option = next((option for option in product.exchangeable if option.product_id == new_product_id), None)
    if option is None:
        message = say.text(
            "refusal", "not_exchangeable", new_product_id=new_product_id, name=product.name, options=on_sale or "-"
        )
        raise PolicyViolationError(message, reason=Refusal.PRODUCT_NOT_EXCHANGEABLE)
    if not option.on_sale:
        message = say.text(
            "refusal", "exchange_not_on_sale", new_product_id=new_product_id, name=product.name, status=option.status,
            options=on_sale or "-",
        )  # fmt: skip
        raise PolicyViolationError(message, reason=Refusal.PRODUCT_NOT_ON_SALE)
    return await ctx.connectors.orders.get_product(new_product_id)


def units(say: Describer, order: Order) -> str:
    """`空调 × 2; 热水器 × 1`: an order's products with how many of each (the Chinese shop has a line per unit)."""
    counts = Counter((item.name, item.price) for item in order.items)
    return "; ".join(
        say.text("misc", "units", name=f"{name} ({say.money(price, order.currency)})", count=count)
        for (name, price), count in counts.items()
    )


def chinese_address(ctx: ToolContext, province: str, city: str, district: str, detail: str) -> Address:
    parts = [part.strip() for part in (province, city, district, detail)]
    if not all(parts):
        raise BadInputError(Describer(ctx.language, ctx.texts).text("refusal", "address_incomplete"))
    province, city, district, detail = parts
    return Address(address1=detail, address2=district, city=city, state=province, country="中国", zip="")


def valid_phone(ctx: ToolContext, phone: str) -> str:
    """The number as digits, when the shop's phone pattern (its identity rules) accepts it."""
    digits = re.sub(r"[\s\-()+]", "", phone)
    pattern = ctx.shop.profile.identity.phone
    if not (re.fullmatch(pattern, digits) if pattern else re.fullmatch(r"\d{5,20}", digits)):
        message = Describer(ctx.language, ctx.texts).text("refusal", "invalid_phone", phone=phone)
        raise BadInputError(message, reason=Refusal.INVALID_PHONE)
    return digits
