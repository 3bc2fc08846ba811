"""Serves the three web pages; everything they load comes from this package (no CDN, no build step).

The pages are static: they hold no credentials. Each page asks for its own (shop key and customer id,
agent token, operator key), keeps them in the browser's sessionStorage, and calls the JSON API with them.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

pages_router = APIRouter(include_in_schema=False)
PAGES = {"chat": "chat.html", "console": "console.html", "dashboard": "dashboard.html"}


def static_dir() -> Path:
    """The folder of page files inside the installed package."""
    return Path(str(files("assistant.server.pages") / "static"))


def _page(name: str) -> FileResponse:
    # no-cache: a page reloaded after an upgrade must not mix old HTML with new scripts.
    return FileResponse(static_dir() / PAGES[name], media_type="text/html", headers={"Cache-Control": "no-cache"})


@pages_router.get("/chat")
def chat_page() -> FileResponse:
    """The customer chat widget."""
    return _page("chat")


@pages_router.get("/console")
def console_page() -> FileResponse:
    """The human agent's console."""
    return _page("console")


@pages_router.get("/dashboard")
def dashboard_page() -> FileResponse:
    """The operator's dashboard."""
    return _page("dashboard")
