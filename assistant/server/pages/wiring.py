"""Adds the web pages and their static files to the app."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from assistant.server.pages.pages_router import pages_router, static_dir


def install_pages(app: FastAPI) -> None:
    """/chat, /console, /dashboard and their scripts and styles under /static."""
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
