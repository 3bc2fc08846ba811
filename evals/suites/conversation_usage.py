"""What a played conversation cost, read from the conversation database the chat recorded it in: tool calls (and
their failures by reason), model calls and tokens, and each turn's time outside the model. Shared by the agent-tasks
suite's shops (retail and banking tasks, and the Chinese shop's)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Engine, text

BAD_ARGUMENTS = ("bad_arguments", "bad_input")


def tool_calls(engine: Engine, conversation: str) -> tuple[int, int, dict[str, int]]:
    """Tool calls, those with bad arguments, and the other failed ones by reason (the shop's refusals)."""
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT c.ok, c.error FROM tool_calls c JOIN turns t ON c.turn_id = t.id WHERE t.conversation_id = :c"),
            {"c": conversation},
        ).all()
    reasons = [str(error).split(":", 1)[0] for ok, error in rows if not ok]
    bad = sum(1 for reason in reasons if reason in BAD_ARGUMENTS)
    return len(rows), bad, dict(Counter(reason for reason in reasons if reason not in BAD_ARGUMENTS))


def llm_usage(engine: Engine, conversation: str) -> tuple[int, int, int]:
    """Model calls, prompt tokens and completion tokens of the conversation."""
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT COUNT(*), COALESCE(SUM(l.tokens_in), 0), COALESCE(SUM(l.tokens_out), 0) "
                "FROM llm_calls l JOIN turns t ON l.turn_id = t.id WHERE t.conversation_id = :c"
            ),
            {"c": conversation},
        ).one()
    return int(row[0]), int(row[1]), int(row[2])


def turn_overhead(engine: Engine, conversation: str) -> list[float]:
    """Milliseconds of each turn spent outside the model (orchestration, tools, storage)."""
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT seconds - llm_seconds FROM turns WHERE conversation_id = :c ORDER BY created_at"),
            {"c": conversation},
        ).scalars()
        return [round(float(value) * 1000, 1) for value in rows if value is not None]
