"""The run folder: manifest.json, cases.jsonl (one line per finished case), results.json, report.html.

A case line is written with one write call and flushed to disk before the next
case is counted as done, so an interrupted run loses at most the case in
flight; a torn last line (a kill mid-write) is dropped on reopening.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from assistant.errors import NotFoundError
from evals.harness.models import CaseRecord, Manifest, RunResults

MANIFEST, CASES, RESULTS, REPORT = "manifest.json", "cases.jsonl", "results.json", "report.html"


class RunStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()

    @property
    def run_id(self) -> str:
        return self.folder.name

    def exists(self) -> bool:
        return (self.folder / MANIFEST).is_file()

    def write_manifest(self, manifest: Manifest) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        _atomic_write(self.folder / MANIFEST, manifest.model_dump_json(indent=2))

    def manifest(self) -> Manifest:
        path = self.folder / MANIFEST
        if not path.is_file():
            raise NotFoundError(f"no run in {self.folder} (manifest.json missing)")
        return Manifest.model_validate_json(path.read_text(encoding="utf-8"))

    def append(self, record: CaseRecord) -> None:
        line = json.dumps(record.model_dump(mode="json"), ensure_ascii=False, allow_nan=False) + "\n"
        with self._lock, (self.folder / CASES).open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def records(self) -> dict[str, CaseRecord]:
        """Finished cases by id; a torn last line is cut off the file so later appends stay readable."""
        path = self.folder / CASES
        if not path.is_file():
            return {}
        records: dict[str, CaseRecord] = {}
        good_bytes = 0
        with path.open("rb") as handle:
            for raw in handle:
                try:
                    record = CaseRecord.model_validate_json(raw)
                except ValueError:
                    break  # only the last line can be torn: it was being written when the run stopped
                records[record.case_id] = record
                good_bytes += len(raw)
        if good_bytes < path.stat().st_size:
            with path.open("r+b") as handle:
                handle.truncate(good_bytes)
        return records

    def write_results(self, results: RunResults) -> Path:
        path = self.folder / RESULTS
        _atomic_write(path, results.model_dump_json(indent=2))
        return path

    def results(self) -> RunResults:
        path = self.folder / RESULTS
        if not path.is_file():
            raise NotFoundError(f"run {self.run_id} has no results.json yet (interrupted? resume it)")
        return RunResults.model_validate_json(path.read_text(encoding="utf-8"))

    def write_report(self, html: str) -> Path:
        path = self.folder / REPORT
        _atomic_write(path, html)
        return path


def _atomic_write(path: Path, text: str) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def runs_dir(data_dir: Path) -> Path:
    return data_dir / "evals" / "runs"


def open_run(data_dir: Path, run: str) -> RunStore:
    """A run by id (under the data folder) or by path."""
    candidate = Path(run)
    store = RunStore(candidate if (candidate / MANIFEST).is_file() else runs_dir(data_dir) / run)
    store.manifest()  # NotFoundError with the folder named
    return store


def latest_run(data_dir: Path, suite: str) -> RunStore | None:
    """The most recent complete run of a suite (by manifest creation time)."""
    folder = runs_dir(data_dir)
    best: tuple[str, RunStore] | None = None
    for manifest_path in folder.glob(f"*/{MANIFEST}") if folder.is_dir() else []:
        store = RunStore(manifest_path.parent)
        manifest = store.manifest()
        if manifest.options.suite != suite or not (store.folder / RESULTS).is_file():
            continue
        if best is None or manifest.created_at > best[0]:
            best = (manifest.created_at, store)
    return best[1] if best else None
