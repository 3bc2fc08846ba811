"""How many messages the router sends on without a model call, and how often those routes are right (a script).

    python bench/route_intent.py                              # the rules and the intent model, per threshold
    python bench/route_intent.py --heldout                    # also Bitext messages the tests' small model never saw
    python bench/route_intent.py --llm-url http://127.0.0.1:8765/v1 --llm-model qwen2.5-coder-1.5b
                                                              # also the model's route on the same messages

Data: evals/datasets/customer_messages.jsonl (72 messages, en/zh, each with its intent label), and
the knowledge-base questions of answers_questions.jsonl and ecom_products_questions.jsonl (49, whose
right route is `question`).
The right route of a message comes from its labelled intent through GOLD below (written by hand,
not by the router's own mapping); a message whose label names no route (a complaint, out of scope)
counts as wrong whenever the router sends it anywhere without the model. Messages the escalation
policy hands over before routing (a person asked for, anger, a legal topic) are left out: the
router never sees them. Uses the trained understanding model of the settings (`assistant understand
train`). Prints one row per threshold of `agent.route_intent_confidence`; writes
var/bench/route_intent.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.agent.operations.offered import ShopOperations  # noqa: E402
from assistant.agent.prompt_library import PromptLibrary  # noqa: E402
from assistant.agent.router import intent_route, route_messages, rule_route  # noqa: E402
from assistant.components.embedding.embedder import build_embedder  # noqa: E402
from assistant.escalation import EscalationInput, EscalationPolicy  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.shops import load_shop  # noqa: E402
from assistant.understanding.service import MessageUnderstanding  # noqa: E402

RETAIL = ShopOperations.of(load_shop("retail"))  # the messages are the retail shop's

DATA = REPO / "evals" / "datasets" / "customer_messages.jsonl"
# Questions the knowledge base answers (policy, products): every one's right route is `question`.
QUESTION_SETS = [REPO / "evals" / "datasets" / name for name in ("answers_questions.jsonl", "ecom_products_questions.jsonl")]
THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)
QUESTION = "question"
# The route each labelled intent asks for. None: no one route is right (the model, or escalation, decides).
GOLD: dict[str, str | None] = {
    "track_order": "order_status",
    "cancel_order": "cancel_order",
    "change_shipping_address": "modify_address",
    "set_up_shipping_address": "update_default_address",
    "change_order": "modify_items",
    "get_refund": "return_items",
    "edit_account": "account_info",
    "contact_human_agent": "human_agent",
    "track_refund": QUESTION,  # "when will my money be back?": the policy's refund times
    "check_cancellation_fee": QUESTION,
    "check_invoice": QUESTION,
    "check_payment_methods": QUESTION,
    "check_refund_policy": QUESTION,
    "delivery_options": QUESTION,
    "delivery_period": QUESTION,
    "contact_customer_service": QUESTION,
    "create_account": QUESTION,
    "delete_account": QUESTION,
    "get_invoice": QUESTION,
    "newsletter_subscription": QUESTION,
    "payment_issue": QUESTION,
    "place_order": QUESTION,
    "recover_password": QUESTION,
    "registration_problems": QUESTION,
    "switch_account": QUESTION,
    "review": QUESTION,
    "check_kb_question": QUESTION,  # the knowledge-base question sets
    "complaint": None,
    "out_of_scope": None,
}


def right(routed: str, gold: str | None) -> bool:
    # A question about an operation ("how do returns work?") is answered from the knowledge base either way.
    return gold is not None and routed == gold


async def model_routes(args: argparse.Namespace, settings: Settings, texts: list[str]) -> list[str | None]:
    from assistant.agent.turn_llm import TurnLLM
    from assistant.components.llm.client import LLMClient
    from assistant.conversations.records import TurnRecord

    llm = LLMClient(settings.llm.model_copy(update={"provider": "local"}), args.llm_url, "none")
    llm._model = args.llm_model  # noqa: SLF001 - the served model's alias, whatever the settings name
    prompts = PromptLibrary.for_shop(settings.prompts, load_shop("retail"))
    routes: list[str | None] = []
    for text in texts:
        record = TurnRecord(prompt_version=prompts.version, language="en", customer_text=text)
        messages = route_messages(prompts, text=text, history=[], summary=None, operations=RETAIL)
        decision = await TurnLLM(llm, record).decide("route", messages, RETAIL.route_model)
        routes.append(decision.action if decision else None)
        print(f"model: {routes[-1]!s:<24} {text[:60]}", flush=True)
    return routes


def heldout() -> None:
    """Per threshold, on Bitext messages held out of training: the tests' small model (tests/understanding/
    small_model.py: 30 examples per intent to train, 6 others per intent held out), so a weaker model than
    the one served, and in-domain text; a misroute here is a threshold too low."""
    from tests.understanding.small_model import small_model

    model, settings = small_model(), Settings(_env_file=None)  # type: ignore[call-arg]
    understanding = MessageUnderstanding.from_model(model.model, settings.understanding, model.embedder)
    texts, gold = [text for text, _ in model.held_out], [intent for _, intent in model.held_out]
    readings = understanding.analyse_many(texts)
    print(f"Bitext held out ({len(texts)} messages, the small model):")
    for threshold in THRESHOLDS:
        routed = [
            (
                intent_route(
                    text, reading, min_confidence=threshold, question_intents=settings.agent.question_intents, operations=RETAIL
                ),
                label,
            )
            for text, reading, label in zip(texts, readings, gold, strict=True)
        ]
        routed = [(route, label) for route, label in routed if route is not None]
        wrong = [f"{label}->{route}" for route, label in routed if not right(route, GOLD.get(label))]
        print(f"  {threshold:.2f}: {len(routed)} routed by intent, {len(routed) - len(wrong)} right {', '.join(wrong)}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--llm-url", help="also ask this OpenAI-compatible server for the route of each message")
    parser.add_argument("--llm-model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--heldout", action="store_true", help="also Bitext held out from the tests' small model")
    args = parser.parse_args()
    if args.heldout:
        heldout()
    settings = Settings()
    understanding = MessageUnderstanding.from_settings(settings, build_embedder(settings.embedding))
    policy = EscalationPolicy(settings.escalation, min_retrieval_confidence=settings.agent.low_confidence_score)
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    for path in QUESTION_SETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                question = json.loads(line)
                rows.append({"id": question["id"], "text": question["question"], "intent": "check_kb_question"})
    readings = understanding.analyse_many([row["text"] for row in rows])
    cases = []
    for row, reading in zip(rows, readings, strict=True):
        if policy.decide(EscalationInput(current=reading)).escalate:
            continue  # handed over before the router runs
        cases.append({"row": row, "reading": reading, "rule": rule_route(row["text"], RETAIL), "gold": GOLD.get(row["intent"])})
    if args.llm_url:
        left = [case for case in cases if case["rule"] is None]
        for case, routed in zip(left, asyncio.run(model_routes(args, settings, [c["row"]["text"] for c in left])), strict=True):
            case["model"] = routed
    ruled = [case for case in cases if case["rule"] is not None]
    print(f"{len(rows)} messages, {len(rows) - len(cases)} handed over before routing, {len(cases)} routed")
    print(f"rules: {len(ruled)} routed, {sum(right(c['rule'], c['gold']) for c in ruled)} right\n")
    print("| threshold | without a model call | by the rules | by intent | intent routes right | misrouted by intent |")
    print("|---|---|---|---|---|---|")
    results = []
    for threshold in THRESHOLDS:
        by_intent = [
            (case, routed)
            for case in cases
            if case["rule"] is None
            and (
                routed := intent_route(
                    case["row"]["text"],
                    case["reading"],
                    min_confidence=threshold,
                    question_intents=settings.agent.question_intents,
                    operations=RETAIL,
                )
            )
            is not None
        ]
        good = sum(right(routed, case["gold"]) for case, routed in by_intent)
        wrong = [
            f"{case['row']['id']}:{case['row']['intent']}->{routed}"
            for case, routed in by_intent
            if not right(routed, case["gold"])
        ]
        share = (len(ruled) + len(by_intent)) / len(cases)
        print(
            f"| {threshold:.2f} | {share:.0%} | {len(ruled)} | {len(by_intent)} | {good}/{len(by_intent)} | {', '.join(wrong)} |"
        )
        results.append({"threshold": threshold, "share_without_model": share, "by_rules": len(ruled),
                        "by_intent": len(by_intent), "intent_right": good, "misrouted": wrong})  # fmt: skip
    if args.llm_url:
        left = [case for case in cases if case["rule"] is None]
        model_right = sum(right(case["model"] or "", case["gold"]) for case in left)
        print(f"\nthe model ({args.llm_model}) on the {len(left)} the rules leave: {model_right} right")
    out = REPO / "var" / "bench" / "route_intent.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    detail = [{"id": c["row"]["id"], "intent": c["row"]["intent"], "predicted": c["reading"].intent,
               "confidence": round(c["reading"].intent_confidence, 3), "rule": c["rule"], "gold": c["gold"],
               "model": c.get("model")} for c in cases]  # fmt: skip
    out.write_text(json.dumps({"thresholds": results, "cases": detail}, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
