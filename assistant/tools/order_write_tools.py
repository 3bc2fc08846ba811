"""The retail shop's order writes (WRITE): cancel or modify a pending order, return or exchange a delivered one.

The tau2-bench names and forms (fixed cancel reasons, western addresses, returns
and exchanges of items); the forms other shops' policies ask for are in
order_change_tools.py. Which statuses allow each is the shop's policy.

Each tool checks ownership and the policy and describes exactly what will happen;
nothing runs until the customer confirms (``Toolbox.execute_confirmed`` then calls
the method named in the tag, with the idempotency key). The executors do not look
the order up again: the confirmed action is bound to the customer and the
conversation it was proposed in (checked by the toolbox), and every write still
names the customer to the shop (``customer_id``) and is re-checked there.
"""

from __future__ import annotations

from assistant.connectors.models import (
    Address,
    CancelReason,
    Customer,
    Order,
    PaymentMethod,
    Refusal,
)
from assistant.errors import PolicyViolationError
from assistant.tools.access import own_customer, own_order
from assistant.tools.base import Proposal, ToolKind, tool
from assistant.tools.context import ToolContext
from assistant.tools.describe import Describer
from assistant.tools.policy import (
    ItemChange,
    owned_payment_method,
    plan_item_changes,
    require_action,
    require_gift_card_covers,
    require_items_in_order,
    require_refund_destination,
)


class OrderWriteTools:
    @tool(ToolKind.WRITE, executor="_cancel_pending_order")
    async def cancel_pending_order(self, ctx: ToolContext, order_id: str, reason: CancelReason) -> Proposal:
        """Cancel a pending order and refund it: immediately to a gift card, otherwise in 5-7 business days.

        Only a pending order can be cancelled. The customer must confirm the order id and the reason.

        Args:
            order_id: The order id, such as '#W0000000'. Mind the '#' at the start of retail order ids.
            reason: Why the order is cancelled: 'no longer needed' or 'ordered by mistake'.
        """
        order = await own_order(ctx, order_id)
        require_action(ctx, order, "cancel_pending_order")
        customer = await own_customer(ctx)
        say = Describer(ctx.language, ctx.texts)
        refunds = net_payments(order)
        lines = refund_lines(say, customer, refunds, order.currency)
        text = say.render(
            "cancel_pending_order", order_id=order.order_id, items=items_text(say, order), reason=reason, refunds="; ".join(lines)
        )
        return Proposal(description=text, refund_amount=round(sum(refunds.values()), 2), currency=order.currency)

    async def _cancel_pending_order(self, ctx: ToolContext, key: str, order_id: str, reason: str) -> Order:
        return await ctx.connectors.orders.cancel_order(order_id, reason=reason, customer_id=ctx.customer_id, idempotency_key=key)

    @tool(ToolKind.WRITE, executor="_modify_pending_order_address")
    async def modify_pending_order_address(
        self, ctx: ToolContext, order_id: str, address1: str, address2: str, city: str, state: str, country: str, zip: str
    ) -> Proposal:
        """Change the shipping address of a pending order.

        Args:
            order_id: The order id, such as '#W0000000'. Mind the '#' at the start of retail order ids.
            address1: The first line of the address, such as '123 Main St'.
            address2: The second line of the address, such as 'Apt 1' or ''.
            city: The city, such as 'San Francisco'.
            state: The state or province, such as 'CA'.
            country: The country, such as 'USA'.
            zip: The zip code, such as '12345'.
        """
        order = await own_order(ctx, order_id)
        require_action(ctx, order, "modify_pending_order_address")
        new = Address(address1=address1, address2=address2, city=city, state=state, country=country, zip=zip)
        text = Describer(ctx.language, ctx.texts).render(
            "modify_pending_order_address", order_id=order.order_id, old=order.address.one_line(), new=new.one_line()
        )
        return Proposal(description=text)

    async def _modify_pending_order_address(
        self,
        ctx: ToolContext,
        key: str,
        order_id: str,
        address1: str,
        address2: str,
        city: str,
        state: str,
        country: str,
        zip: str,
    ) -> Order:
        address = Address(address1=address1, address2=address2, city=city, state=state, country=country, zip=zip)
        return await ctx.connectors.orders.modify_order_address(
            order_id, address, customer_id=ctx.customer_id, idempotency_key=key
        )

    @tool(ToolKind.WRITE, executor="_modify_pending_order_payment")
    async def modify_pending_order_payment(self, ctx: ToolContext, order_id: str, payment_method_id: str) -> Proposal:
        """Pay a pending order with another of the customer's payment methods; the old one is refunded.

        A gift card must have enough balance for the order total.

        Args:
            order_id: The order id, such as '#W0000000'. Mind the '#' at the start of retail order ids.
            payment_method_id: The new payment method, such as 'gift_card_0000000' or 'credit_card_0000000'.
        """
        order = await own_order(ctx, order_id)
        require_action(ctx, order, "modify_pending_order_payment")
        customer = await own_customer(ctx)
        new_method = owned_payment_method(customer, payment_method_id)
        if len(order.payment_history) != 1 or order.payment_history[0].transaction_type != "payment":
            raise PolicyViolationError(
                f"The payment of order {order_id} was already changed once.", reason=Refusal.UNEXPECTED_PAYMENT_HISTORY
            )
        payment = order.payment_history[0]
        if payment.payment_method_id == payment_method_id:
            raise PolicyViolationError(
                f"Order {order_id} is already paid with {payment_method_id}.", reason=Refusal.SAME_PAYMENT_METHOD
            )
        require_gift_card_covers(new_method, payment.amount)
        old_method = method_of(customer, payment.payment_method_id)
        say = Describer(ctx.language, ctx.texts)
        text = say.render(
            "modify_pending_order_payment",
            order_id=order.order_id,
            amount=say.money(payment.amount, order.currency),
            new_method=say.method(new_method),
            old_method=say.method(old_method),
            timing=say.timing(old_method),
        )
        return Proposal(description=text, currency=order.currency)

    async def _modify_pending_order_payment(self, ctx: ToolContext, key: str, order_id: str, payment_method_id: str) -> Order:
        return await ctx.connectors.orders.modify_order_payment(
            order_id, payment_method_id, customer_id=ctx.customer_id, idempotency_key=key
        )

    @tool(ToolKind.WRITE, executor="_modify_pending_order_items")
    async def modify_pending_order_items(
        self, ctx: ToolContext, order_id: str, item_ids: list[str], new_item_ids: list[str], payment_method_id: str
    ) -> Proposal:
        """Change items of a pending order to other options of the same products. Possible once per order.

        Collect every item to change first: afterwards the order can no longer be modified or cancelled.

        Args:
            order_id: The order id, such as '#W0000000'. Mind the '#' at the start of retail order ids.
            item_ids: The item ids to change, such as ['1008292230']; an item ordered twice may appear twice.
            new_item_ids: The new item ids, in the same order: each the same product as the item at its position.
            payment_method_id: The payment method that pays or receives the price difference, such as 'gift_card_0000000'.
        """
        order = await own_order(ctx, order_id)
        require_action(ctx, order, "modify_pending_order_items")
        return await _propose_item_changes(ctx, order, item_ids, new_item_ids, payment_method_id, "modify_pending_order_items")

    async def _modify_pending_order_items(
        self, ctx: ToolContext, key: str, order_id: str, item_ids: list[str], new_item_ids: list[str], payment_method_id: str
    ) -> Order:
        return await ctx.connectors.orders.modify_order_items(
            order_id, item_ids, new_item_ids, payment_method_id, customer_id=ctx.customer_id, idempotency_key=key
        )

    @tool(ToolKind.WRITE, executor="_return_delivered_order_items")
    async def return_delivered_order_items(
        self, ctx: ToolContext, order_id: str, item_ids: list[str], payment_method_id: str
    ) -> Proposal:
        """Request the return of items of a delivered order; the refund goes to the original payment method or a gift card.

        Args:
            order_id: The order id, such as '#W0000000'. Mind the '#' at the start of retail order ids.
            item_ids: The item ids to return, such as ['1008292230']; an item ordered twice may appear twice.
            payment_method_id: Where the refund goes: the order's original payment method or one of the customer's gift cards.
        """
        order = await own_order(ctx, order_id)
        require_action(ctx, order, "return_delivered_order_items")
        customer = await own_customer(ctx)
        method = owned_payment_method(customer, payment_method_id)
        require_refund_destination(order, method, to_gift_card=ctx.shop.policy.refund_destination == "original_or_gift_card")
        lines = require_items_in_order(order, item_ids)
        amount = round(sum(line.price for line in lines), 2)
        say = Describer(ctx.language, ctx.texts)
        text = say.render(
            "return_delivered_order_items",
            order_id=order.order_id,
            items="; ".join(say.item(line, order.currency) for line in lines),
            amount=say.money(amount, order.currency),
            method=say.method(method),
            timing=say.timing(method),
        )
        return Proposal(description=text, refund_amount=amount, currency=order.currency)

    async def _return_delivered_order_items(
        self, ctx: ToolContext, key: str, order_id: str, item_ids: list[str], payment_method_id: str
    ) -> Order:
        return await ctx.connectors.orders.return_items(
            order_id, item_ids, payment_method_id, customer_id=ctx.customer_id, idempotency_key=key
        )

    @tool(ToolKind.WRITE, executor="_exchange_delivered_order_items")
    async def exchange_delivered_order_items(
        self, ctx: ToolContext, order_id: str, item_ids: list[str], new_item_ids: list[str], payment_method_id: str
    ) -> Proposal:
        """Exchange items of a delivered order for other options of the same products. Possible once per order.

        Collect every item to exchange first; no new order is needed.

        Args:
            order_id: The order id, such as '#W0000000'. Mind the '#' at the start of retail order ids.
            item_ids: The item ids to exchange, such as ['1008292230']; an item ordered twice may appear twice.
            new_item_ids: The new item ids, in the same order: each the same product as the item at its position.
            payment_method_id: The payment method that pays or receives the price difference, such as 'gift_card_0000000'.
        """
        order = await own_order(ctx, order_id)
        require_action(ctx, order, "exchange_delivered_order_items")
        return await _propose_item_changes(
            ctx, order, item_ids, new_item_ids, payment_method_id, "exchange_delivered_order_items"
        )

    async def _exchange_delivered_order_items(
        self, ctx: ToolContext, key: str, order_id: str, item_ids: list[str], new_item_ids: list[str], payment_method_id: str
    ) -> Order:
        return await ctx.connectors.orders.exchange_items(
            order_id, item_ids, new_item_ids, payment_method_id, customer_id=ctx.customer_id, idempotency_key=key
        )


def net_payments(order: Order) -> dict[str, float]:
    """What each payment method paid and has not had back: what a cancellation refunds."""
    net: dict[str, float] = {}
    for payment in order.payment_history:
        sign = 1 if payment.transaction_type == "payment" else -1
        net[payment.payment_method_id] = net.get(payment.payment_method_id, 0.0) + sign * payment.amount
    return {method_id: round(amount, 2) for method_id, amount in net.items() if round(amount, 2) > 0}


def refund_lines(say: Describer, customer: Customer, refunds: dict[str, float], currency: str) -> list[str]:
    """One line per payment method refunded: how much, to what, and when (a gift card at once, others later)."""
    lines = []
    for method_id, amount in refunds.items():
        method = method_of(customer, method_id)
        money = say.money(amount, currency)
        lines.append(say.text("misc", "refund_line", amount=money, method=say.method(method), timing=say.timing(method)))
    return lines


def method_of(customer: Customer, method_id: str) -> PaymentMethod:
    return customer.payment_method(method_id) or PaymentMethod(id=method_id, source="other", balance=None)


def items_text(say: Describer, order: Order) -> str:
    return "; ".join(say.item(item, order.currency) for item in order.items)


def _changes(say: Describer, changes: list[ItemChange], currency: str) -> str:
    return "; ".join(
        say.text("misc", "change_line", old=say.item(change.old, currency), new=say.item(change.new, currency, change.old.name))
        for change in changes
    )


def _difference(say: Describer, difference: float, method: PaymentMethod, currency: str) -> str:
    if difference > 0:
        return say.text("misc", "difference_charge", amount=say.money(difference, currency), method=say.method(method))
    if difference < 0:
        return say.text(
            "misc",
            "difference_refund",
            amount=say.money(difference, currency),
            method=say.method(method),
            timing=say.timing(method),
        )
    return say.text("misc", "difference_none")


async def _propose_item_changes(
    ctx: ToolContext, order: Order, item_ids: list[str], new_item_ids: list[str], payment_method_id: str, template: str
) -> Proposal:
    """What modifying and exchanging items share once the order's status allowed it: variants, payment, wording."""
    changes, difference = await plan_item_changes(ctx.connectors.orders, order, item_ids, new_item_ids)
    customer = await own_customer(ctx)
    method = owned_payment_method(customer, payment_method_id)
    require_gift_card_covers(method, difference)
    say = Describer(ctx.language, ctx.texts)
    text = say.render(
        template,
        order_id=order.order_id,
        changes=_changes(say, changes, order.currency),
        difference=_difference(say, difference, method, order.currency),
    )
    return Proposal(description=text, refund_amount=max(0.0, -difference), currency=order.currency)
