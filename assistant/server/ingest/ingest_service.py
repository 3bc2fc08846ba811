"""Ingestion jobs started over the API by a shop's operator: run one at a time in a background thread.

A job writes only into its shop's knowledge collection (the operator key is the
shop), and only that shop's operators see it: another shop's job is "not found".
Server paths that hold another shop's documents (its published corrections, its
profile folder, its knowledge sources) are reported exactly like missing ones,
so one shop cannot copy another's knowledge into its own collection. One job at
a time: a second request waits in the queue. Job records live as long as the
process (the collection itself, not the job list, is what persists).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from pydantic import BaseModel, Field, model_validator

from assistant.errors import AssistantError, NotFoundError
from assistant.feedback.publish import corrections_folder
from assistant.retrieval.audience import Audience
from assistant.retrieval.keyword_index import refresh_keyword_cache
from assistant.shops import Shop
from ingest.demo import demo_job, sources_of
from ingest.models import FileProblem, IngestReport, Kind
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
    shop: str = Field(description="The shop whose collection the job fills (the operator key's).")
    collection: str
    status: Literal["queued", "running", "succeeded", "failed"]
    request: IngestRequest
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    progress: Progress | None = None
    report: IngestReport | None = None
    error: str | None = Field(default=None, description="Why the job failed (e.g. embedding_model_mismatch: ...).")


class IngestService:
    def __init__(self, components: Components, shops: Mapping[str, Shop]) -> None:
        self._components = components
        self._shops = dict(shops)
        self._jobs: dict[str, IngestJob] = {}
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-job")

    def start(self, request: IngestRequest, *, shop: str) -> IngestJob:
        job = IngestJob(
            id=uuid.uuid4().hex, shop=shop, collection=self._shops[shop].profile.collection, status="queued",
            request=request, created_at=datetime.now(UTC),
        )  # fmt: skip
        with self._lock:
            self._jobs[job.id] = job
        self._executor.submit(self._run, job.id)
        what = "demo" if request.demo else f"{request.kind}: {len(request.paths)} path(s)"
        logger.info("ingest job %s of shop %s queued (%s)", job.id, shop, what)
        return job.model_copy(deep=True)

    def get(self, job_id: str, *, shop: str) -> IngestJob:
        """The shop's job; another shop's is "not found", exactly like one that does not exist."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.shop != shop:
                raise NotFoundError(f"no ingest job {job_id!r}")
            return job.model_copy(deep=True)

    def list(self, *, shop: str) -> list[IngestJob]:
        with self._lock:
            jobs = [job.model_copy(deep=True) for job in self._jobs.values() if job.shop == shop]
        return sorted(jobs, key=lambda job: job.created_at, reverse=True)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _run(self, job_id: str) -> None:
        self._update(job_id, status="running", started_at=datetime.now(UTC))
        with self._lock:
            job = self._jobs[job_id]
        request, shop, collection = job.request, self._shops[job.shop], job.collection
        foreign: list[Path] = []
        sources: list[tuple[list[Path], Kind, Audience | None, bool]]
        total = IngestReport(kind=None if request.demo else request.kind, dry_run=request.dry_run)
        if request.demo:
            # As `assistant ingest --demo --shop NAME` does: the shop's own sources, each with its audience.
            demo = demo_job(shop, self._shops)
            foreign = demo.foreign
            sources = [([source.path], source.kind, source.audience, True) for source in demo.sources]
        else:
            paths = [Path(path) for path in request.paths]
            own = [path for path in paths if not self._another_shops(path, shop)]
            # Reported word for word like a missing path: whether another shop's documents are there is not told.
            total.problems.extend(
                FileProblem(path=str(path), message="no such file or folder") for path in paths if path not in own
            )
            sources = [(own, cast(Kind, request.kind), None, request.prune)] if own else []
        try:
            if foreign:  # another shop's (or a retired) source must not answer this shop's customers
                total.merge(IngestPipeline(self._components, collection).remove_sources(foreign, dry_run=request.dry_run))
            for paths, kind, audience, prune in sources:
                pipeline = IngestPipeline(
                    self._components, collection, on_progress=lambda step: self._update(job_id, progress=step)
                )
                report = pipeline.run(paths, kind, audience=audience, prune=prune, dry_run=request.dry_run)  # type: ignore[arg-type]
                total.merge(report)
            if not request.dry_run and (total.chunks_written or total.chunks_deleted):
                # Built now, so the first search after the job does not tokenise every chunk.
                self._update(job_id, progress=Progress(stage="keyword index"))
                refresh_keyword_cache(self._components, collection)
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

    def _another_shops(self, path: Path, shop: Shop) -> bool:
        """Does `path` hold (or lie inside) a place of another shop's documents: its published corrections, its
        profile folder, its knowledge sources, the paths its operators ingested? Then ingesting it would copy that
        shop's knowledge into this one's."""
        target = path.resolve()
        with self._lock:
            ingested = [(job.shop, Path(each)) for job in self._jobs.values() for each in job.request.paths]
        for other in self._shops.values():
            if other.name == shop.name:
                continue
            places = [corrections_folder(self._components, other.name), other.profile.folder]
            places += [source.path for source in sources_of(other)]
            places += [each for owner, each in ingested if owner == other.name]
            for place in places:
                place = place.resolve()
                if target == place or place.is_relative_to(target) or target.is_relative_to(place):
                    return True
        return False

    def _fail(self, job_id: str, error: str, report: IngestReport) -> None:
        self._update(job_id, status="failed", error=error, report=report, finished_at=datetime.now(UTC))

    def _update(self, job_id: str, **changes: object) -> None:
        with self._lock:
            job = self._jobs[job_id]
            self._jobs[job_id] = job.model_copy(update=changes)
