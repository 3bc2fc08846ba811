"""`assistant ingest` exit codes: 0 when anything was ingested (problems listed), 1 when nothing could be."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _ingest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(tmp_path / "var"),
        "ASSISTANT_VECTOR_STORE__PATH": str(tmp_path / "var" / "chroma"),
        "ASSISTANT_DATABASE__URL": f"sqlite:///{tmp_path / 'var' / 'assistant.db'}",
    }
    command = [sys.executable, "-m", "assistant.cli", "ingest", *args]
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


def test_exit_codes_and_the_summary(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "faq.md").write_text("# FAQ\n\n## Returns\n\nWithin 30 days.\n", encoding="utf-8")
    (tmp_path / "docs" / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text('{"id": "x"}\n', encoding="utf-8")

    mixed = _ingest(tmp_path, "docs", "bad.jsonl", "--kind", "policy", "--shop", "retail")
    assert mixed.returncode == 0, mixed.stderr
    summary = json.loads(mixed.stdout)
    assert (summary["kind"], summary["documents_seen"], summary["added"], summary["chunks_written"]) == ("policy", 1, 1, 1)
    assert "empty file" in mixed.stderr and "no text field" in mixed.stderr

    nothing = _ingest(tmp_path, "bad.jsonl", "missing-folder", "--kind", "policy", "--shop", "retail")
    assert nothing.returncode == 1
    assert "no such file or folder" in nothing.stderr

    assert _ingest(tmp_path, "docs", "--shop", "retail").returncode == 2  # no --kind
    # Two shops are configured: the documents go into one of them, named.
    unnamed = _ingest(tmp_path, "docs", "--kind", "policy")
    assert unnamed.returncode == 2 and "--shop jd_appliances" in " ".join(unnamed.stderr.split())
    unknown = _ingest(tmp_path, "docs", "--kind", "policy", "--shop", "nobody")
    assert unknown.returncode == 2 and "no shop 'nobody'" in unknown.stderr
