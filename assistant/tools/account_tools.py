"""Identity and account tools: find and verify the customer, read the profile, change the default address."""

from __future__ import annotations

import ast
import operator
from typing import Any

from assistant.connectors.interfaces import CRMConnector
from assistant.connectors.models import Address, Customer, OrderSummary
from assistant.errors import BadInputError, NotFoundError
from assistant.tools.access import customer_not_found, own_customer
from assistant.tools.base import Proposal, ToolKind, tool
from assistant.tools.context import ToolContext
from assistant.tools.describe import Describer

_OPERATORS: dict[type, Any] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


class AccountTools:
    @tool(ToolKind.READ)
    async def find_user_id_by_email(self, ctx: ToolContext, email: str) -> str:
        """Find the customer's user id by email, which also verifies their identity for this conversation.

        Call this first, whenever the customer asks about their account or orders, even if they already gave a user id.

        Args:
            email: The customer's email address, such as 'something@example.com'.
        """
        return await _verify(ctx, lambda crm, within: crm.find_customer_by_email(email, within=within))

    @tool(ToolKind.READ)
    async def find_user_id_by_name_zip(self, ctx: ToolContext, first_name: str, last_name: str, zip: str) -> str:
        """Find the customer's user id by first name, last name and zip code, which verifies their identity.

        Use this only when the customer cannot give an email address, or none matched.

        Args:
            first_name: The customer's first name, such as 'John'.
            last_name: The customer's last name, such as 'Doe'.
            zip: The customer's zip code, such as '12345'.
        """
        return await _verify(ctx, lambda crm, within: crm.find_customer_by_name_zip(first_name, last_name, zip, within=within))

    @tool(ToolKind.READ)
    async def find_user_id_by_phone(self, ctx: ToolContext, phone: str) -> str:
        """Find the customer's user id by phone number, which verifies their identity (shops without email, e.g. 京东).

        Args:
            phone: The customer's phone number, digits only or formatted, such as '15540534614'.
        """
        return await _verify(ctx, lambda crm, within: crm.find_customer_by_phone(phone, within=within))

    @tool(ToolKind.READ)
    async def verify_platform_user_id(self, ctx: ToolContext, user_id: str) -> str:
        """Verify the customer by the user id they signed in to the shop's platform with: it must be the id of this
        conversation's customer.

        Args:
            user_id: The platform user id exactly as the customer typed it, in any script, such as 'cnjd喜哥2号'.
        """
        return await _verify(ctx, lambda crm, within: _platform_user(crm, user_id, within))

    @tool(ToolKind.READ)
    async def get_user_details(self, ctx: ToolContext, user_id: str) -> Customer:
        """Get the verified customer's profile: name, email, default address, payment methods and order ids.

        Args:
            user_id: The customer's user id, such as 'sara_doe_496'.
        """
        return await own_customer(ctx, user_id)

    @tool(ToolKind.READ)
    async def get_customer_profile(self, ctx: ToolContext) -> dict[str, Any]:
        """Get the verified customer's CRM profile: contact data, payment methods, tags and a summary of every order."""
        customer = await own_customer(ctx)
        orders: list[OrderSummary] = await ctx.connectors.orders.list_orders(customer.user_id)
        return {"customer": customer.model_dump(mode="json"), "orders": [order.model_dump(mode="json") for order in orders]}

    @tool(ToolKind.WRITE, executor="_modify_user_address")
    async def modify_user_address(
        self, ctx: ToolContext, user_id: str, address1: str, address2: str, city: str, state: str, country: str, zip: str
    ) -> Proposal:
        """Change the verified customer's default address (not the address of existing orders).

        Needs the customer's explicit confirmation of the new address.

        Args:
            user_id: The customer's user id, such as 'sara_doe_496'.
            address1: The first line of the address, such as '123 Main St'.
            address2: The second line of the address, such as 'Apt 1' or ''.
            city: The city, such as 'San Francisco'.
            state: The state or province, such as 'CA'.
            country: The country, such as 'USA'.
            zip: The zip code, such as '12345'.
        """
        customer = await own_customer(ctx, user_id)
        new = Address(address1=address1, address2=address2, city=city, state=state, country=country, zip=zip)
        text = Describer(ctx.language, ctx.texts).render(
            "modify_user_address", old=customer.address.one_line(), new=new.one_line()
        )
        return Proposal(description=text)

    async def _modify_user_address(
        self,
        ctx: ToolContext,
        key: str,
        user_id: str,
        address1: str,
        address2: str,
        city: str,
        state: str,
        country: str,
        zip: str,
    ) -> Customer:
        if user_id != ctx.customer_id:  # checked with a look-up at proposal; the action is bound to this customer
            raise customer_not_found()
        address = Address(address1=address1, address2=address2, city=city, state=state, country=country, zip=zip)
        return await ctx.connectors.crm.modify_customer_address(user_id, address, idempotency_key=key)

    @tool(ToolKind.READ)
    async def calculate(self, ctx: ToolContext, expression: str) -> float:
        """Calculate the result of an arithmetic expression (numbers, + - * / and parentheses), rounded to 2 decimals.

        Args:
            expression: The expression, such as '2 * (3 + 4.5) - 1'.
        """
        if len(expression) > 200:
            raise BadInputError("The expression is too long (200 characters at most).")
        try:
            return round(float(_evaluate(ast.parse(expression.strip(), mode="eval").body)), 2)
        except (SyntaxError, ZeroDivisionError, OverflowError) as exc:
            raise BadInputError(f"Cannot calculate {expression!r}: {exc}") from None


async def _verify(ctx: ToolContext, find: Any) -> str:
    """Look the customer up; succeed only for the conversation's one customer, and remember them as verified."""
    expected = ctx.authenticated_customer_id or ctx.verified_customer_id
    try:
        # Scoped to the conversation's customer: the shop answers "not found" for anyone else,
        # so not even the HTTP status tells whether another customer's details exist.
        user_id: str = await find(ctx.connectors.crm, expected)
    except NotFoundError:
        raise customer_not_found() from None
    if expected is not None and user_id != expected:
        # One customer per conversation: another customer's details are answered like unknown ones.
        raise customer_not_found()
    ctx.verified_customer_id = user_id
    return user_id


async def _platform_user(crm: CRMConnector, user_id: str, within: str | None) -> str:
    """The typed id, when it is the signed-in customer's and the shop knows them; another id is "not found"."""
    if within is not None and user_id.strip() != within:
        raise NotFoundError("no such customer")
    return (await crm.get_customer(user_id.strip())).user_id


def _evaluate(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.left), _evaluate(node.right))  # type: ignore[no-any-return]
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.operand))  # type: ignore[no-any-return]
    raise BadInputError("Only numbers, + - * / and parentheses are allowed.")
