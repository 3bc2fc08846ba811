"""The HTML report of a run: tables and matplotlib figures embedded as base64 PNG, readable offline (no CDN)."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from evals.harness.models import CaseRecord, RunResults

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from evals.harness.store import RunStore

TEMPLATES = Path(__file__).parent / "templates"


def fmt(value: float | int | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return str(value)
    return f"{value:.3f}"


def _or(value: float | None, fallback: float) -> float:
    return fallback if value is None else value


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def _figures(results: RunResults, records: Sequence[CaseRecord]) -> list[dict[str, str]]:
    import matplotlib

    matplotlib.use("Agg")  # no display: figures are only ever written to PNG
    import matplotlib.pyplot as plt

    figures = []
    quality = {name: m for name, m in results.metrics.items() if m.value is not None and name not in ("seconds_per_case",)}
    if quality:
        figure, axis = plt.subplots(figsize=(8, 0.35 * len(quality) + 1))
        names = list(quality)
        values = [quality[n].value or 0.0 for n in names]
        lows = [_or(quality[n].low, value) for n, value in zip(names, values, strict=True)]
        highs = [_or(quality[n].high, value) for n, value in zip(names, values, strict=True)]
        errors = [
            [max(0.0, value - low) for value, low in zip(values, lows, strict=True)],
            [max(0.0, high - value) for value, high in zip(values, highs, strict=True)],
        ]
        axis.barh(names, values, xerr=errors, color="#4c72b0", capsize=3)
        axis.invert_yaxis()
        axis.set_xlabel("value (95% bootstrap interval)")
        figures.append({"title": "Metrics", "png": _png(figure)})
    seconds = [record.seconds for record in records]
    if seconds:
        figure, axis = plt.subplots(figsize=(6, 3))
        axis.hist(seconds, bins=min(30, max(5, len(seconds) // 3)), color="#55a868")
        axis.set_xlabel("seconds per case")
        axis.set_ylabel("cases")
        figures.append({"title": "Latency", "png": _png(figure)})
    for name, table in results.tables.items():
        if isinstance(table, dict) and "confusion" in table and table.get("labels"):
            labels, matrix = table["labels"], table["confusion"]
            size = max(4.0, 0.35 * len(labels) + 2)
            figure, axis = plt.subplots(figsize=(size, size))
            axis.imshow(matrix, cmap="Blues")
            axis.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
            axis.set_yticks(range(len(labels)), labels, fontsize=7)
            axis.set_xlabel("predicted")
            axis.set_ylabel("true")
            darkest = max((max(row) for row in matrix), default=0)
            for i, row in enumerate(matrix):
                for j, count in enumerate(row):
                    if count:
                        colour = "white" if count > darkest / 2 else "black"
                        axis.text(j, i, str(count), ha="center", va="center", fontsize=8, color=colour)
            figures.append({"title": f"Confusion matrix: {name}", "png": _png(figure)})
        if isinstance(table, dict) and isinstance(table.get("curve"), dict):
            figures.append({"title": name, "png": _png(_curve_figure(table["curve"]))})
    return figures


def _curve_figure(curve: dict[str, Any]) -> Figure:
    """A precision-recall curve over thresholds (a table {"curve": {thresholds, precision, recall, chosen}})."""
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    thresholds, precision, recall = curve["thresholds"], curve["precision"], curve["recall"]
    left.plot(recall, precision, marker="o", markersize=3, color="#4c72b0")
    left.set_xlabel("recall")
    left.set_ylabel("precision")
    left.set_xlim(0, 1.02)
    left.set_ylim(0, 1.02)
    right.plot(thresholds, precision, label="precision", color="#4c72b0")
    right.plot(thresholds, recall, label="recall", color="#dd8452")
    right.set_xlabel("threshold")
    right.legend(loc="lower left")
    chosen = curve.get("chosen")
    if chosen is not None:
        right.axvline(chosen, color="grey", linestyle="--", linewidth=1)
        at = min(range(len(thresholds)), key=lambda i: abs(thresholds[i] - chosen))
        left.scatter([recall[at]], [precision[at]], color="black", zorder=3, label=f"threshold {chosen}")
        left.legend(loc="lower left")
    return figure


def _detail_tables(results: RunResults) -> dict[str, dict[str, Any]]:
    """Per-class figures of classification tables; other tables as key/value rows."""
    out: dict[str, dict[str, Any]] = {}
    for name, table in results.tables.items():
        if isinstance(table, dict) and isinstance(table.get("curve"), dict):
            curve = table["curve"]
            rows = [[fmt(t), fmt(p), fmt(r)] for t, p, r in zip(curve["thresholds"], curve["precision"], curve["recall"],
                                                                 strict=True)]  # fmt: skip
            out[name] = {"columns": ["threshold", "precision", "recall"], "rows": rows}
        elif isinstance(table, dict) and "per_class" in table:
            rows = [
                [label, fmt(c["precision"]), fmt(c["recall"]), fmt(c["f1"]), c["support"]]
                for label, c in table["per_class"].items()
            ]
            out[f"Per class: {name}"] = {"columns": ["label", "precision", "recall", "F1", "support"], "rows": rows}
        elif isinstance(table, dict):
            rows = [[key, fmt(value) if isinstance(value, float) else value] for key, value in table.items()]
            out[name] = {"columns": ["key", "value"], "rows": rows}
    return out


def render_report(results: RunResults, records: Sequence[CaseRecord], *, wall_seconds: float) -> str:
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, autoescape=select_autoescape(["html", "j2"])
    )
    return environment.get_template("report.html.j2").render(
        manifest=results.manifest, results=results, records=records, figures=_figures(results, records),
        detail_tables=_detail_tables(results), wall_seconds=wall_seconds, fmt=fmt,
    )  # fmt: skip


def write_report(store: RunStore, results: RunResults, records: Sequence[CaseRecord], *, wall_seconds: float) -> Path:
    return store.write_report(render_report(results, records, wall_seconds=wall_seconds))
