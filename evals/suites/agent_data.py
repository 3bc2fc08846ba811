"""The agent tasks in one-message form, and how their write actions are compared.

Retail (tau2-bench, MIT): tasks_dev.json (scenario's known info + reason for the call as the message; the customer
signed in is the one the ground-truth identity lookup finds) and tasks_v1.json (its `instruction` as the message).
Banking (tau2-bench banking_knowledge, MIT): the scenario as the message. Banking's own tools (credit cards,
referrals…) are not the shop assistant's; of its writes only the human transfer is one the assistant can make, so
a banking task is compared on that alone: hand over when the ground truth does, and only then.

Each task also carries its ground-truth write actions in order (`actions`: name and arguments as the data set has
them), which the state check replays on a fresh copy of the seed (evals/suites/state_oracle.py).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from evals.suites.datasets import DATA, banking_hands_off, banking_tasks

READ_PREFIXES = ("find_", "get_", "list_", "calculate", "track_")
HANDOFF = "transfer_to_human_agents"
# A customer id for banking tasks: none of them is a retail customer, and none needs one for a handoff.
BANKING_CUSTOMER = "banking_customer"

Write = tuple[str, str]


@cache
def _retail_db() -> dict[str, Any]:
    return json.loads((DATA / "retail" / "db.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def retail_dev_tasks() -> list[dict[str, Any]]:
    tasks = []
    for task in json.loads((DATA / "retail" / "tasks_dev.json").read_text(encoding="utf-8")):
        scenario = task["user_scenario"]["instructions"]
        actions = task["evaluation_criteria"]["actions"]
        tasks.append(
            {
                "id": f"retail-dev-{task['id']}",
                "set": "retail_dev",
                "message": " ".join(part for part in (scenario["known_info"], scenario["reason_for_call"]) if part),
                "customer": signed_in_customer(actions),
                "writes": [list(w) for w in expected_writes(actions, "arguments")],
                "actions": write_actions(actions, "arguments"),
                "facts": list(task["evaluation_criteria"].get("communicate_info") or []),
            }
        )
    return tasks


def retail_v1_tasks() -> list[dict[str, Any]]:
    pool = json.loads((DATA / "retail" / "tasks_v1.json").read_text(encoding="utf-8"))
    return [
        {
            "id": f"retail-v1-{index}",
            "set": "retail_v1",
            "message": task["instruction"],
            "customer": task["user_id"],
            "writes": [list(w) for w in expected_writes(task["actions"], "kwargs")],
            "actions": write_actions(task["actions"], "kwargs"),
            "facts": list(task.get("outputs") or []),
        }
        for index, task in enumerate(pool)
    ]


def retail_scenarios() -> dict[str, dict[str, Any]]:
    """Per retail case id, what the multi-turn form's scripted customer is built from (evals/suites/customer_script.py):
    the identity text (tasks_dev's `known_info`; None for tasks_v1, whose instruction holds it), the request text
    (`reason_for_call`, or the instruction) and every ground-truth action, reads too, as `{name, arguments}`."""
    scenarios: dict[str, dict[str, Any]] = {}
    for task in json.loads((DATA / "retail" / "tasks_dev.json").read_text(encoding="utf-8")):
        scenario = task["user_scenario"]["instructions"]
        scenarios[f"retail-dev-{task['id']}"] = {
            "identity": scenario["known_info"],
            "request": scenario["reason_for_call"],
            "actions": [
                {"name": a["name"], "arguments": a.get("arguments") or {}} for a in task["evaluation_criteria"]["actions"]
            ],
        }
    pool = json.loads((DATA / "retail" / "tasks_v1.json").read_text(encoding="utf-8"))
    for index, task in enumerate(pool):
        scenarios[f"retail-v1-{index}"] = {
            "identity": None,
            "request": task["instruction"],
            "actions": [{"name": a["name"], "arguments": a.get("kwargs") or {}} for a in task["actions"]],
        }
    return scenarios


def retail_db() -> dict[str, Any]:
    """The retail seed as the data set has it (read once)."""
    return _retail_db()


def banking_one_message_tasks() -> list[dict[str, Any]]:
    return [
        {
            "id": f"banking-{task['id']}",
            "set": "banking",
            "message": task["user_scenario"]["instructions"],
            "customer": BANKING_CUSTOMER,
            "writes": [[HANDOFF, ""]] if banking_hands_off(task) else [],
            "actions": [],  # banking's own writes are not the shop's: the shop's database must stay as seeded
            "facts": list(task["evaluation_criteria"].get("communicate_info") or []),
        }
        for task in banking_tasks()
    ]


def signed_in_customer(actions: list[dict[str, Any]]) -> str:
    """The customer the shop would have signed in: the one the ground-truth identity lookup finds."""
    db = _retail_db()
    for action in actions:
        args = action["arguments"]
        for user in db["users"].values():
            if action["name"] == "find_user_id_by_email" and user["email"] == args["email"]:
                return str(user["user_id"])
            if action["name"] == "find_user_id_by_name_zip" and (
                user["name"]["first_name"],
                user["name"]["last_name"],
                user["address"]["zip"],
            ) == (args["first_name"], args["last_name"], args["zip"]):
                return str(user["user_id"])
        if "user_id" in args:
            return str(args["user_id"])
        if args.get("order_id") in db["orders"]:  # tasks whose ground truth has no identity lookup
            return str(db["orders"][args["order_id"]]["user_id"])
    return "unknown"


def expected_writes(actions: list[dict[str, Any]], key: str) -> list[Write]:
    return sorted(normal_write(a["name"], a.get(key) or {}) for a in actions if not a["name"].startswith(READ_PREFIXES))


def write_actions(actions: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """The ground truth's write actions in their order, as `{name, arguments}` (reads left out: they change nothing)."""
    return [{"name": a["name"], "arguments": a.get(key) or {}} for a in actions if not a["name"].startswith(READ_PREFIXES)]


def normal_write(name: str, arguments: dict[str, Any]) -> Write:
    """Arguments in a comparable form: item lists as sorted (old, new) pairs; a handoff's free text ignored."""
    if name in (HANDOFF, "request_human_agent_transfer"):
        return HANDOFF, ""
    args = dict(arguments)
    if "item_ids" in args:
        pairs = sorted(zip(args.pop("item_ids"), args.pop("new_item_ids", [None] * 99), strict=False))
        args["items"] = pairs
    return name, json.dumps(args, sort_keys=True)
