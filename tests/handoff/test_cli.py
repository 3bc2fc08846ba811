"""`assistant agents add|list`: the printed token is the agent's; bad or duplicate names are refused clearly."""

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
    added = runner.invoke(app, ["add", "ann", "--languages", "zh,en", "--skills", "refunds", "--max-active", "2"])
    assert added.exit_code == 0, added.output
    token = added.output.strip().splitlines()[-1]
    agent = AgentRegistry(build_engine(url)).authenticate(token)
    assert (agent.name, agent.skills, agent.languages, agent.max_active) == ("ann", ["refunds"], ["en", "zh"], 2)

    listed = runner.invoke(app, ["list"])
    assert listed.exit_code == 0 and "ann" in listed.output and "0/2" in listed.output
    assert token not in listed.output

    duplicate = runner.invoke(app, ["add", "ann", "--languages", "en"])
    assert isinstance(duplicate.exception, ConflictError)
    bad = runner.invoke(app, ["add", "has space", "--languages", "en"])
    assert isinstance(bad.exception, BadInputError) and "name" in bad.exception.message
