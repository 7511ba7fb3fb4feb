"""Swagger UI (/docs) and ReDoc (/redoc) served from our own origin: no CDN, no inline script."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse

from api.core.routing import include_routes
from api.pages.static import STATIC_URL, VENDOR_URL, install_static
from api.pages.templates import templates

DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
REDOC_URL = "/redoc"

# Swagger UI runs under the app-wide policy, so /docs sets no header of its own. ReDoc cannot:
# it styles itself with styled-components, which adds an empty <style> element and fills it
# through CSSOM (not subject to CSP), and it adds perfect-scrollbar's stylesheet as an inline
# <style>. Instead of 'unsafe-inline', style-src allows exactly those two by hash: the empty
# string's, and that stylesheet's in the ReDoc bundle fastapi-offline ships. ReDoc builds its
# search index in a Worker made from a blob: URL, which only script already on the page can
# create. Everything else stays as strict as the app-wide policy, own origin only; ReDoc's
# "by Redocly" logo from cdn.redoc.ly is refused by img-src, and ReDoc then hides it.
# If fastapi-offline ships another ReDoc, tests/browser/test_docs.py fails and Chromium's message
# names the hash to put here.
REDOC_STYLE_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # "" (styled-components' sheet)
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",  # perfect-scrollbar's .ps{...}
)
REDOC_CSP = (
    "default-src 'self'; img-src 'self' data:; "
    f"style-src 'self' {' '.join(REDOC_STYLE_HASHES)}; "
    "script-src 'self'; worker-src 'self' blob:; connect-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

router = APIRouter(include_in_schema=False)


def _render(request: Request, template: str, headers: dict[str, str] | None = None) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return templates.TemplateResponse(
        request,
        template,
        {
            "title": request.app.title,
            "openapi_url": f"{root}{request.app.openapi_url}",
            "oauth2_redirect_url": f"{root}{OAUTH2_REDIRECT_URL}",
            "static_url": f"{root}{STATIC_URL}",
            "vendor_url": f"{root}{VENDOR_URL}",
        },
        headers=headers,
    )


@router.get(DOCS_URL)
async def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI, with the OAuth2 password flow and the token kept across reloads."""
    return _render(request, "docs/swagger.html")


@router.get(OAUTH2_REDIRECT_URL)
async def swagger_ui_oauth2_redirect(request: Request) -> HTMLResponse:
    """Where the authorization-code and implicit flows return to Swagger UI."""
    return _render(request, "docs/oauth2_redirect.html")


@router.get(REDOC_URL)
async def redoc(request: Request) -> HTMLResponse:
    """ReDoc, under its own slightly relaxed policy (see REDOC_CSP)."""
    return _render(request, "docs/redoc.html", {"Content-Security-Policy": REDOC_CSP})


def install_docs(app: FastAPI) -> None:
    """Serve /docs, /docs/oauth2-redirect and /redoc, with their bundles under /static/vendor."""
    install_static(app)
    if app.openapi_url is not None:
        include_routes(app, router)
