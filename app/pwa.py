"""Serves the PWA shell and its files; /sw.js is versioned by a hash of pwa/ so deploys reach clients."""

import gzip
import hashlib
import mimetypes
import re
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, request
from werkzeug.routing import PathConverter

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"
VERSION_PLACEHOLDER = b"__SHELL_VERSION__"
COMPRESSIBLE = {".js", ".css", ".json", ".html", ".webmanifest", ".svg", ".txt"}
TYPES = {".webmanifest": "application/manifest+json", ".js": "text/javascript; charset=utf-8"}

CSP = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)

bp = Blueprint("pwa", __name__)


class ShellPathConverter(PathConverter):
    """Any path except /api and below: those must stay the JSON 404 (or 405) of the API."""

    regex = r"(?!api(?:/|$))[^/].*?"


@bp.record_once
def _register_converter(state) -> None:
    state.app.url_map.converters["shellpath"] = ShellPathConverter


def pwa_dir() -> Path:
    """Tests point PWA_DIR at a copy of pwa/ to play a deploy."""
    return Path(current_app.config.get("PWA_DIR") or PWA_DIR)


@cache
def shell_version(directory: Path) -> str:
    """A hash of every file under pwa/, computed once per process: a deploy restarts and changes it."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=256)
def _load(path: Path, mtime_ns: int, size: int, version: str | None) -> tuple[bytes, bytes | None, str]:
    """File bytes, their gzip form when worth it, and an ETag; keyed by mtime so edits show up."""
    data = path.read_bytes()
    if version is not None:
        data = data.replace(VERSION_PLACEHOLDER, version.encode())
    compressed = None
    if path.suffix in COMPRESSIBLE and len(data) > 512:
        compressed = gzip.compress(data, compresslevel=9, mtime=0)
    return data, compressed, f'"{hashlib.sha256(data).hexdigest()[:20]}"'


def tile_source(url: str) -> str | None:
    """The CSP source for a tile URL template: its scheme and host, `{s}` subdomains as a wildcard."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = re.sub(r"^\{s\}\.", "*.", parts.netloc)
    if not re.fullmatch(r"(\*\.)?[A-Za-z0-9.-]+(:\d+)?", host):
        return None
    return f"{parts.scheme}://{host}"


def _security_headers(response: Response) -> Response:
    policy = list(CSP)
    tiles = tile_source(current_app.config.get("MAP_TILE_URL") or "")
    if tiles:
        # The configured map tiles are the one remote host the pages may load (images only).
        policy[policy.index("img-src 'self' data: blob:")] = f"img-src 'self' data: blob: {tiles}"
    # Socket.IO connects back to this same host over ws:// or wss://.
    csp = "; ".join((*policy, f"connect-src 'self' ws://{request.host} wss://{request.host}"))
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _send(path: Path, *, version: str | None = None) -> Response:
    stat = path.stat()
    data, compressed, etag = _load(path, stat.st_mtime_ns, stat.st_size, version)
    suffix = path.suffix
    mimetype = TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if request.if_none_match.contains(etag.strip('"')):
        response = Response(status=304)
    else:
        use_gzip = compressed is not None and "gzip" in request.headers.get("Accept-Encoding", "")
        response = Response(compressed if use_gzip else data, mimetype=mimetype)
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
    response.headers["ETag"] = etag
    # Files keep their names across deploys, so browsers revalidate (cheap with the ETag); the service
    # worker is what keeps them for offline use.
    response.headers["Cache-Control"] = "no-cache"
    if compressed is not None:
        response.headers["Vary"] = "Accept-Encoding"
    return _security_headers(response)


@bp.get("/")
def shell():
    return _send(pwa_dir() / "index.html")


@bp.get("/sw.js")
def service_worker():
    directory = pwa_dir()
    response = _send(directory / "sw.js", version=shell_version(directory))
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/<shellpath:path>")
def files_or_shell(path: str):
    """Files under pwa/ by their path; any other path is a client-side route and gets the shell."""
    directory = pwa_dir().resolve()
    target = (directory / path).resolve()
    if target.is_relative_to(directory) and target.is_file() and target.name != "sw.js":
        return _send(target)
    if "." in path.rsplit("/", 1)[-1]:
        # A missing file (/js/nope.js) must not be answered with HTML the browser would try to run.
        abort(404)
    return _send(directory / "index.html")
