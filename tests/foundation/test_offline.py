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


def test_the_guard_catches_an_attempt_to_leave_loopback() -> None:
    """The proof above is only worth something if the guard fires on a real attempt."""
    code = (
        "import socket, sys; sys.path.insert(0, 'tests/foundation'); import offline_main_paths as guard; "
        "sys.addaudithook(guard._guard)\n"
        "for attempt in (lambda: socket.socket().connect(('203.0.113.7', 80)), lambda: socket.getaddrinfo('example.com', 443)):\n"
        "    try:\n        attempt()\n    except OSError as exc:\n        print('blocked', exc)\n"
        "print(guard.ATTEMPTS)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert "blocked network blocked by the offline test" in result.stdout
    assert "blocked name lookup blocked by the offline test" in result.stdout
    assert """["connect ('203.0.113.7', 80)", 'lookup example.com']""" in result.stdout
