"""GET /media/<key>: uploaded media, from whichever storage holds them (market/storage.py).

Pages, the API and the search index always link `/media/<key>`, whatever the backend, so that moving the
files (disk → bucket, bucket → CDN) changes no stored URL. The app answers with the object itself, cacheable
for a year (`immutable`: a key is never rewritten) with its ETag, so a CDN or the proxy in front keeps it
and the app is asked once per object; with S3_PUBLIC_URL it sends the browser there instead (a redirect the
browser keeps for a day), and the bytes never pass through the app."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from market.documents.files import is_private
from market.storage import CACHE_FOREVER, is_key, storage_for

router = APIRouter(include_in_schema=False)
REDIRECT_CACHE = "public, max-age=86400"


@router.get("/media/{key:path}", name="media.file")
def media_file(key: str, request: Request) -> Response:
    storage = storage_for(request.app.state.settings)
    if not is_key(key) or is_private(key):  # supplier documents go only through their own checked route
        raise HTTPException(404)
    if (url := storage.public_url(key)) is not None:
        return RedirectResponse(url, status_code=302, headers={"Cache-Control": REDIRECT_CACHE})
    found = storage.get(key)  # StorageUnavailable: a 503 (MarketError)
    if found is None:
        raise HTTPException(404)
    headers = {"ETag": found.etag, "Cache-Control": CACHE_FOREVER}
    if found.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(found.data, media_type=found.content_type, headers=headers)
