"""The main paths run with networking blocked except loopback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MODELS_DIR, REPO, free_port

pytestmark = pytest.mark.slow


def _network_namespace_prefix() -> list[str]:
    """`unshare -n` gives the process a network with only loopback, where the machine allows it."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return []
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    return ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "offline"] if probe.returncode == 0 else []


def test_main_paths_never_leave_loopback(test_model_file: Path, tmp_path: Path) -> None:
    script = Path(__file__).with_name("offline_main_paths.py")
    command = [*_network_namespace_prefix(), sys.executable, str(script), str(tmp_path), str(MODELS_DIR), str(free_port())]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "offline ok" in result.stdout
    assert "'llm': 'ok'" in result.stdout and "'embeddings': 'ok'" in result.stdout
