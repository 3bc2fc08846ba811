"""The code's shape, checked in the suite: import-linter's contracts (pyproject.toml) and module sizes.

Layers run HTTP → composition root → services → components; no package imports
one above it, so there are no package cycles; only the vector-store adapter
imports chromadb; evals and ingestion never import the HTTP layer.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MAX_LINES = 300
# The one tree of settings, each field described: long by nature, and split it would be harder to read.
EXEMPT = {"assistant/settings.py"}
# A module may run over by a few lines (a docstring, an import) before it must be split.
SLACK = 20


def test_import_contracts_hold() -> None:
    # import-linter's own command, from the environment running the tests (it reads [tool.importlinter]).
    command = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(command)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " 0 broken" in run.stdout


def test_no_module_outgrows_its_job() -> None:
    long = {
        str(path.relative_to(REPO)): lines
        for root in ("assistant", "ingest", "evals")
        for path in (REPO / root).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES + SLACK
    }
    assert {name: lines for name, lines in long.items() if name not in EXEMPT} == {}
