"""Metric functions against values computed by hand."""

from __future__ import annotations

import math

import pytest

from evals.metrics.bootstrap import mean_ci, paired_difference_ci, paired_statistic_ci, statistic_ci
from evals.metrics.classification import binary_report, classification_report, macro_scores
from evals.metrics.ranking import hit_at_k, ndcg_at_k, recall_at_k, reciprocal_rank
from evals.metrics.text import fact_present, facts_recall, text_language


def test_ranking_metrics_by_hand() -> None:
    ranked = ["x", "a", "y", "b", "z"]
    gold = {"a", "b", "c"}
    assert recall_at_k(ranked, gold, 1) == 0.0
    assert recall_at_k(ranked, gold, 2) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, gold, 5) == pytest.approx(2 / 3)
    assert reciprocal_rank(ranked, gold) == pytest.approx(1 / 2)
    assert reciprocal_rank(ranked, gold, k=1) == 0.0
    assert hit_at_k(ranked, gold, 1) == 0.0 and hit_at_k(ranked, gold, 2) == 1.0
    # DCG = 1/log2(3) + 1/log2(5); ideal (3 gold, k=5) = 1 + 1/log2(3) + 1/log2(4)
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 + 1 / math.log2(3) + 0.5
    assert ndcg_at_k(ranked, gold, 5) == pytest.approx(dcg / ideal)
    assert ndcg_at_k(["a", "b", "c"], gold, 10) == pytest.approx(1.0)
    # A duplicate counts once, at its best rank.
    assert recall_at_k(["a", "a", "a"], {"a", "b"}, 2) == 0.5
    assert reciprocal_rank(["x", "x", "a"], {"a"}) == pytest.approx(1 / 2)
    with pytest.raises(ValueError):
        recall_at_k(ranked, set(), 5)


def test_classification_report_by_hand() -> None:
    truth = ["a", "a", "b", "c"]
    predicted = ["a", "b", "b", "a"]
    report = classification_report(truth, predicted)
    assert report.accuracy == 0.5
    # a: P 1/2, R 1/2, F1 1/2; b: P 1/2, R 1, F1 2/3; c: P 0, R 0, F1 0
    assert report.per_class["a"].precision == pytest.approx(0.5) and report.per_class["a"].recall == pytest.approx(0.5)
    assert report.per_class["b"].precision == pytest.approx(0.5) and report.per_class["b"].recall == pytest.approx(1.0)
    assert report.per_class["c"].f1 == 0.0
    assert report.macro_precision == pytest.approx(1 / 3)
    assert report.macro_recall == pytest.approx(0.5)
    assert report.macro_f1 == pytest.approx((0.5 + 2 / 3 + 0) / 3)
    assert report.labels == ["a", "b", "c"]
    assert report.confusion == [[1, 1, 0], [0, 1, 0], [1, 0, 0]]


def test_fast_macro_scores_equal_the_full_report() -> None:
    truth = ["a", "a", "b", "c", "c", "c", "d"]
    predicted = ["a", "b", "b", "c", "a", "z", "d"]
    report = classification_report(truth, predicted)
    assert macro_scores(truth, predicted) == pytest.approx((report.macro_precision, report.macro_recall, report.macro_f1))


def test_a_label_only_predicted_is_not_a_class_of_the_macro_average() -> None:
    report = classification_report(["a", "a"], ["a", "z"])
    assert report.macro_recall == pytest.approx(0.5)  # only class a: recall 1/2
    assert report.macro_precision == pytest.approx(1.0)  # of a's predictions, all right


def test_binary_report_by_hand() -> None:
    truth = [True, True, True, False, False]
    predicted = [True, False, True, True, False]
    report = binary_report(truth, predicted)
    assert (report["tp"], report["fp"], report["fn"], report["tn"]) == (2, 1, 1, 1)
    assert report["precision"] == pytest.approx(2 / 3)
    assert report["recall"] == pytest.approx(2 / 3)
    assert report["f1"] == pytest.approx(2 / 3)
    assert report["accuracy"] == pytest.approx(3 / 5)
    assert binary_report([False], [False])["precision"] == 0.0


def test_bootstrap_intervals() -> None:
    values = [0.0, 1.0] * 50
    mean, low, high = mean_ci(values)
    assert mean == 0.5 and low < 0.5 < high and high - low < 0.3
    assert mean_ci(values) == (mean, low, high)  # seeded: the same every time
    assert mean_ci([0.7, 0.7, 0.7]) == pytest.approx((0.7, 0.7, 0.7))
    assert all(math.isnan(v) for v in mean_ci([None, float("nan")]))
    assert mean_ci([1.0, None, float("nan")])[0] == 1.0  # missing values are left out
    delta = paired_difference_ci([0.0] * 10, [1.0] * 10)
    assert delta == pytest.approx((1.0, 1.0, 1.0))
    # Pairs with a missing side are dropped: only (1,0) and (0,1) count → mean 0.
    assert paired_difference_ci([1.0, 0.0, None], [0.0, 1.0, 1.0])[0] == pytest.approx(0.0)
    value, low, high = statistic_ci(list(range(20)), lambda items: float(max(items)))
    assert value == 19.0 and low <= high <= 19.0
    assert paired_statistic_ci([1, 2, 3], [2, 3, 4], lambda items: float(sum(items)))[0] == 3.0


def test_text_checks() -> None:
    assert fact_present("Refunds take 5 to 7 Business Days.", "5 to 7 business days")
    assert fact_present("总价１，９９９元", ["1999"])  # full-width digits and thousands separator
    assert not fact_present("It takes a week.", ["5 to 7", "5-7"])
    assert facts_recall("gift card or PayPal", [["gift card"], ["paypal"], ["credit card"]]) == pytest.approx(2 / 3)
    assert facts_recall("anything", []) == 1.0
    assert text_language("小厨宝的加热功率是2000W。") == "zh"
    assert text_language("The heater is 2000W.") == "en"
    assert text_language("Order #W123 的状态是已发货") == "zh"
    assert text_language("12345") == "other"
