"""The calibrated weights of the message reasons, and the one probability they give.

    logit = bias + sum(weight[f] * value[f])        probability = 1 / (1 + exp(-logit))

A logistic regression fitted on labelled develop data by `bench/escalation_calibrate.py`, which
writes the weights as TOML (resources/weights.toml is the packaged one). The reason reported is the
message reason whose own features add most to the logit; context features (negative sentiment, a
long text) move the probability but never name the reason.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from assistant.errors import SettingsError
from assistant.escalation.features import FEATURE_REASONS, MESSAGE_REASONS
from assistant.settings import MessageReason

PACKAGED = "weights.toml"


@dataclass(frozen=True)
class Score:
    probability: float
    contributions: dict[MessageReason, float]  # each reason's features' share of the logit, largest first

    @property
    def top_reason(self) -> MessageReason:
        """The reason that contributed most; negative sentiment alone (no reason's own evidence) reads as anger."""
        reason, share = next(iter(self.contributions.items()))
        return reason if share > 0 else "anger"


@dataclass(frozen=True)
class EscalationWeights:
    bias: float
    weights: dict[str, float]
    long_message_chars: int
    threshold: float  # chosen with the weights on develop data; `escalation.threshold` overrides it
    source: str

    def score(self, values: dict[str, float], enabled: set[MessageReason]) -> Score:
        """Evidence for a reason that is not enabled counts for nothing; context features always count."""
        shares = dict.fromkeys(MESSAGE_REASONS, 0.0)
        logit = self.bias
        for feature, weight in self.weights.items():
            reason = FEATURE_REASONS[feature]
            if reason is not None and reason not in enabled:
                continue
            part = weight * values.get(feature, 0.0)
            logit += part
            if reason is not None:
                shares[reason] += part
        ordered = dict(sorted(((r, round(s, 4)) for r, s in shares.items() if r in enabled), key=lambda item: -item[1]))
        return Score(probability=_sigmoid(logit), contributions=ordered)


def _sigmoid(logit: float) -> float:
    return 1.0 / (1.0 + math.exp(-logit)) if logit >= 0 else math.exp(logit) / (1.0 + math.exp(logit))


def load_weights(path: Path | None) -> EscalationWeights:
    """The weights file given (or the packaged one); SettingsError names the file and what is wrong."""
    if path is None:
        return _packaged()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"escalation.weights_file: cannot read {path} ({exc.strerror})") from None
    return parse_weights(text, source=str(path))


@cache
def _packaged() -> EscalationWeights:
    text = resources.files("assistant.escalation.resources").joinpath(PACKAGED).read_text("utf-8")
    return parse_weights(text, source=f"assistant/escalation/resources/{PACKAGED}")


def parse_weights(text: str, *, source: str) -> EscalationWeights:
    def refuse(problem: str) -> SettingsError:
        return SettingsError(f"escalation.weights_file: {source}: {problem}")

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise refuse(f"not TOML ({exc})") from None
    model, weights = raw.get("model"), raw.get("weights")
    if not isinstance(model, dict) or not isinstance(weights, dict):
        raise refuse("needs a [model] table (bias, threshold, long_message_chars) and a [weights] table")
    unknown = sorted(set(weights) - set(FEATURE_REASONS))
    if unknown:
        raise refuse(f"unknown features {unknown}; known: {sorted(FEATURE_REASONS)}")
    numbers = {name: value for name, value in weights.items() if isinstance(value, int | float) and math.isfinite(value)}
    if len(numbers) != len(weights):
        raise refuse(f"weights must be finite numbers: {sorted(set(weights) - set(numbers))}")
    negative = sorted(name for name, value in numbers.items() if value < 0 and FEATURE_REASONS[name] is not None)
    if negative:
        raise refuse(f"evidence for a reason never lowers the probability; negative weights: {negative}")
    bias, long_chars, threshold = model.get("bias"), model.get("long_message_chars"), model.get("threshold")
    if not isinstance(bias, int | float) or not math.isfinite(bias):
        raise refuse("[model] bias must be a number")
    if not isinstance(long_chars, int) or long_chars < 1:
        raise refuse("[model] long_message_chars must be a positive integer")
    if not isinstance(threshold, int | float) or not 0 < threshold < 1:
        raise refuse("[model] threshold must be a probability strictly between 0 and 1")
    return EscalationWeights(
        bias=float(bias), weights={k: float(v) for k, v in numbers.items()}, long_message_chars=long_chars,
        threshold=float(threshold), source=source,
    )  # fmt: skip
