"""Expected conversations per hour for the next days, for staffing.

The method is Holt-Winters exponential smoothing (statsmodels) with one additive season of
168 hours, which holds the hour-of-day shape of every weekday separately, fitted on the
square root of the hourly counts (it steadies the variance of counts, so quiet nights and
busy afternoons weigh alike). bench/forecast_backtest.py measures it on a held-back week
against the naive seasonal baseline (each hour as the same hour a week before).

Holt-Winters needs two full weeks; with one week the naive baseline is the forecast, with
less the mean of each hour of the day. Hours are counted in UTC and shown in the shop's
time zone (so across a daylight-saving change the weekly pattern moves by that hour).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

WEEK = 168
DAY = 24
Method = Literal["holt_winters", "seasonal_naive", "hour_of_day_mean", "none"]


class ForecastPoint(BaseModel):
    hour: datetime = Field(description="Start of the hour, in the shop's time zone.")
    expected: float = Field(description="Expected conversations started in the hour.")
    baseline: float | None = Field(description="The naive seasonal baseline (the same hour a week earlier).")


class VolumeForecast(BaseModel):
    method: Method
    history_hours: int
    history_conversations: int
    timezone: str
    points: list[ForecastPoint]
    daily_totals: dict[str, float] = Field(description="Expected conversations per day (shop's time zone).")


def hourly_counts(starts: Sequence[datetime], *, start: datetime, end: datetime) -> np.ndarray:
    """Conversations started in each whole UTC hour of [start, end) (start and end on the hour)."""
    hours = int((end - start).total_seconds() // 3600)
    counts = np.zeros(max(hours, 0), dtype=float)
    for moment in starts:
        index = int((moment.astimezone(UTC) - start).total_seconds() // 3600)
        if 0 <= index < hours:
            counts[index] += 1
    return counts


def seasonal_naive(history: np.ndarray, horizon: int, period: int = WEEK) -> np.ndarray:
    """Each future hour as the same hour one period earlier."""
    last = history[-period:]
    return np.resize(last, horizon).astype(float)


def hour_of_day_mean(history: np.ndarray, horizon: int, first_hour_of_day: int) -> np.ndarray:
    """With less than a week: the mean count of each hour of the day seen so far."""
    hour_of = (first_hour_of_day + np.arange(len(history))) % DAY
    means = np.array([history[hour_of == hour].mean() if (hour_of == hour).any() else 0.0 for hour in range(DAY)])
    future = (first_hour_of_day + len(history) + np.arange(horizon)) % DAY
    return means[future]


def holt_winters(history: np.ndarray, horizon: int, period: int = WEEK) -> np.ndarray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    model = ExponentialSmoothing(
        np.sqrt(history), trend=None, seasonal="add", seasonal_periods=period, initialization_method="heuristic"
    )
    with warnings.catch_warnings():
        # The optimiser's convergence notes say nothing the backtest does not measure.
        warnings.simplefilter("ignore")
        fitted = model.fit()
    return np.square(np.clip(fitted.forecast(horizon), 0, None))


def forecast_counts(history: np.ndarray, horizon: int, *, first_hour_of_day: int = 0) -> tuple[np.ndarray, Method]:
    if len(history) == 0 or not history.any():
        return np.zeros(horizon), "none"
    if len(history) >= 2 * WEEK:
        return holt_winters(history, horizon), "holt_winters"
    if len(history) >= WEEK:
        return seasonal_naive(history, horizon), "seasonal_naive"
    return hour_of_day_mean(history, horizon, first_hour_of_day), "hour_of_day_mean"


def forecast_volume(
    starts: Sequence[datetime], *, now: datetime, history_weeks: int, days: int, timezone: tzinfo, timezone_name: str
) -> VolumeForecast:
    """The next `days` × 24 hours from the conversations started in the last `history_weeks` whole weeks."""
    this_hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    earliest = min((moment.astimezone(UTC) for moment in starts), default=this_hour)
    # Learn only from hours the service existed in: empty weeks before the first conversation are not "no demand".
    first = max(this_hour - timedelta(weeks=history_weeks), earliest.replace(minute=0, second=0, microsecond=0))
    history = hourly_counts(starts, start=first, end=this_hour)
    horizon = days * DAY
    expected, method = forecast_counts(history, horizon, first_hour_of_day=first.hour)
    baseline = seasonal_naive(history, horizon) if len(history) >= WEEK else None
    points = []
    daily: dict[str, float] = {}
    for step in range(horizon):
        hour = (this_hour + timedelta(hours=step)).astimezone(timezone)
        value = round(float(expected[step]), 3)
        points.append(ForecastPoint(hour=hour, expected=value, baseline=float(baseline[step]) if baseline is not None else None))
        day = hour.strftime("%Y-%m-%d")
        daily[day] = round(daily.get(day, 0.0) + value, 3)
    return VolumeForecast(
        method=method,
        history_hours=len(history),
        history_conversations=int(history.sum()),
        timezone=timezone_name,
        points=points,
        daily_totals=daily,
    )
