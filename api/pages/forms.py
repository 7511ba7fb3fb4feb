"""What every page form shares: a same-origin check, and reading one form field."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from api.core.errors import Forbidden


class CrossSiteForm(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "This form was sent from another site; open the page again and send it from there."
        )


def require_same_origin(request: Request) -> None:
    """Refuse a form posted from another origin (browsers send Origin on every POST)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return  # old browsers and some privacy settings send neither; the CSRF token decides
    if urlsplit(origin).netloc != request.headers.get("host", request.url.netloc):
        raise CrossSiteForm()
