"""The commerce service's FastAPI app: one shop, routers under /v1, one key, one error shape.

Every refusal is ``{"reason": "<machine-readable>", "message": "<for people>"}``
with a 4xx status; reasons are the values of ``assistant.connectors.models.Refusal``.
"""

from __future__ import annotations

import logging

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.connectors.models import Refusal
from assistant.errors import SettingsError
from assistant.settings import CommerceSettings
from assistant.shops import Shop, load_shop
from commerce.api import aftersales_router, crm_router, logistics_router, orders_router
from commerce.api.deps import require_api_key
from commerce.database import CommerceDatabase, open_database
from commerce.errors import CommerceError

logger = logging.getLogger(__name__)


def create_app(
    settings: CommerceSettings, database: CommerceDatabase | None = None, *, shop: Shop | None = None, production: bool = False
) -> FastAPI:
    """Build the service for ``shop`` (default: the retail shop) over ``database`` (default: ``settings.database_url``,
    schema created if missing); every write checks that shop's policy."""
    api_key = settings.api_key.get_secret_value()
    if production and api_key.startswith("dev-"):
        raise SettingsError("commerce.api_key is a development key; set a real one in production")
    if database is None:
        database = open_database(settings.database_url)
        database.create_schema()
    app = FastAPI(title="Reference commerce service", version="1", description="Orders, logistics and CRM APIs.")
    app.state.database = database
    app.state.api_key = api_key
    app.state.shop = shop or load_shop("retail")

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok", "shop": app.state.shop.name}

    secured = [Depends(require_api_key)]
    for module in (orders_router, logistics_router, crm_router, aftersales_router):
        app.include_router(module.router, prefix="/v1", dependencies=secured)
    _install_error_handlers(app)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CommerceError)
    async def _refusal(_request: Request, exc: CommerceError) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code, content={"reason": exc.reason, "message": exc.message})

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'][1:]) or 'body'}: {error['msg']}" for error in exc.errors()
        )
        return JSONResponse(status_code=422, content={"reason": Refusal.BAD_REQUEST, "message": problems})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        reason = "not_found" if exc.status_code == 404 else "http_error"
        return JSONResponse(status_code=exc.status_code, content={"reason": reason, "message": str(exc.detail)})
