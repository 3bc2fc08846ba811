"""The one place where domain errors become HTTP responses."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from assistant.errors import (
    ApprovalRequiredError,
    AssistantError,
    BadInputError,
    CommerceUnavailableError,
    ConflictError,
    EmbeddingModelMismatchError,
    IdentityNotVerifiedError,
    LLMBusyError,
    LLMUnavailableError,
    NotFoundError,
    PolicyViolationError,
    RateLimitedError,
    UnauthorizedError,
    UnderstandingModelError,
)

STATUS_BY_ERROR: list[tuple[type[AssistantError], int]] = [
    (BadInputError, 422),
    (NotFoundError, 404),
    (LLMBusyError, 503),
    (LLMUnavailableError, 503),
    (EmbeddingModelMismatchError, 409),
    (UnauthorizedError, 401),
    (ConflictError, 409),
    (RateLimitedError, 429),
    (CommerceUnavailableError, 503),
    (PolicyViolationError, 409),
    (IdentityNotVerifiedError, 403),
    (ApprovalRequiredError, 409),
    (UnderstandingModelError, 503),  # the model file is missing: the service is not ready, not broken
]


def status_for(error: AssistantError) -> int:
    for error_type, status in STATUS_BY_ERROR:
        if isinstance(error, error_type):
            return status
    return 500


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AssistantError)
    async def _assistant_error(_request: Request, exc: AssistantError) -> JSONResponse:
        return JSONResponse(status_code=status_for(exc), content={"error": exc.reason, "message": exc.message})
