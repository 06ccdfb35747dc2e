"""Uploaded images: checked by content (not by name), re-encoded without metadata, with a thumbnail."""

from __future__ import annotations

import secrets
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from market.errors import InvalidUpload
from market.i18n import N_

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
FULL_SIZE = 1600
THUMB_SIZE = 400
TOO_LARGE = N_("La imagen es demasiado grande (más de 40 megapíxeles).")


def store_image(data: bytes, media_dir: Path, folder: str, max_bytes: int) -> tuple[str, str]:
    """Save an uploaded image and its thumbnail under media_dir/folder; return both relative paths."""
    if not data:
        raise InvalidUpload("El archivo está vacío.")
    if len(data) > max_bytes:
        raise InvalidUpload("La imagen pesa más de {mb} MB.", mb=max_bytes // (1024 * 1024))
    try:
        with Image.open(BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            probe.verify()
    except Image.DecompressionBombError:  # Pillow refuses to open one far over its own limit
        raise InvalidUpload(TOO_LARGE) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidUpload("El archivo no es una imagen JPEG, PNG o WebP válida.") from None
    if fmt not in ACCEPTED_FORMATS:
        raise InvalidUpload("El archivo no es una imagen JPEG, PNG o WebP válida.")
    if width * height > MAX_PIXELS:
        raise InvalidUpload(TOO_LARGE)

    try:  # verify() checks the structure only; a truncated file fails when decoded
        with Image.open(BytesIO(data)) as img:
            image = ImageOps.exif_transpose(img).convert("RGB")
    except (OSError, SyntaxError, ValueError):
        raise InvalidUpload("El archivo no es una imagen JPEG, PNG o WebP válida.") from None
    target = media_dir / folder
    target.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(8)
    paths = []
    for suffix, size in (("", FULL_SIZE), ("-thumb", THUMB_SIZE)):
        copy = image.copy()
        copy.thumbnail((size, size))
        relative = f"{folder}/{name}{suffix}.jpg"
        copy.save(media_dir / relative, "JPEG", quality=85, optimize=True)
        paths.append(relative)
    return paths[0], paths[1]


def media_url(relative_path: str | None) -> str | None:
    return f"/media/{relative_path}" if relative_path else None
