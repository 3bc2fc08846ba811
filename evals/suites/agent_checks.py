"""Two counts of the agent-tasks suite read from a played task: tool calls with invented ids, and requests dropped
silently.

- **Invented ids**: an id argument of a tool call (order, item, product, payment method, user) that is neither in the
  retail seed nor anywhere in the conversation before the call as text (the customer's messages, the replies, the
  results of the tool calls before it). A real id the model copied from a tool result is not invented; `#W0000000` is.
- **Dropped silently**: a ground-truth write that no reply speaks to — none proposes it (same tool, and the same order
  when it has one), no turn called its tool on its order (executed or refused), no reply names its order, and no reply
  to the message that asked for it alone asks a question or says it cannot be done. A handoff counts as spoken to when
  a person was offered or took over. In the one-message form a reply is "to its request alone" only when the task has
  one write; in the multi-turn form each request's own message and the answers that followed it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from evals.suites.agent_data import HANDOFF, retail_db
from evals.suites.scripted_customer import question_kind

ID_ARGUMENTS = ("order_id", "item_ids", "new_item_ids", "item_id", "product_id", "payment_method_id", "user_id")
_CANNOT = re.compile(r"\b(cannot|can't|could not|couldn't|unable|not able|not possible|sorry)\b|无法|不能|抱歉", re.I)


@cache
def seed_ids() -> frozenset[str]:
    """Every id of the retail seed: users, orders, products, items (variants), payment methods."""
    db = retail_db()
    ids: set[str] = set(db["users"]) | set(db["orders"]) | set(db["products"])
    for product in db["products"].values():
        ids |= set(product["variants"])
    for user in db["users"].values():
        ids |= set(user["payment_methods"])
    return frozenset(ids)


def _forms(value: str) -> set[str]:
    bare = value.strip().lstrip("#")
    return {value.strip(), bare, "#" + bare}


def invented_ids(turns: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tool calls whose id arguments are in neither the seed nor the conversation before them: `{tool, ids}` per such
    call. `turns` in order, each with the customer's message (`customer`), its `reply` and its `calls` (`name`,
    `arguments`, `result`, in order); a call sees the messages up to its turn's, the replies before it, and the results
    of the calls before it."""
    known = seed_ids()
    seen = ""
    found = []
    for turn in turns:
        seen += "\n" + turn["customer"]
        for call in turn["calls"]:
            ids = []
            for key in ID_ARGUMENTS:
                value = (call.get("arguments") or {}).get(key)
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str) and item.strip() and not any(f in known or f in seen for f in _forms(item)):
                        ids.append(item)
            if ids:
                found.append({"tool": call["name"], "ids": ids})
            if call.get("result") is not None:
                seen += "\n" + json.dumps(call["result"], ensure_ascii=False, default=str)
        seen += "\n" + turn["reply"]
    return found


def _about(turn: dict[str, Any], name: str, order_id: str | None) -> bool:
    """The turn proposes this write, calls its tool on its order, or its reply names the order."""
    proposed = turn.get("proposed")
    if proposed and proposed["name"] == name and (order_id is None or proposed["arguments"].get("order_id") == order_id):
        return True
    for action in turn.get("actions", []):
        same_order = order_id is None or (action.get("arguments") or {}).get("order_id") == order_id
        if action["kind"] == "write" and action["name"] == name and same_order:
            return True
    return bool(order_id) and order_id in turn["reply"]


def dropped_requests(actions: Sequence[dict[str, Any]], transcript: Sequence[dict[str, Any]]) -> list[int]:
    """Indexes of the ground-truth writes (`{name, arguments}`, in order) that no reply spoke to."""
    dropped = []
    for index, action in enumerate(actions):
        name, order_id = action["name"], (action.get("arguments") or {}).get("order_id")
        if name in (HANDOFF, "request_human_agent_transfer"):
            spoken = any(t["handoff"] or t["handoff_offered"] for t in transcript)
        else:
            spoken = any(
                _about(t, name, order_id)
                or (t["request"] == index and (question_kind(t["reply"]) is not None or _CANNOT.search(t["reply"])))
                for t in transcript
            )
        if not spoken:
            dropped.append(index)
    return dropped
