"""Domain exceptions of the assistant, mapped to HTTP in one place (server/errors.py).

Every exception carries a machine-readable ``reason`` and a message a person can
act on. Components raise these; only the HTTP layer turns them into responses.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""

    reason = "error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if reason is not None:
            self.reason = reason


class SettingsError(AssistantError):
    """The configuration is wrong; the message has one line per problem."""

    reason = "bad_settings"


class ModelFileError(AssistantError):
    """A model file is missing, incomplete or does not match its checksum."""

    reason = "bad_model_file"


class LLMUnavailableError(AssistantError):
    """The LLM server did not answer (down, refused, timed out)."""

    reason = "llm_unavailable"


class LLMBusyError(AssistantError):
    """Too many LLM calls are already waiting; this one was refused at once."""

    reason = "llm_busy"


class EmbeddingModelMismatchError(AssistantError):
    """A collection was built with another embedding model than the one configured."""

    reason = "embedding_model_mismatch"


class BadInputError(AssistantError):
    """A request or a file the user gave cannot be used as it is."""

    reason = "bad_input"


class NotFoundError(AssistantError):
    """The thing asked for does not exist (or is not the caller's to see)."""

    reason = "not_found"


class UnauthorizedError(AssistantError):
    """The caller's credentials are missing or wrong."""

    reason = "unauthorized"


class ConflictError(AssistantError):
    """The request cannot apply to the thing in its current state (an ended conversation, say)."""

    reason = "conflict"


class RateLimitedError(AssistantError):
    """Too many requests from one customer in the configured window."""

    reason = "rate_limited"


class CommerceUnavailableError(AssistantError):
    """The commerce service (orders, logistics, CRM) is down, refused the connection or answered 5xx."""

    reason = "commerce_unavailable"


class CommerceTimeoutError(CommerceUnavailableError):
    """The commerce service did not answer in time; for a write the outcome is unknown (a retry is safe)."""

    reason = "commerce_timeout"


class PolicyViolationError(AssistantError):
    """The store policy refuses the action; ``reason`` says which rule (e.g. ``order_not_pending``)."""

    reason = "policy_violation"


class IdentityNotVerifiedError(AssistantError):
    """An account tool was called before the customer's identity was verified in this conversation."""

    reason = "identity_not_verified"


class ApprovalRequiredError(AssistantError):
    """A risky write waits for a human agent's approval before it may run."""

    reason = "awaiting_approval"


class UnderstandingModelError(AssistantError):
    """The trained understanding model is missing or was made with another embedding model."""

    reason = "understanding_model_unavailable"
