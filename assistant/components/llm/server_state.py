"""Whether the embedded model server is running, and if it is not, how it ended.

The process that starts the model server (`assistant serve`, an evaluation run,
a test) records its pid in a small JSON file beside its log, and how it exited
when it exits by itself. Every reader (the chat client when a call fails,
`/health`, `assistant doctor` in another process) then names a crash as a
crash — "the model server exited (signal 11, SIGSEGV: …)" with the last lines
of its log — instead of the "cannot be reached" that a dead port alone tells.
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.components.child_process import describe_exit

LOG_TAIL_LINES = 6


def state_path(data_dir: Path) -> Path:
    return data_dir / "llm-server.json"


def log_path(data_dir: Path) -> Path:
    return data_dir / "llm-server.log"


def log_tail(path: Path | None, lines: int = LOG_TAIL_LINES) -> list[str]:
    if path is None or not path.is_file():
        return []
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 64_000))
        text = handle.read().decode("utf-8", errors="replace")
    return list(deque((line.strip() for line in text.splitlines() if line.strip()), maxlen=lines))


class ServerStateFile:
    """The record of one model server: written by its owner, read by anyone."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def started(self, *, pid: int, port: int, log: Path | None, build: str | None = None) -> None:
        self._write({"pid": pid, "port": port, "log": str(log) if log else None, "build": build, "started_at": _now()})

    def exited(self, returncode: int) -> str:
        """Record an exit the owner did not ask for; returns the description the readers will show."""
        record = self._read() or {}
        log = Path(record["log"]) if record.get("log") else None
        record.update(returncode=returncode, exited_at=_now(), log_tail=log_tail(log))
        self._write(record)
        return _failure_text(record)

    def stopped(self) -> None:
        """The owner stopped the server on purpose: nothing to report."""
        self.path.unlink(missing_ok=True)

    def failure(self, settle_seconds: float = 1.0) -> str | None:
        """How the server ended, when it is recorded as started and is no longer running; else None."""
        deadline = time.monotonic() + settle_seconds
        while True:
            record = self._read()
            if record is None:
                return None
            if "returncode" in record:
                return _failure_text(record)
            if _alive(int(record["pid"])):
                return None
            # Dead but not yet recorded: its owner's watcher is about to write the exit (or the owner died too).
            if time.monotonic() >= deadline:
                log = Path(record["log"]) if record.get("log") else None
                return _failure_text({**record, "log_tail": log_tail(log)}, exited=f"is not running (pid {record['pid']})")
            time.sleep(0.05)

    def _read(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.path.read_text())  # type: ignore[no-any-return]
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def _write(self, record: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(record, ensure_ascii=False, indent=1))
        os.replace(partial, self.path)  # a reader never sees half a record


def _failure_text(record: dict[str, Any], exited: str | None = None) -> str:
    how = exited or f"exited ({describe_exit(int(record['returncode']))})"  # type: ignore[call-overload]
    text = f"the model server {how}"
    tail = record.get("log_tail") or []
    if tail:
        text += f"; last lines of {record.get('log')}: " + " | ".join(tail)  # type: ignore[arg-type]
    elif record.get("log"):
        text += f"; its log {record['log']} is empty"
    return text


def _alive(pid: int) -> bool:
    """Running, and not a zombie waiting to be reaped (a crashed child is one until its watcher waits on it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
