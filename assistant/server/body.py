"""Request bodies read as JSON objects, with a clear 422 for bytes that are not UTF-8 JSON."""

from __future__ import annotations

import json

from assistant.errors import BadInputError


def parse_body(raw: bytes) -> dict[str, object]:
    """The JSON body, refusing bytes that are not UTF-8 with a clear message (not a decoder traceback)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInputError(f"the request body is not valid UTF-8 (byte {exc.start})", reason="bad_encoding") from None
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInputError(f"the request body is not valid JSON: {exc.msg}", reason="bad_json") from None
    if not isinstance(body, dict):
        raise BadInputError("the request body must be a JSON object", reason="bad_json")
    return body
