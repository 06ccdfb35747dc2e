"""The site's own CSS and JS (static/), linked by versioned URLs a browser keeps for a year.

Pages link `{{ static_url('css/site.css') }}` → `/static/css/site.css?v=<hash of its content>`, the hashes
computed once when the app starts. A URL whose `v` is the file's current hash is `immutable`: a returning
visitor on a slow connection asks for none of it again, and a changed file gets a new URL, so nobody keeps an
old one. Any other URL (no `v`, or one a replica of another version wrote during a deploy) may be kept but is
revalidated each time: a 304 from its ETag, not the file again."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import parse_qs

import jinja2
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

CACHE_FOREVER = "public, max-age=31536000, immutable"
REVALIDATE = "public, no-cache"  # kept, but asked about (If-None-Match) before each use
VERSION_PARAMETER = "v"


class StaticAssets:
    """The files under `directory` and the hash of each, read once."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.versions = {
            path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            for path in sorted(directory.rglob("*"))
            if path.is_file()
        }

    def url(self, path: str) -> str:
        """The versioned URL of static/`path`; a file that does not exist is a template's mistake."""
        path = path.lstrip("/")
        if path not in self.versions:
            raise LookupError(f"no static file {path!r} in {self.directory}")
        return f"/static/{path}?{VERSION_PARAMETER}={self.versions[path]}"

    def is_current(self, path: str, version: str | None) -> bool:
        return version is not None and self.versions.get(path.lstrip("/")) == version


class VersionedStaticFiles(StaticFiles):
    """StaticFiles (ETag, Last-Modified, 304) whose answers say how long to keep them (see the module)."""

    def __init__(self, assets: StaticAssets) -> None:
        super().__init__(directory=assets.directory)
        self.assets = assets

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        version = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(VERSION_PARAMETER, [None])[
            -1
        ]
        path = Path(self.get_path(scope)).as_posix()  # the one asked for, under static/
        current = status_code == 200 and self.assets.is_current(path, version)
        response.headers["Cache-Control"] = CACHE_FOREVER if current else REVALIDATE
        return response


@jinja2.pass_context
def static_url(context: dict[str, object], path: str) -> str:
    """`{{ static_url('css/site.css') }}` in templates: the file's versioned URL (the app's StaticAssets)."""
    request = context["request"]
    assets: StaticAssets = request.app.state.static_assets  # type: ignore[attr-defined]
    return assets.url(path)
