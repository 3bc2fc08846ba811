"""How many messages the router sends on without a model call, and how often those routes are right (a script).

    python bench/route_intent.py                              # the rules and the intent model, per threshold
    python bench/route_intent.py --heldout                    # also Bitext messages the tests' small model never saw
    python bench/route_intent.py --llm-url http://127.0.0.1:8765/v1 --llm-model qwen2.5-coder-1.5b
                                                              # also the model's route on the same messages

Data: the shop's develop messages, evals/datasets/shop_messages_dev.jsonl (1,021, en/zh, each with its
intent label), read by 5-fold cross-validated intent heads (each trained as the service trains, without
that fold: a model's confidence on its own training messages would say nothing), and the knowledge-base
questions of answers_questions.jsonl and ecom_products_questions.jsonl (49, whose right route is
`question`), read by the trained model of the settings.
The right route of a message comes from its labelled intent through GOLD below (written by hand,
not by the router's own mapping); a message whose label names no route (a complaint, out of scope)
counts as wrong whenever the router sends it anywhere without the model. Messages the escalation
policy hands over before routing (a person asked for, anger, a legal topic) are left out: the
router never sees them. Sentiment and keyword signals come from the trained understanding model of
the settings (`assistant understand train`). Prints one row per threshold of `agent.route_intent_confidence`; writes
var/bench/route_intent.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import replace
from pathlib import Path

from sklearn.model_selection import StratifiedKFold

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.agent import slots  # noqa: E402
from assistant.agent.operations.offered import ShopOperations  # noqa: E402
from assistant.agent.prompt_library import PromptLibrary  # noqa: E402
from assistant.agent.router import QUESTION as QUESTION_FORM  # noqa: E402
from assistant.agent.router import intent_route, route_messages, rule_route  # noqa: E402
from assistant.components.embedding.embedder import build_embedder  # noqa: E402
from assistant.escalation import EscalationInput, EscalationPolicy  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.shops import load_shop  # noqa: E402
from assistant.understanding.classifier import fit_intent_head  # noqa: E402
from assistant.understanding.models import Understanding  # noqa: E402
from assistant.understanding.service import MessageUnderstanding, training_data  # noqa: E402
from assistant.understanding.training import intent_rows  # noqa: E402

DATA = REPO / "evals" / "datasets" / "shop_messages_dev.jsonl"
SEED = 20261122
# The routes are the retail shop's operations (the JD shop's intents route the same way where both offer them).
RETAIL = ShopOperations.of(load_shop("retail"))
# Questions the knowledge base answers (policy, products): every one's right route is `question`.
QUESTION_SETS = [REPO / "evals" / "datasets" / name for name in ("answers_questions.jsonl", "ecom_products_questions.jsonl")]
THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)
QUESTION = "question"
# The route each labelled intent asks for. None: no one route is right (the model, or escalation, decides).
GOLD: dict[str, str | None] = {
    "track_order": "order_status",
    "cancel_order": "cancel_order",
    "return_item": "return_items",
    "human_agent": "human_agent",
    "change_address": None,  # an order's address or the default one: the model (or the order) decides
    "exchange_item": None,  # modify_items before delivery, exchange_items after: the model decides
    "refund_status": QUESTION,  # "when will my money be back?": the policy's refund times
    "expedite_order": QUESTION,
    "delivery_question": QUESTION,
    "product_question": QUESTION,
    "installation_repair": QUESTION,
    "price_protection": QUESTION,
    "promotion": QUESTION,
    "invoice": QUESTION,
    "payment": QUESTION,
    "gift_card": QUESTION,
    "write_review": QUESTION,
    "place_order": QUESTION,
    "account": QUESTION,
    "check_kb_question": QUESTION,  # the knowledge-base question sets
    "complaint": None,
    "small_talk": None,
    "out_of_scope": None,
}


def right(routed: str, gold: str | None, text: str = "") -> bool:
    # A question about an operation that names no order ("how do returns work?") goes to the knowledge base on
    # purpose (the router's rule, as for the keyword rules): the shop set labels policy questions by their topic.
    if gold is not None and gold != QUESTION and routed == QUESTION:
        return bool(QUESTION_FORM.search(text)) and not slots.order_ids(text)
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
    """Per threshold, on develop messages held out of the tests' small model (tests/understanding/small_model.py:
    80% of them and 20 Bitext rows per intent to train, 20% held out), so a weaker model than the one served;
    a misroute here is a threshold too low."""
    from tests.understanding.small_model import small_model

    model, settings = small_model(), Settings(_env_file=None)  # type: ignore[call-arg]
    understanding = MessageUnderstanding.from_model(model.model, settings.understanding, model.embedder)
    texts, gold = [text for text, _ in model.held_out], [intent for _, intent in model.held_out]
    readings = understanding.analyse_many(texts)
    print(f"develop messages held out ({len(texts)}, the small model):")
    for threshold in THRESHOLDS:
        routed = [
            (
                intent_route(
                    text, reading, min_confidence=threshold, question_intents=settings.agent.question_intents, operations=RETAIL
                ),
                label,
                text,
            )
            for text, reading, label in zip(texts, readings, gold, strict=True)
        ]
        routed = [(route, label, text) for route, label, text in routed if route is not None]
        wrong = [f"{label}->{route}" for route, label, text in routed if not right(route, GOLD.get(label), text)]
        print(f"  {threshold:.2f}: {len(routed)} routed by intent, {len(routed) - len(wrong)} right {', '.join(wrong)}")
    print()


def cross_validated(
    settings: Settings, understanding: MessageUnderstanding, rows: list[dict], readings: list[Understanding]
) -> list[Understanding]:
    """The readings with each message's intent from a head trained without its fold (5 folds, seeded)."""
    base = training_data(settings.understanding)
    embed = understanding._embedder.embed  # noqa: SLF001 - the service's own embedder
    out = list(readings)
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    for train, test in folds.split(rows, [row["intent"] + row["language"] for row in rows]):
        fold = replace(base, intent_examples=[(rows[i]["text"], rows[i]["intent"]) for i in train])
        examples, weights, out_of_scope = intent_rows(fold)
        head = fit_intent_head(
            embed([t for t, _ in examples]), [label for _, label in examples], embed(out_of_scope), weights=weights
        )
        for i, p in zip(test, head.predict(embed([rows[i]["text"] for i in test])), strict=True):
            update = {"intent": p.intent, "intent_confidence": round(p.confidence, 4), "out_of_scope": p.out_of_scope}
            out[i] = readings[i].model_copy(update=update)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--llm-url", help="also ask this OpenAI-compatible server for the route of each message")
    parser.add_argument("--llm-model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--heldout", action="store_true", help="also Bitext held out from the tests' small model")
    args = parser.parse_args()
    if args.heldout:
        heldout()
    settings = Settings()
    embedder = build_embedder(settings.understanding_embedding, settings.llm.models_dir)
    understanding = MessageUnderstanding.from_settings(settings, embedder)
    policy = EscalationPolicy(settings.escalation, min_retrieval_confidence=settings.agent.low_confidence_score)
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    for path in QUESTION_SETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                question = json.loads(line)
                rows.append({"id": question["id"], "text": question["question"], "intent": "check_kb_question"})
    readings = understanding.analyse_many([row["text"] for row in rows])
    develop = sum(1 for row in rows if row["intent"] != "check_kb_question")
    readings[:develop] = cross_validated(settings, understanding, rows[:develop], readings[:develop])
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
    print(f"rules: {len(ruled)} routed, {sum(right(c['rule'], c['gold'], c['row']['text']) for c in ruled)} right\n")
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
        good = sum(right(routed, case["gold"], case["row"]["text"]) for case, routed in by_intent)
        wrong = [
            f"{case['row']['id']}:{case['row']['intent']}->{routed}"
            for case, routed in by_intent
            if not right(routed, case["gold"], case["row"]["text"])
        ]
        share = (len(ruled) + len(by_intent)) / len(cases)
        print(
            f"| {threshold:.2f} | {share:.0%} | {len(ruled)} | {len(by_intent)} | {good}/{len(by_intent)} | {', '.join(wrong)} |"
        )
        results.append({"threshold": threshold, "share_without_model": share, "by_rules": len(ruled),
                        "by_intent": len(by_intent), "intent_right": good, "misrouted": wrong})  # fmt: skip
    if args.llm_url:
        left = [case for case in cases if case["rule"] is None]
        model_right = sum(right(case["model"] or "", case["gold"], case["row"]["text"]) for case in left)
        print(f"\nthe model ({args.llm_model}) on the {len(left)} the rules leave: {model_right} right")
    out = REPO / "var" / "bench" / "route_intent.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    detail = [{"id": c["row"]["id"], "intent": c["row"]["intent"], "predicted": c["reading"].intent,
               "confidence": round(c["reading"].intent_confidence, 3), "rule": c["rule"], "gold": c["gold"],
               "model": c.get("model")} for c in cases]  # fmt: skip
    out.write_text(json.dumps({"thresholds": results, "cases": detail}, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
