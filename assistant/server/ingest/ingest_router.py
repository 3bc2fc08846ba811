"""Operator endpoints for ingestion.

- `POST /v1/ingest/jobs` `{"paths": [...], "kind": "policy", "prune": false, "dry_run": false}` or
  `{"demo": true}` → 202, the queued job.
- `GET /v1/ingest/jobs/{id}` → the job: status (queued, running, succeeded, failed), progress, report.
- `GET /v1/ingest/jobs` → every job of this process, newest first.

Authentication: a shop's `X-Operator-Key`; 401 without it. The key is the shop: its jobs fill only its own
knowledge collection (`{"demo": true}`: the sources its profile names), and only its operators see them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from assistant.server.ingest.ingest_service import IngestJob, IngestRequest, IngestService
from assistant.server.operator_auth import OperatorShop


def _service(request: Request) -> IngestService:
    return request.app.state.ingest_service  # type: ignore[no-any-return]


ServiceDep = Annotated[IngestService, Depends(_service)]
ingest_router = APIRouter(prefix="/v1/ingest", tags=["ingest"])


@ingest_router.post("/jobs", status_code=status.HTTP_202_ACCEPTED, response_model=IngestJob)
def start_job(body: IngestRequest, service: ServiceDep, shop: OperatorShop) -> IngestJob:
    """Queue an ingestion into the shop's collection; poll `GET /v1/ingest/jobs/{id}` for its progress and report."""
    return service.start(body, shop=shop)


@ingest_router.get("/jobs/{job_id}", response_model=IngestJob)
def get_job(job_id: str, service: ServiceDep, shop: OperatorShop) -> IngestJob:
    """One of the shop's jobs: status, progress (documents done of total, chunks written) and, when finished, its report."""
    return service.get(job_id, shop=shop)


@ingest_router.get("/jobs", response_model=list[IngestJob])
def list_jobs(service: ServiceDep, shop: OperatorShop) -> list[IngestJob]:
    """The shop's jobs started since the service started, newest first."""
    return service.list(shop=shop)
