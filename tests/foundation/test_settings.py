"""Wrong settings fail at start with one clear line each."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import SettingsError
from assistant.settings import load_settings
from tests.conftest import REPO


def test_defaults_are_the_embedded_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")  # no .env here
    settings = load_settings()
    assert settings.llm.provider == "local"
    assert settings.embedding.model_id == "packaged:use-multilingual-v3"
    assert settings.vector_store.provider == "chroma_embedded"
    assert settings.database.url.startswith("sqlite:///")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"ASSISTANT_LLM__PROVIDER": "banana"}, "llm.provider: Input should be 'local' or 'openai' (got 'banana')"),
        (
            {"ASSISTANT_LLM__PROVIDER": "openai", "ASSISTANT_LLM__BASE_URL": "http://x/v1", "ASSISTANT_LLM__MODEL": "m"},
            "llm: provider 'openai' needs llm.api_key",
        ),
        ({"ASSISTANT_DATABASE__URL": "not a url"}, "database.url: not a database URL: 'not a url'"),
        ({"ASSISTANT_DATABASE__URL": "mysql://u@h/db"}, "database.url: database must be sqlite or postgresql, not 'mysql'"),
        ({"ASSISTANT_EMBEDDING__PROVIDER": "openai"}, "embedding: provider 'openai' needs embedding.base_url"),
    ],
)
def test_each_wrong_setting_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str) -> None:
    monkeypatch.chdir("/")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert caught.value.message.splitlines()[0].startswith(expected)


def test_two_wrong_settings_give_two_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    monkeypatch.setenv("ASSISTANT_LLM__PROVIDER", "banana")
    monkeypatch.setenv("ASSISTANT_DATABASE__URL", "nope")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert len(caught.value.message.splitlines()) == 2


def test_production_refuses_development_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    monkeypatch.setenv("ASSISTANT_SERVER__ENVIRONMENT", "production")
    with pytest.raises(SettingsError, match="development key in production"):
        load_settings()


def test_cli_fails_at_start_with_one_line_and_no_traceback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "ASSISTANT_LLM__PROVIDER": "banana"}
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "doctor"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    output = (result.stdout + result.stderr).strip()
    assert output == "settings error: llm.provider: Input should be 'local' or 'openai' (got 'banana')"


# --- shops ---------------------------------------------------------------------------------------------------------


def test_the_demo_shops_are_served_by_default_and_a_shop_variable_names_the_whole_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir("/")
    default = load_settings()
    assert list(default.shops) == ["retail", "jd_appliances"]
    assert default.shops["jd_appliances"].commerce.base_url == "http://127.0.0.1:8767"
    assert default.prompts.version is None  # each shop's own prompt_version
    # pydantic-settings replaces the map: naming one shop serves that one, from its demo values where not set.
    monkeypatch.setenv("ASSISTANT_SHOPS__JD_APPLIANCES__API_KEY", "jd-live-key")
    one = load_settings()
    assert list(one.shops) == ["jd_appliances"]
    jd = one.shops["jd_appliances"]
    assert (jd.api_key.get_secret_value(), jd.operator_key.get_secret_value()) == ("jd-live-key", "dev-jd-operator-key")
    assert jd.commerce.database_url == "sqlite:///var/commerce-jd.db"
    monkeypatch.setenv("ASSISTANT_SHOPS__RETAIL__COMMERCE__RETRIES", "5")
    both = load_settings()
    assert list(both.shops) == ["jd_appliances", "retail"] and both.shops["retail"].commerce.retries == 5


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"ASSISTANT_SHOPS__RETAIL__API_KEY": "same", "ASSISTANT_SHOPS__JD_APPLIANCES__OPERATOR_KEY": "same"},
            "is the same key as",
        ),
        ({"ASSISTANT_SHOPS__RETAIL__API_KEY": "dev-operator-key"}, "shops.retail.operator_key is the same key as"),
        ({"ASSISTANT_SHOPS__MYSHOP__API_KEY": "k1", "ASSISTANT_SHOPS__MYSHOP__OPERATOR_KEY": "k2"}, "shops.myshop.commerce"),
        (
            {
                "ASSISTANT_SHOPS": '{"My Shop": {"api_key": "a", "operator_key": "b", '
                '"commerce": {"base_url": "u", "api_key": "c"}}}'
            },
            "'My Shop' is not a shop name",
        ),
        ({"ASSISTANT_SHOPS": "{}"}, "configure at least one shop"),
        ({"ASSISTANT_SHOPS__RETAIL__API_KEY": " "}, "shops.retail.api_key is empty"),
    ],
)
def test_wrong_shop_settings_are_one_clear_line(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str) -> None:
    monkeypatch.chdir("/")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert expected in caught.value.message, caught.value.message


def test_production_refuses_every_development_key_of_every_shop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    monkeypatch.setenv("ASSISTANT_SERVER__ENVIRONMENT", "production")
    monkeypatch.setenv("ASSISTANT_SHOPS__RETAIL__API_KEY", "prod-shop-key")
    monkeypatch.setenv("ASSISTANT_SHOPS__RETAIL__OPERATOR_KEY", "prod-operator-key")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert caught.value.message.endswith("shops.retail.commerce.api_key use a development key in production: set your own"), (
        caught.value.message
    )
    monkeypatch.setenv("ASSISTANT_SHOPS__RETAIL__COMMERCE__API_KEY", "prod-commerce-key")
    assert load_settings().server.environment == "production"


def test_a_missing_or_wrong_shop_profile_stops_the_start(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from assistant.bootstrap import build_services
    from assistant.components.container import build_components

    def start(folder: Path) -> str:
        settings = make_settings(
            shops={"retail": {"profile": folder, "commerce": {"base_url": "http://127.0.0.1:9", "api_key": "k"}}}
        )
        with pytest.raises(SettingsError) as caught:
            build_services(settings, build_components(settings))
        return caught.value.message

    assert "shops.retail.profile: shop profile" in start(tmp_path / "nowhere" / "retail")
    assert "does not exist" in start(tmp_path / "nowhere" / "retail")
    broken = tmp_path / "broken" / "retail"
    shutil.copytree(REPO / "shops" / "retail", broken)
    (broken / "shop.toml").write_text("currency = 'USD'\n" + (broken / "shop.toml").read_text(), encoding="utf-8")
    assert "not valid TOML" in start(broken)  # a key given twice
    unknown = tmp_path / "unknown" / "retail"
    shutil.copytree(REPO / "shops" / "retail", unknown)
    text = (unknown / "shop.toml").read_text().replace('"identify",', '"identify", "teleport_order",')
    (unknown / "shop.toml").write_text(text, encoding="utf-8")
    assert "operations teleport_order (shop.toml) are not in the registry" in start(unknown)
    policy = tmp_path / "policy" / "retail"
    shutil.copytree(REPO / "shops" / "retail", policy)
    (policy / "policy.toml").write_text(
        (policy / "policy.toml").read_text().replace("[actions.cancel]", "[actions.never_offered]"), encoding="utf-8"
    )
    assert "shops.retail.profile: shop policy" in start(policy)  # an action the policy language has no word for
