"""Reading the `from`/`to` query parameters: ISO dates or times, in the shop's time zone unless they carry one."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from assistant.errors import BadInputError

DEFAULT_DAYS = 7
MAX_DAYS = 400


def parse_moment(text: str, name: str, zone: tzinfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(text.strip()), time())
        except ValueError:
            raise BadInputError(
                f"`{name}` is not an ISO date or time: {text!r} (e.g. 2025-03-01 or 2025-03-01T12:00:00Z)", reason="bad_period"
            ) from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def parse_period(start: str | None, end: str | None, *, now: datetime, zone: tzinfo) -> tuple[datetime, datetime]:
    """[from, to) in UTC; `to` defaults to now, `from` to seven days before `to`."""
    finish = parse_moment(end, "to", zone) if end else now
    begin = parse_moment(start, "from", zone) if start else finish - timedelta(days=DEFAULT_DAYS)
    if begin >= finish:
        raise BadInputError(f"`from` ({begin.isoformat()}) must be before `to` ({finish.isoformat()})", reason="bad_period")
    if finish - begin > timedelta(days=MAX_DAYS):
        raise BadInputError(f"the period is longer than {MAX_DAYS} days; ask for a shorter one", reason="bad_period")
    return begin.astimezone(UTC), finish.astimezone(UTC)
