"""Understanding each customer message: language, intent (with out-of-scope), sentiment and emotions.

The names are resolved on first use: the package is imported by the `assistant`
CLI for its sub-command, and importing scikit-learn there would slow every command.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.understanding.models import OUT_OF_SCOPE, Understanding
    from assistant.understanding.service import MessageUnderstanding

_EXPORTS = {
    "OUT_OF_SCOPE": "assistant.understanding.models",
    "Understanding": "assistant.understanding.models",
    "MessageUnderstanding": "assistant.understanding.service",
}
__all__ = ["OUT_OF_SCOPE", "MessageUnderstanding", "Understanding"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
