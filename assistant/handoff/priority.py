"""The order of the handoff queue, and the skills a handoff needs from an agent.

Priority (higher first; ties: the longer wait first)::

    priority = sentiment_weight * max(0, -sentiment_score)          # only unhappiness counts; unknown = 0
             + vip_weight       * (1 if vip else 0)
             + wait_weight      * min(waited_minutes / wait_cap_minutes, 1)
             + reason_weights.get(reason, 0)

With the defaults (3, 2, 2, 30 min, legal/safety/fraud 3, risky write and anger 2,
complaint 1, …) an angry VIP (score -0.8, reason anger) who just arrived scores
2.4 + 2 + 0 + 2 = 6.4, ahead of a calm customer who asked for a human 30 minutes
ago (0 + 0 + 2 + 0.5 = 2.5): waiting raises a handoff steadily, but never above
someone in distress who arrived moments later, unless the weights say so.
"""

from __future__ import annotations

from assistant.settings import HandoffSettings


def priority_parts(
    settings: HandoffSettings, *, sentiment_score: float | None, vip: bool, waited_seconds: float, reason: str
) -> dict[str, float]:
    """Each term of the priority (their sum is the priority)."""
    unhappiness = max(0.0, -(sentiment_score or 0.0))
    waited = min(max(waited_seconds, 0.0) / 60.0 / settings.wait_cap_minutes, 1.0)
    return {
        "sentiment": round(settings.sentiment_weight * unhappiness, 4),
        "vip": settings.vip_weight if vip else 0.0,
        "waiting": round(settings.wait_weight * waited, 4),
        "reason": settings.reason_weights.get(reason, 0.0),
    }


def required_skills(settings: HandoffSettings, *, language: str | None, reason: str, intent: str | None) -> list[str]:
    """`lang:<code>` for the conversation's language (none for unknown ones) and the skill of its reason and intent."""
    skills = set()
    if language and language != "other":
        skills.add(f"lang:{language}")
    if reason in settings.reason_skills:
        skills.add(settings.reason_skills[reason])
    if intent and intent in settings.intent_skills:
        skills.add(settings.intent_skills[intent])
    return sorted(skills)


def capabilities(*, skills: list[str], languages: list[str]) -> set[str]:
    """What an agent offers, in the same terms as `required_skills`."""
    return set(skills) | {f"lang:{language}" for language in languages}
