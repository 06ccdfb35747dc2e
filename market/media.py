"""Uploaded images: checked by content (not by name) and by the size they declare before anything is
decoded, then decoded reduced and re-encoded without metadata, upright, with a thumbnail.

A picture's pixels cost memory when decoded whatever its file weighs: a 6000 × 6000 PNG of one colour is
~35 KB and 108 MB once decoded. So `inspect` reads only the header (format, width × height, frames) and
refuses what is too big with the numbers; `store` decodes what passed, a JPEG already reduced by the
decoder (`draft`), and never holds more than one full-size copy."""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageFile, ImageOps, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

from market.errors import ImageTooLarge, InvalidUpload, StorageUnavailable, TooManyFrames
from market.i18n import N_
from market.storage import LocalStorage, Storage

log = logging.getLogger(__name__)

MAX_PIXELS = 16_000_000  # 16 megapixels: every phone's 12-16 MP photo (4032 × 3024, 4608 × 3456) fits
MAX_FRAMES = 100  # an animation keeps its first frame; a longer one is no product photo
FULL_SIZE = 1600
MEDIUM_SIZE = 800  # a phone's screen at twice its pixels: the listing page's photo without the 1600 px one
THUMB_SIZE = 400
LOGO_SIZE = 400  # a logo is shown at most 120 px wide: sharp on a phone's screen of 3 pixels to one
# A listing photo is stored at each size under one name: <name>.jpg, <name>-800.jpg, <name>-400.jpg. Photos
# stored before the medium size existed have <name>-thumb.jpg and no medium: the thumbnail's name tells.
SIZED_THUMB = f"-{THUMB_SIZE}.jpg"
# A second line of defence for any Image.open: Pillow warns past this and refuses past twice this.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Decoding at most this many pictures at once per process bounds the memory uploads take together.
DECODERS = threading.BoundedSemaphore(2)

NOT_AN_IMAGE = N_("El archivo no es una imagen JPEG, PNG o WebP válida.")
TOO_LARGE = N_(
    "La imagen mide {width} × {height} px; el máximo es {max_megapixels} megapíxeles (por ejemplo, "
    "4000 × 4000 px o 4608 × 3456 px). Redúcela y vuelve a subirla."
)
TOO_MANY_FRAMES = N_(
    "La imagen animada tiene {frames} cuadros; el máximo es {max_frames}. Sube una foto fija o una "
    "animación más corta."
)
# Read by content; each class parses the header only (Image.open would also apply Pillow's own limit
# first, and answer a bigger picture without its size).
READERS: dict[str, type[ImageFile.ImageFile]] = {
    "JPEG": JpegImagePlugin.JpegImageFile,  # an MPO (a phone's JPEG with a depth map) is read as its first
    "PNG": PngImagePlugin.PngImageFile,
    "WEBP": WebPImagePlugin.WebPImageFile,
}
# Modes that resize well as they are; others (palette, 1-bit, 16-bit) become one of these first.
RESIZABLE = {"L", "LA", "RGB", "RGBA", "CMYK"}


@dataclass(frozen=True)
class Picture:
    """An upload whose header was read and found acceptable: nothing of it is decoded yet."""

    data: bytes
    format: str
    width: int
    height: int
    frames: int


def inspect(data: bytes, max_bytes: int) -> Picture:
    """The picture's format, size and frames from its header, or InvalidUpload (422) saying what is wrong."""
    if not data:
        raise InvalidUpload("El archivo está vacío.")
    if len(data) > max_bytes:
        raise InvalidUpload("La imagen pesa más de {mb} MB.", mb=max_bytes // (1024 * 1024))
    fmt = _format_of(data)
    if fmt is None:
        raise InvalidUpload(NOT_AN_IMAGE)
    if fmt == "WEBP" and (canvas := _webp_canvas(data)):
        _check_size(*canvas)  # the WebP reader allocates its canvas as soon as it opens
    try:
        with READERS[fmt](BytesIO(data)) as header:
            width, height = header.size
            frames = getattr(header, "n_frames", 1)
    except Exception:  # whatever a malformed header makes the reader raise
        raise InvalidUpload(NOT_AN_IMAGE) from None
    _check_size(width, height)
    if frames > MAX_FRAMES:
        raise TooManyFrames(TOO_MANY_FRAMES, frames=frames, max_frames=MAX_FRAMES)
    return Picture(data, fmt, width, height, frames)


def store(picture: Picture, storage: Storage | Path, folder: str) -> tuple[str, str]:
    """Save the picture (at most FULL_SIZE a side), a medium size and its thumbnail in `storage` (or under a
    directory) under folder/ as JPEG; return the keys of the picture and of its thumbnail (the medium one
    follows from it: `sizes_of`). If the storage fails, nothing of the three is left behind."""
    with DECODERS:
        full = _decoded(picture)
    medium, thumb = full.copy(), full.copy()
    medium.thumbnail((MEDIUM_SIZE, MEDIUM_SIZE))
    thumb.thumbnail((THUMB_SIZE, THUMB_SIZE))
    full_key, _medium_key, thumb_key = _put(
        storage, folder, {"": full, f"-{MEDIUM_SIZE}": medium, f"-{THUMB_SIZE}": thumb}
    )
    return full_key, thumb_key


def store_drawn(image: Image.Image, storage: Storage | Path, folder: str) -> tuple[str, str]:
    """`store` for a picture the app made itself (the demo's), already RGB and at most FULL_SIZE a side:
    stored at the sizes an upload is, without a round trip through a file to decode. Its smaller sizes
    average each n × n block: a tenth of `thumbnail`'s time (the demo stores 200), as good for flat shapes,
    and exact for the demo's 800 × 600 (the medium size is the picture itself, the thumbnail half of it)."""

    def reduced(box: int) -> Image.Image:
        return image.reduce(max(1, -(-max(image.size) // box)))

    full_key, _medium_key, thumb_key = _put(
        storage,
        folder,
        {"": image, f"-{MEDIUM_SIZE}": reduced(MEDIUM_SIZE), f"-{THUMB_SIZE}": reduced(THUMB_SIZE)},
    )
    return full_key, thumb_key


def sizes_of(path: str, thumb_path: str) -> list[tuple[str, int]]:
    """The stored sizes of a listing photo, smallest first: (key, the side of the square box it fits)."""
    sizes = [(thumb_path, THUMB_SIZE)]
    if thumb_path.endswith(SIZED_THUMB):
        sizes.append((f"{thumb_path.removesuffix(SIZED_THUMB)}-{MEDIUM_SIZE}.jpg", MEDIUM_SIZE))
    return [*sizes, (path, FULL_SIZE)]


def store_single(picture: Picture, storage: Storage | Path, folder: str, size: int = FULL_SIZE) -> str:
    """Save the picture (at most `size` a side) alone, with no thumbnail (a logo); return its key."""
    with DECODERS:
        image = _decoded(picture)
    image.thumbnail((size, size))
    return _put(storage, folder, {"": image})[0]


def _put(storage: Storage | Path, folder: str, images: dict[str, Image.Image]) -> list[str]:
    """Each image as a JPEG under one new random name (plus its suffix); all of them, or none."""
    if isinstance(storage, Path):
        storage = LocalStorage(storage)
    name = secrets.token_hex(8)
    keys: list[str] = []
    try:
        for suffix, image in images.items():
            key = f"{folder}/{name}{suffix}.jpg"
            encoded = BytesIO()
            image.save(encoded, "JPEG", quality=85, optimize=True)
            storage.put(key, encoded.getvalue(), "image/jpeg")
            keys.append(key)
    except StorageUnavailable:
        forget(storage, keys)
        raise
    return keys


def forget(storage: Storage, keys: list[str]) -> None:
    """Delete what was stored of an upload that failed half-way, as far as the storage still answers (what
    it does not is an orphan object, never a row pointing at nothing)."""
    for key in keys:
        try:
            storage.delete(key)
        except StorageUnavailable:
            log.warning("left orphan media object %s", key)


def store_image(data: bytes, storage: Storage | Path, folder: str, max_bytes: int) -> tuple[str, str]:
    """`inspect` then `store`: for callers with nothing to check in between."""
    return store(inspect(data, max_bytes), storage, folder)


def media_url(relative_path: str | None) -> str | None:
    return f"/media/{relative_path}" if relative_path else None


def _format_of(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _webp_canvas(data: bytes) -> tuple[int, int] | None:
    """Width and height as the first chunk of a WebP declares them (lossy, lossless or extended)."""
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        return int.from_bytes(data[26:28], "little") & 0x3FFF, int.from_bytes(data[28:30], "little") & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


def _check_size(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise ImageTooLarge(
            TOO_LARGE,
            width=width,
            height=height,
            max_megapixels=MAX_PIXELS // 1_000_000,
            max_pixels=MAX_PIXELS,
        )


def _decoded(picture: Picture) -> Image.Image:
    """The picture upright, in RGB over white, at most FULL_SIZE a side."""
    # A truncated file must fail here. Pillow's switch is global, and weasyprint (the invoices' PDF, imported
    # when the first one is asked for) turns it on for the whole process: turn it off again.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(BytesIO(picture.data), formats=[picture.format]) as opened:
            image: Image.Image = opened
            if picture.format == "JPEG":  # the decoder scales by 1/2, 1/4 or 1/8 while it decodes
                image.draft("RGB", _fitted((picture.width, picture.height), FULL_SIZE))
            if image.mode not in RESIZABLE:
                image = _resizable(image)
            image.thumbnail((FULL_SIZE, FULL_SIZE))  # a square box: the same before or after turning it
            upright = ImageOps.exif_transpose(image)
            return _over_white(upright)
    except Exception:  # a truncated or corrupt file passes the header and fails here, when decoded
        log.info("undecodable %s upload", picture.format, exc_info=True)
        raise InvalidUpload(NOT_AN_IMAGE) from None


def _fitted(size: tuple[int, int], box: int) -> tuple[int, int]:
    """`size` scaled down (never up) to fit in a box × box square."""
    scale = min(1.0, box / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _resizable(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit grey: keep the high byte, not a clipped low
        return image.convert("I").point(lambda value: value / 256, "L")
    if image.mode in ("PA", "La") or (image.mode == "P" and "transparency" in image.info):
        return image.convert("RGBA")
    return image.convert("RGB")


def _over_white(image: Image.Image) -> Image.Image:
    """JPEG has no transparency: a logo's transparent background becomes white, not black."""
    if image.mode in ("RGBA", "LA"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGB"), mask=image.getchannel("A"))
        return background
    return image.convert("RGB")
