"""Understanding each customer message: language, intent (with out-of-scope), sentiment and emotions."""

from assistant.understanding.models import OUT_OF_SCOPE, Understanding
from assistant.understanding.service import MessageUnderstanding

__all__ = ["OUT_OF_SCOPE", "MessageUnderstanding", "Understanding"]
