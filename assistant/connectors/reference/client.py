"""The HTTP client shared by the reference connectors: auth, timeouts, retries, error mapping.

Reads are retried with exponential backoff (tenacity) when the service is
unreachable, slow or answers 5xx: they change nothing, so a retry is harmless.
Writes are sent once. Each carries an ``Idempotency-Key``, so when a write times
out (outcome unknown) the caller may send the very same request again and the
service answers with the first result instead of applying it twice.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from assistant.errors import (
    AssistantError,
    CommerceTimeoutError,
    CommerceUnavailableError,
    NotFoundError,
    PolicyViolationError,
)
from assistant.settings import CommerceSettings

logger = logging.getLogger(__name__)
CUSTOMER_HEADER = "X-Customer-Id"


def segment(value: str | int) -> str:
    """One path segment, escaped (order ids start with '#', Chinese user ids are not ASCII)."""
    return quote(str(value), safe="")


class CommerceHTTPClient:
    def __init__(self, settings: CommerceSettings, *, backoff_seconds: float = 0.2) -> None:
        self._client = httpx.AsyncClient(
            base_url=settings.base_url.rstrip("/") + "/v1",
            timeout=settings.timeout_seconds,
            headers={"Authorization": f"Bearer {settings.api_key.get_secret_value()}"},
        )
        self._timeout = settings.timeout_seconds
        self._attempts = settings.retries + 1
        self._backoff = backoff_seconds

    async def get(self, path: str, *, params: dict[str, str] | None = None, customer_id: str | None = None) -> Any:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=self._backoff, max=2.0),
            retry=retry_if_exception(_transient),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._send("GET", path, params=params, customer_id=customer_id)

    async def write(
        self, method: str, path: str, body: BaseModel, *, idempotency_key: str, customer_id: str | None = None
    ) -> Any:
        return await self._send(
            method, path, json=body.model_dump(mode="json"), customer_id=customer_id, idempotency_key=idempotency_key
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        customer_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        headers = {}
        if customer_id is not None:
            # Percent-encoded UTF-8: customer ids are in any script (cnjd喜哥2号), header values are ASCII.
            headers[CUSTOMER_HEADER] = quote(customer_id, safe="")
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        try:
            response = await self._client.request(method, path, params=params, json=json, headers=headers)
        except httpx.TimeoutException as exc:
            raise CommerceTimeoutError(
                f"The commerce service did not answer within {self._timeout:g} s"
                + ("; the change may or may not have been made, and repeating it is safe" if idempotency_key else "")
            ) from exc
        except httpx.TransportError as exc:
            raise CommerceUnavailableError(f"The commerce service cannot be reached ({type(exc).__name__})") from exc
        if response.is_success:
            return response.json()
        raise _error_for(response)


def _error_for(response: httpx.Response) -> AssistantError:
    try:
        body = response.json()
        reason, message = str(body["reason"]), str(body["message"])
    except (ValueError, KeyError, TypeError):
        reason, message = "", response.text[:200]
    status = response.status_code
    if status >= 500:
        return CommerceUnavailableError(f"The commerce service failed ({status})", reason="commerce_error")
    if status in (401, 403):
        # A configuration problem of the assistant, not something the customer can fix.
        return CommerceUnavailableError("The commerce service refused the assistant's key", reason="commerce_unauthorized")
    if status == 404:
        return NotFoundError(message or "not found", reason=reason or "not_found")
    return PolicyViolationError(message or f"refused ({status})", reason=reason or "policy_violation")


def _transient(error: BaseException) -> bool:
    return isinstance(error, CommerceUnavailableError) and error.reason != "commerce_unauthorized"
