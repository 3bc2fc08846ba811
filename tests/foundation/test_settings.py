"""Wrong settings fail at start with one clear line each."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from assistant.errors import SettingsError
from assistant.settings import load_settings


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
