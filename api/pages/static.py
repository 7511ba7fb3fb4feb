"""Static assets, all served by the app itself so that pages work in a classroom without internet."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
STATIC_URL = "/static"
# Swagger UI and ReDoc bundles, as shipped by the fastapi-offline package.
VENDOR_DIR = Path(fastapi_offline.__file__).parent / "static"
VENDOR_URL = f"{STATIC_URL}/vendor"


def install_static(app: FastAPI) -> None:
    """Mount our assets at /static and the vendored docs bundles at /static/vendor (once)."""
    if any(getattr(route, "name", None) == "static" for route in app.router.routes):
        return
    # Starlette matches mounts in order: the more specific prefix goes first.
    app.mount(VENDOR_URL, StaticFiles(directory=VENDOR_DIR), name="vendor")
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="static")
