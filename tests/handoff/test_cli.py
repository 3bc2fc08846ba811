"""`assistant agents add|list --shop NAME`: the printed token is the agent's, of that shop; bad or duplicate names and
a missing or unknown shop are refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.components.database.engine import build_engine
from assistant.errors import BadInputError, ConflictError
from assistant.handoff.agents import AgentRegistry
from assistant.handoff.cli import app


def test_add_prints_a_working_token_and_list_shows_the_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    monkeypatch.setenv("ASSISTANT_DATABASE__URL", url)
    monkeypatch.chdir(tmp_path)  # no .env of the working folder
    runner = CliRunner()
    jd = ["--shop", "jd_appliances"]
    added = runner.invoke(app, ["add", "ann", *jd, "--languages", "zh,en", "--skills", "refunds", "--max-active", "2"])
    assert added.exit_code == 0, added.output
    token = added.output.strip().splitlines()[-1]
    agent = AgentRegistry(build_engine(url)).authenticate(token)
    assert (agent.shop, agent.name, agent.skills, agent.languages, agent.max_active) == (
        "jd_appliances", "ann", ["refunds"], ["en", "zh"], 2,
    )  # fmt: skip

    listed = runner.invoke(app, ["list", *jd])
    assert listed.exit_code == 0 and "ann" in listed.output and "0/2" in listed.output
    assert token not in listed.output
    other = runner.invoke(app, ["list", "--shop", "retail"])
    assert other.exit_code == 0 and "ann" not in other.output, "another shop's agents are not listed"

    duplicate = runner.invoke(app, ["add", "ann", *jd, "--languages", "en"])
    assert isinstance(duplicate.exception, ConflictError)
    elsewhere = runner.invoke(app, ["add", "ann", "--shop", "retail", "--languages", "en"])
    assert elsewhere.exit_code == 0, "a name is unique within its shop"
    bad = runner.invoke(app, ["add", "has space", *jd, "--languages", "en"])
    assert isinstance(bad.exception, BadInputError) and "name" in bad.exception.message
    unnamed = runner.invoke(app, ["add", "bo", "--languages", "en"])
    assert isinstance(unnamed.exception, BadInputError) and "--shop retail | --shop jd_appliances" in unnamed.exception.message
    unknown = runner.invoke(app, ["add", "bo", "--shop", "nowhere", "--languages", "en"])
    assert isinstance(unknown.exception, BadInputError) and "no shop 'nowhere'" in unknown.exception.message
