"""A supplier document's file: a PDF, JPEG or PNG, told by its content (never by its name), at most
MAX_BYTES; kept in the media storage under a random key of its own that no public route serves."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from io import BytesIO

from PIL import Image, UnidentifiedImageError

from market import media
from market.errors import ValidationFailed
from market.i18n import N_
from market.storage import Storage

MAX_BYTES = 10 * 1024 * 1024  # a scanned acta of a few dozen pages
PREFIX = "documents"  # market.media_serving never serves keys under it
NO_FILE = N_("Elige el archivo del documento.")
TOO_BIG = N_("El archivo pesa más de {mb} MB. Escanéalo con menos resolución o en blanco y negro.")
WRONG_TYPE = N_("El archivo debe ser un PDF, una foto JPEG o una imagen PNG.")
BROKEN_PDF = N_("El PDF está dañado o incompleto: vuelve a descargarlo o a escanearlo.")
BROKEN_IMAGE = N_("La imagen está dañada o incompleta: vuelve a tomar la foto.")
TOO_LARGE = media.TOO_LARGE  # worded as for a listing's photo or a logo
# A scan is kept as it is, never decoded here; Pillow refuses to open past twice its own limit (set by
# market.media), so that is the most a document's image may measure.
MAX_PIXELS = 2 * media.MAX_PIXELS

# Where a document is uploaded: these requests may carry up to MAX_BYTES (market.app's BodySizeLimit).
UPLOAD_PATHS = (
    re.compile(r"/panel/o/[^/]+/documentos"),
    re.compile(r"/api/v1/organizations/[^/]+/documents"),
)
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    content_type: str  # one of EXTENSIONS

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def _content_type(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def check(data: bytes) -> CheckedFile:
    """The file, or ValidationFailed on `file`: none, too big, not a PDF/JPEG/PNG by its first bytes, or a
    PDF without its end marker, an image whose header does not parse."""
    if not data:
        raise ValidationFailed({"file": NO_FILE})
    if len(data) > MAX_BYTES:
        raise ValidationFailed({"file": TOO_BIG}, mb=MAX_BYTES // (1024 * 1024))
    content_type = _content_type(data)
    if content_type is None:
        raise ValidationFailed({"file": WRONG_TYPE})
    if content_type == "application/pdf":
        if b"%%EOF" not in data[-2048:]:  # every complete PDF ends with it (a cut download does not)
            raise ValidationFailed({"file": BROKEN_PDF})
    else:
        _check_image(data, "JPEG" if content_type == "image/jpeg" else "PNG")
    return CheckedFile(data, content_type)


def _check_image(data: bytes, fmt: str) -> None:
    """Its size from its header first (too many pixels is said so, with them), then the whole file."""
    try:
        with media.READERS[fmt](BytesIO(data)) as header:  # the header only: no limit applied yet
            width, height = header.size
    except Exception:  # whatever a malformed header makes the reader raise
        raise ValidationFailed({"file": BROKEN_IMAGE}) from None
    if width * height > MAX_PIXELS:
        raise ValidationFailed(
            {"file": TOO_LARGE},
            width=width,
            height=height,
            max_megapixels=MAX_PIXELS // 1_000_000,
            max_pixels=MAX_PIXELS,
        )
    try:
        with Image.open(BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed({"file": BROKEN_IMAGE}) from None


def store(storage: Storage, organization_id: int, checked: CheckedFile) -> str:
    """Put the file under a new random key (192 bits: nobody guesses it) and return the key."""
    key = f"{PREFIX}/{organization_id}/{secrets.token_urlsafe(24)}.{checked.extension}"
    storage.put(key, checked.data, checked.content_type)
    return key


def is_private(key: str) -> bool:
    return key.startswith(f"{PREFIX}/")


def download_name(file_name: str, content_type: str) -> str:
    """A safe name for the download: the original's letters, digits, dots, dashes and underscores, with the
    extension of what the file really is."""
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in stem).strip("_")
    return f"{(safe or 'documento')[:80]}.{EXTENSIONS.get(content_type, 'bin')}"
