"""Customer ids in any script: X-Customer-Id percent-encoded (what the pages' encodeURIComponent sends), raw UTF-8
(what curl sends for typed Chinese) or plain ASCII; anything that is no id is a 401 with the reason, storing nothing."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import create_engine, text

from assistant.settings import Settings
from tests.chat.conftest import SHOP_KEY, app_client

pytestmark = pytest.mark.asyncio(loop_scope="session")
CHINESE = "cnjd喜哥2号"  # an ECom-Bench customer of the JD shop


def _conversations(settings: Settings) -> list[tuple[str, str]]:
    engine = create_engine(settings.database.url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text("SELECT shop, customer_id FROM conversations"))]
    engine.dispose()
    return rows  # type: ignore[return-value]


async def _as(http: httpx.AsyncClient, customer: str | bytes, path: str = "/v1/conversations") -> httpx.Response:
    return await http.post(path, headers={"Authorization": f"Bearer {SHOP_KEY}", "X-Customer-Id": customer})  # type: ignore[dict-item]


async def test_a_percent_encoded_id_is_the_customer_and_raw_utf8_is_the_same_one(offline_settings: Settings) -> None:
    async with app_client(offline_settings) as http:
        encoded = await _as(http, quote(CHINESE, safe=""))
        assert encoded.status_code == 201, encoded.text
        assert encoded.json()["customer_id"] == CHINESE
        conversation = encoded.json()["id"]
        # The same customer, however the header spelled the id: their conversation is theirs.
        raw = await http.get(
            f"/v1/conversations/{conversation}",
            headers={"Authorization": f"Bearer {SHOP_KEY}", "X-Customer-Id": CHINESE.encode()},  # type: ignore[dict-item]
        )
        assert raw.status_code == 200 and raw.json()["conversation"]["customer_id"] == CHINESE, raw.text
        # An ASCII id is sent as it is; a literal % is %25.
        assert (await _as(http, "noah_brown_6181")).json()["customer_id"] == "noah_brown_6181"
        assert (await _as(http, "a%25b")).json()["customer_id"] == "a%b"
        # Another customer (one character apart) does not reach it.
        other = await http.get(
            f"/v1/conversations/{conversation}",
            headers={"Authorization": f"Bearer {SHOP_KEY}", "X-Customer-Id": quote("cnjd喜哥3号", safe="")},
        )
        assert other.status_code == 404
    assert ("retail", CHINESE) in _conversations(offline_settings)


@pytest.mark.parametrize(
    ("header", "says"),
    [
        ("%E5%96", "not valid percent-encoded UTF-8"),  # a cut UTF-8 sequence
        ("%FF%FE", "not valid percent-encoded UTF-8"),
        ("a%0Ab", "control character"),  # a newline smuggled in
        ("%00", "control character"),
        ("%20", "empty or has spaces"),
        ("%20alice", "empty or has spaces"),
        ("x" * 201, "at most 200"),
        (quote("喜" * 201, safe=""), "201 characters after decoding"),
        ("caf\xe9", "not UTF-8"),  # a latin-1 byte on the wire
    ],
)
async def test_an_id_that_is_no_id_is_refused_with_its_reason(offline_settings: Settings, header: str, says: str) -> None:
    async with app_client(offline_settings) as http:
        value = header.encode("latin-1") if not header.isascii() else header
        response = await _as(http, value)
        assert response.status_code == 401, response.text
        assert says in response.json()["message"], response.json()
        missing = await http.post("/v1/conversations", headers={"Authorization": f"Bearer {SHOP_KEY}", "X-Customer-Id": ""})
        assert missing.status_code == 401 and "X-Customer-Id" in missing.json()["message"]
    assert _conversations(offline_settings) == [], "a refused caller stores nothing"


async def test_the_shop_key_decides_the_shop(offline_settings: Settings) -> None:
    async with app_client(offline_settings) as http:
        wrong = await http.post("/v1/conversations", headers={"Authorization": "Bearer dev-jd-shop-key"})
        assert wrong.status_code == 401  # the JD shop is not served by these settings: its demo key is no key here
        assert (await http.post("/v1/conversations", headers={"Authorization": "Bearer "})).status_code == 401
    assert _conversations(offline_settings) == []
