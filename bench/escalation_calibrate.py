"""Calibrate the escalation decision on the labelled develop data, and write its weights.

    python bench/escalation_calibrate.py                 # fit, choose the threshold, write the packaged weights
    python bench/escalation_calibrate.py --rules-only    # each rule alone on develop (no fit, nothing written)
    python bench/escalation_calibrate.py --show-errors   # also list the develop cases each rule gets wrong
    python bench/escalation_calibrate.py --weights-out my_weights.toml   # for ASSISTANT_ESCALATION__WEIGHTS_FILE

Needs the served understanding model (`assistant understand train`): the weights are fitted on its
outputs. Reads only the develop parts (bench/escalation_eval.py: shop develop, banking develop,
customer_messages); the held-back parts are scored by `bench/understanding_bench.py --parts escalation`.

1. Each rule alone: how often it fires on messages that should escalate (precision) and how many of
   its reason's messages it catches (recall) — the evidence for keeping or reshaping its patterns.
2. A logistic regression over the decision's features (assistant/escalation/features.py), fitted on
   the develop cases the explicit-request guarantee leaves open (the score decides only those), with
   the evidence weights bounded at >= 0 (a rule match never lowers the probability) and the L2
   strength chosen by 5-fold cross-validated log-loss.
3. The threshold: the best weighted F1 (the middle of its plateau when several tie) on out-of-fold
   probabilities of the same mixture the weights are fitted on (the cases and their rule-miss copies),
   so it is chosen neither on probabilities the weights saw nor as if the rules never missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parent))

from escalation_eval import REPO, Case, Decider, binary, figures, load_cases, settings_for, understand  # noqa: E402

from assistant.components.embedding.embedder import build_embedder  # noqa: E402
from assistant.escalation import EscalationInput  # noqa: E402
from assistant.escalation.features import FEATURE_REASONS, message_evidence  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.understanding.service import MessageUnderstanding, default_model_path  # noqa: E402
from assistant.understanding.signals import load_signal_rules  # noqa: E402

SEED = 20261122
WEIGHTS = REPO / "assistant" / "escalation" / "resources" / "weights.toml"
RULES = {
    "human_request": "explicit_request",
    "human_ask": "explicit_request",
    "human_mention": "explicit_request",
    "legal_threat": "legal_safety_fraud",
    "safety_incident": "legal_safety_fraud",
    "fraud_report": "legal_safety_fraud",
    "security_lock": "legal_safety_fraud",
    "legal_safety_fraud": "legal_safety_fraud",
    "anger": "anger",
    "complaint": "complaint",
    "anxiety": None,
}
L2_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)


def rule_report(cases: list[Case], show_errors: bool) -> dict[str, dict[str, object]]:
    rules = load_signal_rules()
    report: dict[str, dict[str, object]] = {}
    for rule, reason in RULES.items():
        for source in sorted({c.source for c in cases}):
            part = [c for c in cases if c.source == source]
            fired = [c for c in part if rules.fires(rule, c.text)]
            labelled = [c for c in part if reason and c.reason == reason]
            entry: dict[str, object] = {
                "fires": len(fired),
                "precision_escalate": round(sum(c.escalate for c in fired) / len(fired), 3) if fired else None,
                "recall_of_reason": round(sum(rules.fires(rule, c.text) for c in labelled) / len(labelled), 3)
                if labelled
                else None,
            }
            if show_errors:
                entry["fired_but_stays"] = [f"{c.id}: {c.text[:60]}" for c in fired if not c.escalate]
                entry["missed"] = [f"{c.id}: {c.text[:60]}" for c in labelled if not rules.fires(rule, c.text)]
            report[f"{rule}/{source}"] = entry
    return report


def feature_matrix(
    cases: list[Case], understood: list, settings: Settings, long_chars: int
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Feature rows, their names, and which cases the hard guarantee (a request for a person) decides."""
    rules = load_signal_rules()
    names = list(FEATURE_REASONS)
    rows, guaranteed = [], []
    for case, current in zip(cases, understood, strict=True):
        escalation = settings_for(case, settings).escalation
        turn = EscalationInput(current=current, text=case.text)
        evidence = message_evidence(turn, escalation, rules, long_message_chars=long_chars)
        rows.append([evidence.values.get(name, 0.0) for name in names])
        guaranteed.append(evidence.requests_a_person)
    return np.array(rows), names, np.array(guaranteed)


RULE_FEATURES = ("request", "legal_threat", "safety_incident", "fraud_report", "security_lock", "anger", "complaint")


def training_rows(
    x: np.ndarray, y: np.ndarray, hard: np.ndarray, names: list[str], rate: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows the score decides (not guaranteed), plus, weighted `rate`, a copy of each row per reason whose rule
    fired in it, with that reason's rule features zeroed; a copy still guaranteed (another request) is left out.

    The rules were written on these very messages, so here they almost never miss, and the weaker
    evidence (intent probability, negative sentiment, another reason's rule) would learn nothing. On
    unseen wording they do miss; the copies ask what the message would score then, weighted by how
    often that happens.
    """
    rows, labels, weights = [x[~hard]], [y[~hard]], [np.ones(int((~hard).sum()))]
    if rate > 0:
        request = names.index("request")
        long = names.index("long")
        for reason in sorted({FEATURE_REASONS[name] for name in RULE_FEATURES}, key=str):
            columns = [names.index(name) for name in RULE_FEATURES if FEATURE_REASONS[name] == reason]
            fired = x[:, columns].sum(axis=1) > 0
            copies = x[fired].copy()
            copies[:, columns] = 0.0
            # A request left in a copy would still be guaranteed (a mention in a long text is not).
            still_guaranteed = (copies[:, request] > 0) & ((copies[:, long] == 0) | hard[fired])
            keep = ~still_guaranteed
            rows.append(copies[keep])
            labels.append(y[fired][keep])
            weights.append(np.full(int(keep.sum()), rate))
    return np.vstack(rows), np.concatenate(labels), np.concatenate(weights)


def fit(x: np.ndarray, y: np.ndarray, hard: np.ndarray, names: list[str], l2: float, rate: float) -> tuple[float, np.ndarray]:
    """Logistic regression with the evidence weights bounded at >= 0; L2 on the weights, not the bias."""
    x, y, sample = training_rows(x, y, hard, names, rate)
    total = sample.sum()

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        bias, weights = params[0], params[1:]
        p = 1.0 / (1.0 + np.exp(-(bias + x @ weights)))
        eps = 1e-12
        logloss = -np.sum(sample * (y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))) / total
        value = logloss + 0.5 * l2 * np.sum(weights**2) / total
        residual = sample * (p - y) / total
        gradient = np.concatenate([[residual.sum()], x.T @ residual + l2 * weights / total])
        return float(value), gradient

    bounds = [(None, None)] + [(0.0, None) if FEATURE_REASONS[name] is not None else (None, None) for name in names]
    result = minimize(loss, np.zeros(len(names) + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    return float(result.x[0]), result.x[1:]


def predict(bias: float, weights: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(bias + x @ weights)))


def out_of_fold(
    x: np.ndarray, y: np.ndarray, hard: np.ndarray, names: list[str], l2: float, strata: list[str], rate: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Probabilities from weights fitted without the fold, for the held rows as the weights were fitted on them:
    each real case (1 for a guaranteed request) plus its rule-miss copies, with their labels and sample weights.
    Also each real case's own out-of-fold probability."""
    probabilities, labels, weights = [], [], []
    per_case = np.ones(len(y))
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    for train, held in folds.split(x, strata):
        bias, coefficients = fit(x[train], y[train], hard[train], names, l2, rate)
        rows, row_labels, row_weights = training_rows(x[held], y[held], hard[held], names, rate)
        guaranteed = held[hard[held]]
        probabilities += [predict(bias, coefficients, rows), np.ones(len(guaranteed))]
        labels += [row_labels, y[guaranteed]]
        weights += [row_weights, np.ones(len(guaranteed))]
        scored = held[~hard[held]]
        per_case[scored] = predict(bias, coefficients, x[scored])
    return np.concatenate(probabilities), np.concatenate(labels), np.concatenate(weights), per_case


def weighted_logloss(p: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return float(-np.sum(w * (y * np.log(p) + (1 - y) * np.log(1 - p))) / w.sum())


def choose_threshold(probabilities: np.ndarray, y: np.ndarray, weights: np.ndarray) -> float:
    """The threshold of the best weighted F1 on out-of-fold probabilities of the cases and their rule-miss copies;
    of a plateau of equal F1, its middle (least on the edge)."""
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    scores = []
    for t in grid:
        predicted = probabilities >= t
        tp = float(weights[predicted & (y == 1)].sum())
        scores.append(2 * tp / max(1e-9, weights[predicted].sum() + weights[y == 1].sum()))
    best = max(scores)
    plateau = [float(t) for t, score in zip(grid, scores, strict=True) if score >= best - 1e-9]
    return plateau[len(plateau) // 2]


def above_sentiment_alone(threshold: float, bias: float, weights: np.ndarray, names: list[str], score: float) -> float:
    """The threshold, raised (in steps of 0.05) above the probability of a message whose only evidence is a sentiment
    of `score`: a customer who is merely unhappy ("不是投诉哈，就想问下什么时候能发货", scored -0.49) stays with the
    assistant; the repeated-negative rule of the turn's history is what hands such a conversation over."""
    alone = 1.0 / (1.0 + np.exp(-(bias + weights[names.index("negativity")] * -score)))
    while threshold <= alone:
        threshold = round(threshold + 0.05, 2)
    return threshold


def write_weights(
    path: Path, bias: float, weights: np.ndarray, names: list[str], long_chars: int, threshold: float, notes: dict[str, object]
) -> None:
    lines = [
        "# Calibrated weights of the escalation decision's message reasons (assistant/escalation/scoring.py).",
        "# Written by `python bench/escalation_calibrate.py`; re-run it (do not edit by hand) after retraining the",
        "# understanding model or changing signals.toml.",
        *[f"# {key}: {value}" for key, value in notes.items()],
        "",
        "[model]",
        f"bias = {bias:.4f}",
        f"threshold = {threshold}",
        f"long_message_chars = {long_chars}",
        "",
        "[weights]",
        *[f"{name} = {weight:.4f}" for name, weight in zip(names, weights, strict=True) if abs(weight) >= 1e-4],
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules-only", action="store_true")
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--l2", type=float, help="Fixed L2 strength instead of the cross-validated choice.")
    parser.add_argument("--rule-miss-rate", type=float, default=0.25, help="Weight of the rule-miss copies (training_rows).")
    parser.add_argument(
        "--sentiment-alone", type=float, default=-0.5, help="A lone sentiment score at which a message must not hand over."
    )
    parser.add_argument("--long-chars", type=int, default=600, help="Messages longer than this are 'long' (not chat).")
    parser.add_argument("--weights-out", type=Path, default=WEIGHTS, help="Where to write the weights (default: packaged).")
    parser.add_argument("--out", type=Path, default=REPO / "var/bench/escalation_calibration.json")
    args = parser.parse_args()
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    develop = [c for c in load_cases() if c.split == "develop"]
    report: dict[str, object] = {"rules_alone_on_develop": rule_report(develop, args.show_errors)}
    print(json.dumps(report, indent=1, ensure_ascii=False))
    if args.rules_only:
        return
    embedder = build_embedder(settings.understanding_embedding, settings.llm.models_dir)  # the heads' embedder
    understanding = MessageUnderstanding.from_settings(settings, embedder)
    understood = understand(understanding, embedder, develop)
    x, names, hard = feature_matrix(develop, understood, settings, args.long_chars)
    y = np.array([float(c.escalate) for c in develop])
    # The score decides only what the guarantee leaves open, so it is fitted and judged on those cases.
    strata = [f"{c.source}/{c.escalate}" for c in develop]
    open_cases = ~hard
    losses = {}
    for l2 in L2_GRID if args.l2 is None else (args.l2,):
        losses[l2] = weighted_logloss(*out_of_fold(x, y, hard, names, l2, strata, args.rule_miss_rate)[:3])
    l2 = min(losses, key=lambda key: losses[key])
    mixture_p, mixture_y, mixture_w, per_case = out_of_fold(x, y, hard, names, l2, strata, args.rule_miss_rate)
    threshold = choose_threshold(mixture_p, mixture_y, mixture_w)
    bias, weights = fit(x, y, hard, names, l2, args.rule_miss_rate)
    chosen = threshold
    threshold = above_sentiment_alone(threshold, bias, weights, names, args.sentiment_alone)
    cv = binary(list(hard | (per_case >= threshold)), [bool(v) for v in y])
    notes = {
        "fitted": dt.date.today().isoformat(),
        "understanding model": f"{default_model_path(settings)} ({understanding.model.trained_at})",
        "develop cases": f"{len(develop)} ({int(y.sum())} escalate): shop develop, banking develop, customer_messages; "
        f"{int(open_cases.sum())} ({int(y[open_cases].sum())} escalate) left open by the explicit-request guarantee",
        "L2": f"{l2} ({'fixed' if args.l2 is not None else f'5-fold CV log-loss, of {list(L2_GRID)}'})",
        "rule-miss copies weighted": args.rule_miss_rate,
        "threshold": f"{threshold} (best weighted F1 on out-of-fold cases + rule-miss copies, middle of its plateau: "
        f"{chosen}; raised above a lone sentiment of {args.sentiment_alone} where it would hand over)",
        "out-of-fold precision / recall of the real cases at it": f"{cv['precision']} / {cv['recall']}",
    }
    write_weights(args.weights_out, bias, weights, names, args.long_chars, threshold, notes)
    report.update({"l2_cv_logloss": losses, "threshold": threshold, "out_of_fold_at_threshold": cv, "bias": bias,
                   "weights": dict(zip(names, np.round(weights, 4).tolist(), strict=True))})  # fmt: skip
    from assistant.escalation.scoring import _packaged

    _packaged.cache_clear()  # the weights just written
    if args.weights_out != WEIGHTS:
        own = settings.escalation.model_copy(update={"weights_file": args.weights_out})
        settings = settings.model_copy(update={"escalation": own})
    decider = Decider(settings)
    decisions = [decider.decide(c, u) for c, u in zip(develop, understood, strict=True)]
    report["develop_figures_fitted_weights"] = figures(develop, decisions)
    print(json.dumps({k: v for k, v in report.items() if k != "rules_alone_on_develop"}, indent=1, ensure_ascii=False))
    if args.show_errors:
        for case, decision, row in zip(develop, decisions, x, strict=True):
            if case.source == "banking":
                shown = {n: round(float(v), 2) for n, v in zip(names, row, strict=True) if v}
                print(f"{case.id} want={case.escalate} p={decision.probability} {shown}")
        for case, decision in zip(develop, decisions, strict=True):
            if decision.escalate != case.escalate:
                print(f"{'FP' if decision.escalate else 'FN'} {case.id} {case.kind} want={case.reason} got={decision.reason} "
                      f"p={decision.probability} | {case.text[:80]}")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str))
    print(f"wrote {args.weights_out} (threshold {threshold}) and {args.out}")


if __name__ == "__main__":
    main()
