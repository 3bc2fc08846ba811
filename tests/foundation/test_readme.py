"""The README stays true to the code: every setting is documented, and the quickstart is the CI command."""

from __future__ import annotations

import re

from scripts.settings_table import env_names
from tests.conftest import REPO


def test_every_setting_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    missing = [name for name in env_names() if f"`{name}`" not in readme]
    assert missing == []


def test_ci_runs_the_readme_test_command_unchanged() -> None:
    readme = (REPO / "README.md").read_text()
    commands = re.findall(r"^bash scripts/quickstart\.sh \w+$", readme, flags=re.MULTILINE)
    assert commands[:2] == ["bash scripts/quickstart.sh serve", "bash scripts/quickstart.sh test"]
    assert "bash scripts/quickstart.sh test" in (REPO / ".ci" / "run").read_text().splitlines()
