"""The develop / held-back splits of the escalation sets (see ESCALATION_SETS.md).

    python evals/datasets/make_escalation_splits.py banking            # writes banking_escalation_split.json
    python evals/datasets/make_escalation_splits.py shop RAW.jsonl     # splits hand-written messages once
    python evals/datasets/make_escalation_splits.py check              # both splits are what this script makes

Seeded and stratified, so the held-back part has the same mix as the develop part: banking tasks by
whether the ground truth hands over; shop messages by language and kind (explicit request, anger,
sarcasm, complaint, legal/safety/fraud, hard negative, ...). Standard library only.
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

SEED = 20261122
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BANKING_TASKS = REPO / "data" / "banking_knowledge" / "tasks_dev.json"
BANKING_SPLIT = HERE / "banking_escalation_split.json"
SHOP_FILES = {"develop": HERE / "shop_escalation_develop.jsonl", "test": HERE / "shop_escalation_test.jsonl"}
BANKING_TEST_SHARE = 0.5
SHOP_TEST_SHARE = 0.4
TRANSFER_ACTIONS = ("transfer_to_human_agents", "request_human_agent_transfer")
# The policy's reason for the bank's own transfer reason codes (doc "Human Agent Transfer Reason Codes").
BANK_REASONS = {"fraud_or_security_concern": "legal_safety_fraud", "legal_or_regulatory_matter": "legal_safety_fraud"}


def stratified_split(keys: list[str], stratum: dict[str, str], test_share: float) -> dict[str, str]:
    """key -> develop/test; in each stratum (sorted keys, seeded shuffle) the first round(share * n) are test."""
    groups: dict[str, list[str]] = defaultdict(list)
    for key in sorted(keys):
        groups[stratum[key]].append(key)
    rng = random.Random(SEED)
    split = {}
    for name in sorted(groups):
        members = groups[name]
        rng.shuffle(members)
        cut = round(test_share * len(members))
        split.update({key: "test" if i < cut else "develop" for i, key in enumerate(members)})
    return split


def banking_labels() -> list[dict[str, Any]]:
    tasks = json.loads(BANKING_TASKS.read_text(encoding="utf-8"))
    labels = []
    for task in tasks:
        transfers = [a for a in task["evaluation_criteria"].get("actions") or [] if a["name"] in TRANSFER_ACTIONS]
        bank_reason = next((a["arguments"].get("reason") for a in transfers if a["arguments"].get("reason")), None)
        reason = BANK_REASONS.get(str(bank_reason), "explicit_request") if transfers else None
        labels.append({"id": task["id"], "escalate": bool(transfers), "reason": reason, "bank_reason": bank_reason})
    return labels


def banking_split() -> dict[str, Any]:
    labels = banking_labels()
    split = stratified_split([t["id"] for t in labels], {t["id"]: str(t["escalate"]) for t in labels}, BANKING_TEST_SHARE)
    return {
        "about": "Develop / held-back split of data/banking_knowledge/tasks_dev.json for the escalation decision "
        "(evals/datasets/ESCALATION_SETS.md). escalate: the ground truth hands over; reason: the policy reason "
        "expected (the bank's fraud_or_security_concern -> legal_safety_fraud, any other transfer -> "
        "explicit_request, the customer demanding it).",
        "seed": SEED,
        "tasks": [{**task, "split": split[task["id"]]} for task in labels],
    }


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def shop_split(messages: list[dict[str, Any]]) -> dict[str, str]:
    strata = {m["id"]: f"{m['language']}/{m['kind']}" for m in messages}
    return stratified_split(list(strata), strata, SHOP_TEST_SHARE)


def write_shop(raw: Path) -> None:
    messages = read_jsonl(raw)
    split = shop_split(messages)
    for part, path in SHOP_FILES.items():
        lines = [json.dumps(m, ensure_ascii=False) for m in messages if split[m["id"]] == part]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{path.name}: {len(lines)} messages")


def check() -> None:
    expected = banking_split()
    if json.loads(BANKING_SPLIT.read_text(encoding="utf-8")) != expected:
        sys.exit(f"{BANKING_SPLIT.name} differs from what the seeded split makes")
    stored = {part: read_jsonl(path) for part, path in SHOP_FILES.items()}
    split = shop_split([m for part in stored.values() for m in part])
    wrong = [m["id"] for part, messages in stored.items() for m in messages if split[m["id"]] != part]
    if wrong:
        sys.exit(f"shop messages in the wrong part: {wrong}")
    print("splits ok")


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "banking":
        BANKING_SPLIT.write_text(json.dumps(banking_split(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {BANKING_SPLIT}")
    elif command == "shop" and len(sys.argv) == 3:
        write_shop(Path(sys.argv[2]))
    elif command == "check":
        check()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
