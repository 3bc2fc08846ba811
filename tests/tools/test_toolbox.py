"""Schemas from signatures and docstrings, argument validation, identity rules, and the calculator."""

from __future__ import annotations

import json

import pytest

from assistant.tools import Toolbox, ToolContext, ToolKind
from assistant.tools.base import Proposal, spec_for, tool
from tests.commerce.retail_data import retail_db, user
from tests.shops import approval
from tests.tools.conftest import ContextFactory

on_session_loop = pytest.mark.asyncio(loop_scope="session")
WRITE_TOOLS = {
    "cancel_pending_order",
    "modify_pending_order_address",
    "modify_pending_order_payment",
    "modify_pending_order_items",
    "return_delivered_order_items",
    "exchange_delivered_order_items",
    "modify_user_address",
    "request_expedite",
    "change_delivery_address",
    "create_ticket",
    "update_ticket",
    "add_note",
}


def test_every_tool_has_an_openai_schema_from_its_docstring(toolbox: Toolbox) -> None:
    schemas = toolbox.schemas()
    assert len(schemas) == len(toolbox.names) >= 26
    for schema in schemas:
        function = schema["function"]
        assert schema["type"] == "function" and function["description"]
        parameters = function["parameters"]
        assert parameters["type"] == "object" and parameters["additionalProperties"] is False
        assert all(prop["description"] for prop in parameters["properties"].values()), function["name"]
    json.dumps(schemas)  # plain JSON, ready for the chat-completions `tools` field
    assert {name for name in toolbox.names if toolbox.kind(name) is ToolKind.WRITE} == WRITE_TOOLS
    cancel = next(s for s in schemas if s["function"]["name"] == "cancel_pending_order")["function"]["parameters"]
    assert cancel["properties"]["reason"]["enum"] == ["no longer needed", "ordered by mistake"]
    assert cancel["required"] == ["order_id", "reason"]


def test_a_tool_without_argument_docs_is_rejected() -> None:
    class Sloppy:
        @tool(ToolKind.READ)
        async def look_up(self, ctx: ToolContext, order_id: str) -> str:
            """Look something up."""
            return order_id

    with pytest.raises(TypeError, match="order_id"):
        spec_for(Sloppy().look_up, ToolKind.READ)
    with pytest.raises(TypeError):
        tool(ToolKind.WRITE)


def test_two_tools_with_one_name_are_rejected() -> None:
    class Twice:
        @tool(ToolKind.WRITE, executor="_do")
        async def add_note(self, ctx: ToolContext, body: str) -> Proposal:
            """Add a note.

            Args:
                body: The note.
            """
            return Proposal(description=body)

        async def _do(self, ctx: ToolContext, key: str, body: str) -> str:
            return body

    with pytest.raises(TypeError, match="add_note"):
        Toolbox([Twice(), Twice()], approval=approval())


@on_session_loop
async def test_wrong_arguments_become_an_error_result(toolbox: Toolbox, make_context: ContextFactory) -> None:
    ctx = make_context(customer="noah_brown_6181")
    cases = [
        ("cancel_pending_order", {"order_id": "#W7678072", "reason": "cheaper elsewhere"}),
        ("cancel_pending_order", {"order_id": "#W7678072"}),
        ("get_order_details", {"order_id": "#W7678072", "user_id": "someone_else"}),
        ("modify_pending_order_items", {"order_id": "#W7678072", "item_ids": "1", "new_item_ids": [], "payment_method_id": "x"}),
        ("get_order_details", "{not json"),
    ]
    for name, arguments in cases:
        result = await toolbox.call(name, arguments, ctx)
        assert (result.ok, result.reason) == (False, "bad_arguments"), (name, result)
        assert name in (result.error or "")
    assert (await toolbox.call("get_order_details", '{"order_id": "#W7678072"}', ctx)).ok
    unknown = await toolbox.call("delete_everything", {}, ctx)
    assert (unknown.ok, unknown.reason) == (False, "unknown_tool")


@on_session_loop
async def test_account_tools_need_a_verified_customer(toolbox: Toolbox, make_context: ContextFactory) -> None:
    ctx = make_context()
    for name, arguments in [
        ("get_order_details", {"order_id": "#W7678072"}),
        ("list_user_orders", {}),
        ("get_user_details", {"user_id": "noah_brown_6181"}),
        ("cancel_pending_order", {"order_id": "#W7678072", "reason": "no longer needed"}),
    ]:
        result = await toolbox.call(name, arguments, ctx)
        assert (result.ok, result.reason) == (False, "identity_not_verified"), name
    assert (await toolbox.call("get_product_details", {"product_id": "8310926033"}, ctx)).ok  # the catalogue is public


@on_session_loop
async def test_finding_the_customer_verifies_them_once_per_conversation(toolbox: Toolbox, make_context: ContextFactory) -> None:
    ctx = make_context()
    noah = user("noah_brown_6181")
    found = await toolbox.call(
        "find_user_id_by_name_zip", {"first_name": "Noah", "last_name": "Brown", "zip": noah["address"]["zip"]}, ctx
    )
    assert found.data == "noah_brown_6181" and ctx.verified_customer_id == "noah_brown_6181"
    assert (await toolbox.call("list_user_orders", {}, ctx)).data[0]["order_id"] == noah["orders"][0]
    someone = next(u for u in retail_db()["users"].values() if u["user_id"] != "noah_brown_6181")
    other = await toolbox.call("find_user_id_by_email", {"email": someone["email"]}, ctx)
    assert (other.ok, other.reason) == (False, "customer_not_found") and ctx.verified_customer_id == "noah_brown_6181"
    assert (await toolbox.call("find_user_id_by_email", {"email": noah["email"]}, ctx)).data == "noah_brown_6181"


@on_session_loop
async def test_a_shop_login_pins_the_customer(toolbox: Toolbox, make_context: ContextFactory) -> None:
    ctx = make_context(customer="noah_brown_6181", verified=False)
    someone = next(u for u in retail_db()["users"].values() if u["user_id"] != "noah_brown_6181")
    refused = await toolbox.call("find_user_id_by_email", {"email": someone["email"]}, ctx)
    assert (refused.ok, refused.reason, ctx.verified_customer_id) == (False, "customer_not_found", None)
    assert (await toolbox.call("find_user_id_by_email", {"email": user("noah_brown_6181")["email"]}, ctx)).ok
    assert ctx.verified_customer_id == "noah_brown_6181"


@on_session_loop
async def test_calculate_is_arithmetic_only(toolbox: Toolbox, make_context: ContextFactory) -> None:
    ctx = make_context()
    assert (await toolbox.call("calculate", {"expression": "3131.1 + 4777.75 + 367.38"}, ctx)).data == 8276.23
    assert (await toolbox.call("calculate", {"expression": "-(2 + 3) * 4 / 8"}, ctx)).data == -2.5
    for bad in ("__import__('os').getcwd()", "2 ** 1000000", "1 / 0", "x + 1", "1 +", "9" * 300):
        result = await toolbox.call("calculate", {"expression": bad}, ctx)
        assert (result.ok, result.reason) == (False, "bad_input"), bad
