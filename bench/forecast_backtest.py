"""Backtest of the volume forecast on a held-back week (a script, not a test).

The series is synthetic but seasonal, and seeded: hourly conversation starts drawn from a
Poisson process whose rate has an hour-of-day shape (quiet nights, a late-morning and an
evening peak), a weekday factor (busier Mondays and weekends), a slow upward trend and a
one-off promotion day. The last week is held back; the forecast is made from the weeks
before it and compared hour by hour with what was drawn, next to the naive seasonal
baseline (each hour as the same hour a week earlier).

    python bench/forecast_backtest.py [--weeks 8] [--seeds 0 1 2 3 4]

MAE is conversations per hour; MAPE is over hours with at least one conversation (a
percentage error of an empty hour is undefined).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from assistant.analytics.forecast import WEEK, holt_winters, seasonal_naive

HOUR_SHAPE = np.array(
    [0.15, 0.1, 0.08, 0.06, 0.06, 0.1, 0.25, 0.5, 0.8, 1.0, 1.15, 1.2,
     1.05, 0.95, 0.95, 1.0, 1.0, 0.95, 1.0, 1.2, 1.3, 1.1, 0.7, 0.35]
)  # fmt: skip
WEEKDAY_FACTOR = np.array([1.25, 1.05, 1.0, 1.0, 1.1, 1.3, 1.2])  # Monday .. Sunday


def synthetic_series(*, weeks: int = 8, seed: int = 0, peak: float = 12.0) -> np.ndarray:
    """Hourly counts for `weeks` weeks starting on a Monday 00:00."""
    rng = np.random.default_rng(seed)
    hours = np.arange(weeks * WEEK)
    rate = peak * HOUR_SHAPE[hours % 24] * WEEKDAY_FACTOR[(hours // 24) % 7]
    rate *= 1 + 0.1 * hours / len(hours)  # ten per cent growth over the whole series
    if weeks >= 3:  # one busy day somewhere after the first week and before the held-back one
        promotion_day = int(rng.integers(7, (weeks - 1) * 7))
        rate[promotion_day * 24 : (promotion_day + 1) * 24] *= 1.8
    return rng.poisson(rate).astype(float)


def errors(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    busy = truth > 0
    return {
        "mae": float(np.mean(np.abs(truth - predicted))),
        "mape": float(np.mean(np.abs(truth[busy] - predicted[busy]) / truth[busy]) * 100),
    }


def mstl_forecast(history: np.ndarray, horizon: int) -> np.ndarray:
    """The alternative tried: MSTL (daily + weekly seasons) on the square root, seasons repeated, trend held."""
    from statsmodels.tsa.seasonal import MSTL

    parts = MSTL(np.sqrt(history), periods=(24, WEEK)).fit()
    daily, weekly = np.resize(parts.seasonal[-24:, 0], horizon), np.resize(parts.seasonal[-WEEK:, 1], horizon)
    return np.square(np.clip(parts.trend[-1] + daily + weekly, 0, None))


def backtest(series: np.ndarray, holdout: int = WEEK, *, alternatives: bool = False) -> dict[str, dict[str, float]]:
    history, truth = series[:-holdout], series[-holdout:]
    result = {
        "holt_winters": errors(truth, holt_winters(history, holdout)),
        "seasonal_naive": errors(truth, seasonal_naive(history, holdout)),
    }
    if alternatives:
        result["mstl"] = errors(truth, mstl_forecast(history, holdout))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=8, help="Weeks of synthetic history, the held-back week included.")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--alternatives", action="store_true", help="Also backtest MSTL, the method not chosen.")
    args = parser.parse_args()
    rows = []
    started = time.perf_counter()
    for seed in args.seeds:
        result = backtest(synthetic_series(weeks=args.weeks, seed=seed), alternatives=args.alternatives)
        rows.append(result)
        print(f"seed {seed}: " + " | ".join(f"{name} MAE {e['mae']:.2f} MAPE {e['mape']:.1f}%" for name, e in result.items()))
    for method in rows[0]:
        mae = np.mean([row[method]["mae"] for row in rows])
        mape = np.mean([row[method]["mape"] for row in rows])
        print(f"mean over {len(rows)} seeds: {method:15s} MAE {mae:.2f} conversations/hour, MAPE {mape:.1f}%")
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
