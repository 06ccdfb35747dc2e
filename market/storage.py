"""Where uploaded media (listing photos and their thumbnails, logos) are kept: one interface, two backends.

`LocalStorage` (files under MEDIA_DIR) is the embedded default. `S3Storage` keeps them in an S3-compatible
bucket (AWS S3, MinIO, Cloudflare R2, DigitalOcean Spaces...) so that app replicas on several machines see
the same files; it is chosen when S3_BUCKET is set.

A key names an object for good (`listings/<random>.jpg`): it is never rewritten, so whatever serves it may
cache it forever. A backend that cannot be reached raises StorageUnavailable (503), which rolls back the
request that needed it."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from sqlmodel import Session

from market.config import Settings
from market.errors import StorageUnavailable
from market.outbox import Handler, enqueue

log = logging.getLogger(__name__)

# Segments of letters, digits, `_`, `-` and `.`, none starting with a dot: no `..`, no hidden files, no
# absolute paths; what the app writes always fits.
KEY = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)+")
CACHE_FOREVER = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class StoredObject:
    data: bytes
    content_type: str
    etag: str  # quoted, as in an HTTP ETag header


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> StoredObject | None:
        """The object, or None when there is none under `key` (or `key` is no key)."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object; a key with nothing under it is no error (deleting twice is safe)."""
        ...

    def exists(self, key: str) -> bool: ...

    def public_url(self, key: str) -> str | None:
        """Where browsers may fetch the object straight from (a CDN or a public bucket), if anywhere."""
        ...


def is_key(key: str) -> bool:
    return KEY.fullmatch(key) is not None


def _checked(key: str) -> str:
    if not is_key(key):
        raise ValueError(f"not a media key: {key!r}")
    return key


class LocalStorage:
    """Files under `root`: one machine's disk (or a volume every replica mounts)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.root / _checked(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # written aside then renamed: a reader never sees half a file
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except OSError as exc:
            Path(temporary).unlink(missing_ok=True)
            log.warning("media disk write failed for %s: %s", key, exc)
            raise StorageUnavailable() from exc

    def get(self, key: str) -> StoredObject | None:
        if not is_key(key):
            return None
        try:
            data = (self.root / key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        return StoredObject(data, content_type, f'"{hashlib.md5(data).hexdigest()}"')  # as S3's, of a PUT

    def delete(self, key: str) -> None:
        if is_key(key):
            (self.root / key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return is_key(key) and (self.root / key).is_file()

    def public_url(self, key: str) -> str | None:
        return None


class S3Storage:
    """Objects in an S3-compatible bucket, through boto3. `public_base` (S3_PUBLIC_URL), when set, is where
    browsers fetch them from instead of through the app (a CDN in front of the bucket, or a public bucket)."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        region: str | None = None,
        public_base: str | None = None,
    ) -> None:
        import boto3  # only a deployment with a bucket pays for importing it
        from botocore.config import Config

        self.bucket = bucket
        self.public_base = public_base.rstrip("/") if public_base else None
        # a session of its own: boto3's default session is not safe to make clients from in several threads
        self.client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
            config=Config(
                connect_timeout=3,
                read_timeout=15,
                retries={"mode": "standard", "max_attempts": 2},
                # an endpoint of one's own (MinIO, moto) rarely has a DNS name per bucket
                s3={"addressing_style": "path" if endpoint_url else "auto"},
            ),
        )

    def put(self, key: str, data: bytes, content_type: str) -> None:
        _checked(key)
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                CacheControl=CACHE_FOREVER,  # for whatever serves it straight from the bucket
            )
        except Exception as exc:
            raise _unavailable("put", key, exc) from exc

    def get(self, key: str) -> StoredObject | None:
        if not is_key(key):
            return None
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key)
            data = answer["Body"].read()
        except Exception as exc:
            if _not_found(exc):
                return None
            raise _unavailable("get", key, exc) from exc
        return StoredObject(data, answer.get("ContentType") or "application/octet-stream", answer["ETag"])

    def delete(self, key: str) -> None:
        if not is_key(key):
            return
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)  # S3 answers 204 for a missing key too
        except Exception as exc:
            raise _unavailable("delete", key, exc) from exc

    def exists(self, key: str) -> bool:
        if not is_key(key):
            return False
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            if _not_found(exc):
                return False
            raise _unavailable("head", key, exc) from exc
        return True

    def public_url(self, key: str) -> str | None:
        return f"{self.public_base}/{key}" if self.public_base else None


def _not_found(exc: Exception) -> bool:
    from botocore.exceptions import ClientError

    if not isinstance(exc, ClientError):
        return False
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code in ("NoSuchKey", "404", "NotFound")


def _unavailable(action: str, key: str, exc: Exception) -> StorageUnavailable:
    log.warning("media storage %s failed for %s: %s", action, key, exc)
    return StorageUnavailable()


def storage_for(settings: Settings) -> Storage:
    """The settings' storage: the bucket when S3_BUCKET is set, else the files under MEDIA_DIR."""
    if settings.s3_bucket:
        return _s3(
            settings.s3_bucket,
            settings.s3_endpoint_url,
            settings.s3_access_key_id,
            settings.s3_secret_access_key,
            settings.s3_region,
            settings.s3_public_url,
        )
    return LocalStorage(settings.media_dir)


@lru_cache(maxsize=8)
def _s3(
    bucket: str,
    endpoint_url: str | None,
    access_key_id: str | None,
    secret_access_key: str | None,
    region: str | None,
    public_base: str | None,
) -> S3Storage:
    """One client per configuration and process (a boto3 client is thread-safe and costly to make)."""
    return S3Storage(
        bucket,
        endpoint_url=endpoint_url,
        access_key_id=access_key_id,
        secret_access_key=secret_access_key,
        region=region,
        public_base=public_base,
    )


# --- objects no row points at any more ----------------------------------------------------------------

DISCARD_TOPIC = "media.discard"


def discard_after_commit(session: Session, keys: list[str | None]) -> None:
    """Delete these objects once the transaction that stopped using them commits (through the outbox): a
    rolled-back removal keeps its files, and a storage that is down is retried later."""
    if kept := [key for key in keys if key]:
        enqueue(session, DISCARD_TOPIC, {"keys": kept})


def discard_handler(settings: Settings) -> Handler:
    def discard(session: Session, payload: dict[str, Any]) -> None:
        storage = storage_for(settings)
        for key in payload["keys"]:
            storage.delete(key)

    return discard
