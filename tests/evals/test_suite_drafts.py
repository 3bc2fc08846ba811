"""The drafts suite end to end with the real 0.5B model drafting and judging: the recorded similarity, judge score and
citation flag equal those computed by hand from the recorded draft, reference and judge answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from assistant.components.embedding.embedder import build_embedder
from assistant.settings import Settings
from evals.harness.runner import RunRequest, run_suite
from evals.harness.store import RunStore, runs_dir
from evals.suites import get_suite
from evals.suites.ragas_judge import JudgeOptions


@pytest.mark.slow
def test_draft_numbers_equal_hand_computed_ones(suite_settings: Callable[..., Settings], retail_service: Any) -> None:
    settings = suite_settings(agent={"reply_max_tokens": 80})
    results = run_suite(
        RunRequest(
            suite=get_suite("drafts"),
            settings=settings,
            only=["ticket-001"],
            run_id="d",
            progress=False,
            extras={"commerce": retail_service, "judge": JudgeOptions(max_tokens=120)},
        )  # fmt: skip
    )
    (record,) = RunStore(runs_dir(settings.data_dir) / "d").records().values()
    assert record.ok, record.error
    assert record.inputs["ticket"].startswith("Hi, I need to undo the cancellation")
    assert record.inputs["reference"].startswith("I apologize, but once an order is cancelled")
    draft, reference = record.outputs["draft"], record.inputs["reference"]
    assert draft.strip()
    vectors = build_embedder(settings.embedding).embed([draft, reference])
    cosine = float(np.dot(vectors[0], vectors[1]) / (np.linalg.norm(vectors[0]) * np.linalg.norm(vectors[1])))
    assert record.scores["similarity"] == pytest.approx(cosine, abs=1e-5)
    raw = record.outputs["judge_raw"]
    assert record.scores["judge_score"] == (None if raw is None else pytest.approx((raw - 1) / 4))
    assert record.scores["cites_sources"] == float(bool(record.outputs["sources"]) and bool(re.search(r"\[\d+\]", draft)))
    assert results.metrics["similarity"].value == pytest.approx(cosine, abs=1e-5)
    assert record.tokens_in > 0  # the judge was asked
