"""The agent's tools over the order, logistics and CRM connectors.

Build once per shop (assistant/bootstrap.py does)::

    connectors = build_reference_connectors(settings.shops[name].commerce)   # or the shop's own Connectors
    audit = AuditLog(engine, shop=name); audit.create_table()
    toolbox = build_toolbox(shop=shop, approval=ApprovalRule.for_shop(settings, shop.policy))

and per conversation a ``ToolContext``; then ``toolbox.schemas()`` for the model,
``await toolbox.call(name, arguments, ctx)`` for each tool call, and
``await toolbox.execute_confirmed(result.proposed_action, ctx)`` once the customer
confirmed a write.
"""

from assistant.tools.audit import AuditEntry, AuditLog
from assistant.tools.base import HandoffRequest, ProposedAction, ToolKind, ToolResult
from assistant.tools.context import ToolContext
from assistant.tools.toolbox import Toolbox, build_toolbox, idempotency_key

__all__ = [
    "AuditEntry",
    "AuditLog",
    "HandoffRequest",
    "ProposedAction",
    "ToolContext",
    "ToolKind",
    "ToolResult",
    "Toolbox",
    "build_toolbox",
    "idempotency_key",
]
