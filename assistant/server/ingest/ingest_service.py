"""Ingestion jobs started over the API: run one at a time in a background thread, status kept in memory.

One at a time because every job writes the same collection; a second request
waits in the queue. Job records live as long as the process (the collection
itself, not the job list, is what persists).
"""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from pydantic import BaseModel, Field, model_validator

from assistant.errors import AssistantError, NotFoundError
from assistant.retrieval.audience import Audience
from assistant.retrieval.keyword_index import refresh_keyword_cache
from ingest.models import IngestReport, Kind
from ingest.pipeline import IngestPipeline, Progress

if TYPE_CHECKING:
    from assistant.components.container import Components

logger = logging.getLogger(__name__)


class IngestRequest(BaseModel):
    """What to ingest: paths on the server with their kind, or the bundled demo set."""

    paths: list[str] = Field(default_factory=list, description="Files or folders on the server.")
    kind: Kind | None = Field(None, description="product, policy or ticket (required with paths).")
    prune: bool = Field(False, description="Delete stored documents of this kind that are gone from the paths.")
    dry_run: bool = Field(False, description="Report what would change; write nothing.")
    demo: bool = Field(False, description="Ingest the bundled demo data instead of paths.")

    @model_validator(mode="after")
    def _paths_or_demo(self) -> IngestRequest:
        if self.demo and (self.paths or self.kind):
            raise ValueError("demo takes no paths or kind")
        if not self.demo and (not self.paths or self.kind is None):
            raise ValueError("give paths and kind, or demo: true")
        return self


class IngestJob(BaseModel):
    id: str
    status: Literal["queued", "running", "succeeded", "failed"]
    request: IngestRequest
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    progress: Progress | None = None
    report: IngestReport | None = None
    error: str | None = Field(default=None, description="Why the job failed (e.g. embedding_model_mismatch: ...).")


class IngestService:
    def __init__(self, components: Components) -> None:
        self._components = components
        self._jobs: dict[str, IngestJob] = {}
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-job")

    def start(self, request: IngestRequest) -> IngestJob:
        job = IngestJob(id=uuid.uuid4().hex, status="queued", request=request, created_at=datetime.now(UTC))
        with self._lock:
            self._jobs[job.id] = job
        self._executor.submit(self._run, job.id)
        what = "demo" if request.demo else f"{request.kind}: {len(request.paths)} path(s)"
        logger.info("ingest job %s queued (%s)", job.id, what)
        return job.model_copy(deep=True)

    def get(self, job_id: str) -> IngestJob:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise NotFoundError(f"no ingest job {job_id!r}")
            return job.model_copy(deep=True)

    def list(self) -> list[IngestJob]:
        with self._lock:
            jobs = [job.model_copy(deep=True) for job in self._jobs.values()]
        return sorted(jobs, key=lambda job: job.created_at, reverse=True)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _run(self, job_id: str) -> None:
        from ingest.demo import demo_job

        self._update(job_id, status="running", started_at=datetime.now(UTC))
        request = self.get(job_id).request
        foreign: list[Path] = []
        sources: list[tuple[list[Path], Kind, Audience | None, bool]]
        if request.demo:
            # The shop this server serves, as `assistant ingest --demo` does: its sources only, each with its audience.
            demo = demo_job(self._components.settings.commerce.seed)
            foreign = demo.foreign
            sources = [([source.path], source.kind, source.audience, True) for source in demo.sources]
        else:
            sources = [([Path(path) for path in request.paths], cast(Kind, request.kind), None, request.prune)]
        total = IngestReport(kind=None if request.demo else request.kind, dry_run=request.dry_run)
        try:
            if foreign:  # another shop's (or a retired) source must not answer this shop's customers
                total.merge(IngestPipeline(self._components).remove_sources(foreign, dry_run=request.dry_run))
            for paths, kind, audience, prune in sources:
                pipeline = IngestPipeline(self._components, on_progress=lambda step: self._update(job_id, progress=step))
                report = pipeline.run(paths, kind, audience=audience, prune=prune, dry_run=request.dry_run)  # type: ignore[arg-type]
                total.merge(report)
            if not request.dry_run and (total.chunks_written or total.chunks_deleted):
                # Built now, so the first search after the job does not tokenise every chunk.
                self._update(job_id, progress=Progress(stage="keyword index"))
                refresh_keyword_cache(self._components)
        except AssistantError as exc:
            self._fail(job_id, f"{exc.reason}: {exc.message}", total)
            return
        except Exception as exc:  # noqa: BLE001 - a background job records its failure instead of losing it
            logger.exception("ingest job %s failed", job_id)
            self._fail(job_id, f"{type(exc).__name__}: {exc}", total)
            return
        status: Literal["succeeded", "failed"] = "succeeded" if total.ingested_anything else "failed"
        error = None if total.ingested_anything else "nothing could be ingested (see report.problems)"
        self._update(job_id, status=status, report=total, error=error, finished_at=datetime.now(UTC))

    def _fail(self, job_id: str, error: str, report: IngestReport) -> None:
        self._update(job_id, status="failed", error=error, report=report, finished_at=datetime.now(UTC))

    def _update(self, job_id: str, **changes: object) -> None:
        with self._lock:
            job = self._jobs[job_id]
            self._jobs[job_id] = job.model_copy(update=changes)
