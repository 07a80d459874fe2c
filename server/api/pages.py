"""The web pages: the client's chat at `/chat` and the agents' console at `/console`.

Plain HTML, CSS and JavaScript files from `server/web`, served as they are: no build step, no CDN,
no external fonts, so an offline deployment shows the same pages. The pages call the `/v1` API
with the bearer token the person pasted (kept in the tab's sessionStorage).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import Response

from server.errors import ApiError

router = APIRouter(include_in_schema=False)

_MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
# Scripts and styles only from our own origin and no inline script at all, so a message that
# slipped into the page as markup still could not run. The pages never frame or are framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@cache
def _files() -> dict[str, bytes]:
    """The served files by name, read once; nothing outside this list can be asked for."""
    folder = resources.files("server") / "web"
    return {
        entry.name: entry.read_bytes()
        for entry in folder.iterdir()
        if entry.is_file() and any(entry.name.endswith(ext) for ext in _MEDIA_TYPES)
    }


def _serve(name: str) -> Response:
    body = _files().get(name)
    if body is None:
        raise ApiError(404, "not_found", "No such page.")
    media_type = next(t for ext, t in _MEDIA_TYPES.items() if name.endswith(ext))
    return Response(body, media_type=media_type, headers=_HEADERS)


@router.get("/chat")
def chat_page() -> Response:
    """The client's chat with the Assistant and, after a hand-off, with a person."""
    return _serve("chat.html")


@router.get("/console")
def console_page() -> Response:
    """The agents' console: queue, conversation with its hand-off package, actions."""
    return _serve("console.html")


@router.get("/web/{name}")
def asset(name: str) -> Response:
    """The pages' scripts and style sheet."""
    return _serve(name)
