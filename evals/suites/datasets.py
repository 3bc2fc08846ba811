"""Readers of the data sets the suites use (files under evals/datasets/ and the repository's data/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DATASETS = REPO / "evals" / "datasets"
DATA = REPO / "data"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def customer_messages() -> list[dict[str, Any]]:
    """Our own labelled shop messages (intent, sentiment, escalation); see evals/datasets/CUSTOMER_MESSAGES.md."""
    return read_jsonl(DATASETS / "customer_messages.jsonl")


def shop_intent_messages() -> list[dict[str, Any]]:
    """The held-back shop messages and the 72 older ones relabelled onto the shop intents, each with its `set`
    (evals/datasets/SHOP_MESSAGES.md); the develop messages train the model and are not here."""
    sets = {"shop_test": "shop_messages_test.jsonl", "customer_messages": "customer_messages_shop.jsonl"}
    return [{**message, "set": name} for name, file in sets.items() for message in read_jsonl(DATASETS / file)]


def banking_tasks() -> list[dict[str, Any]]:
    return json.loads((DATA / "banking_knowledge" / "tasks_dev.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def banking_hands_off(task: dict[str, Any]) -> bool:
    actions = task["evaluation_criteria"].get("actions") or []
    return any(action["name"] in ("transfer_to_human_agents", "request_human_agent_transfer") for action in actions)


def shop_escalation(part: str) -> list[dict[str, Any]]:
    """Our labelled shop escalation messages, `develop` or `test`; see evals/datasets/ESCALATION_SETS.md."""
    if part not in ("develop", "test"):
        raise ValueError(f"part must be develop or test, not {part!r}")
    return read_jsonl(DATASETS / f"shop_escalation_{part}.jsonl")


def banking_escalation(part: str) -> list[dict[str, Any]]:
    """Banking tasks of one part of the seeded split, as messages: id, text (the whole scenario), escalate, reason."""
    if part not in ("develop", "test"):
        raise ValueError(f"part must be develop or test, not {part!r}")
    split = json.loads((DATASETS / "banking_escalation_split.json").read_text(encoding="utf-8"))["tasks"]
    tasks = {task["id"]: task for task in banking_tasks()}
    return [
        {
            "id": f"banking-{label['id']}",
            "language": "en",
            "text": tasks[label["id"]]["user_scenario"]["instructions"],
            "escalate": label["escalate"],
            "reason": label["reason"],
            "kind": "banking_scenario",
        }
        for label in split
        if label["split"] == part
    ]
