"""Uploaded images: refused by the size and frames they declare before anything is decoded, decoded reduced,
stored upright in RGB; and at most `uploads_per_hour` of them per person, on the API and on the pages."""

from __future__ import annotations

import re
import struct
import zlib
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageFile, WebPImagePlugin
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from market import media
from market.catalog.models import Listing, ListingPhoto
from market.config import Settings
from market.db import utcnow
from market.errors import InvalidUpload
from market.mexico import MEXICO_CITY
from market.uploads import WINDOW, ImageUpload, prune_uploads
from tests.helpers import api_token, at_once, csrf_of, database_state, log_in
from tests.pages import flash, one

# --- pictures ---------------------------------------------------------------------------------------


def picture(
    size: tuple[int, int], fmt: str = "JPEG", mode: str = "RGB", color: Any = (180, 90, 40), **save: Any
) -> bytes:
    buffer = BytesIO()
    Image.new(mode, size, color).save(buffer, fmt, **save)
    return buffer.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int) -> bytes:
    """A valid PNG header claiming width × height, with a few bytes of pixels: what a bomb looks like."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    pixels = zlib.compress(b"\0" * 1000)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) was rewritten to claim width × height."""
    data = bytearray(picture((16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def animation(fmt: str, frames: int) -> bytes:
    first, *rest = [Image.new("RGB", (8, 8), (i % 256, 40, 200)) for i in range(frames)]
    buffer = BytesIO()
    first.save(buffer, fmt, save_all=True, append_images=rest, duration=40, lossless=True)
    return buffer.getvalue()


def with_orientation(data_size: tuple[int, int], orientation: int) -> bytes:
    """A JPEG stored sideways as a phone does: left half red, right half blue, and the EXIF tag that says
    how to turn it to show it upright."""
    image = Image.new("RGB", data_size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, data_size[0] // 2, data_size[1]))
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)
    return buffer.getvalue()


# --- fixtures and helpers ---------------------------------------------------------------------------


class Seller:
    def __init__(self, client: TestClient, email: str, listing: Listing, slug: str) -> None:
        self.email, self.listing, self.slug = email, listing, slug
        self.headers = api_token(client, email)
        self.photos_url = f"/api/v1/listings/{listing.id}/photos"


@pytest.fixture
def ana(client: TestClient, make_user: Any, make_org: Any, make_listing: Any) -> Seller:
    org = make_org(make_user("ana@example.mx"))
    return Seller(client, "ana@example.mx", make_listing(org), org.slug)


@pytest.fixture
def beto(client: TestClient, make_user: Any, make_org: Any, make_listing: Any) -> Seller:
    org = make_org(make_user("beto@example.mx", name="Beto"), name="Cooperativa Beto", state="20")
    return Seller(client, "beto@example.mx", make_listing(org), org.slug)


def post_photo(client: TestClient, seller: Seller, content: bytes, name: str = "foto.jpg") -> Any:
    return client.post(
        seller.photos_url, files={"file": (name, content, "image/jpeg")}, headers=seller.headers
    )


def stored_files(media_dir: Path) -> list[Path]:
    return sorted(p for p in media_dir.rglob("*") if p.is_file())


def kept(settings: Settings, response: Any) -> tuple[Image.Image, Image.Image]:
    """The full-size photo and the thumbnail of the last photo in a listing response, loaded."""
    photo = response.json()["photos"][-1]
    full = Image.open(settings.media_dir / photo["url"].removeprefix("/media/"))
    thumb = Image.open(settings.media_dir / photo["thumb_url"].removeprefix("/media/"))
    full.load(), thumb.load()
    return full, thumb


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The size of every picture Pillow decodes during the test (a WebP frame counts twice: its decoder
    and the copy of its pixels)."""
    sizes: list[tuple[int, int]] = []
    load, next_frame = ImageFile.ImageFile.load, WebPImagePlugin.WebPImageFile._get_next

    def spied_load(self: Any) -> Any:
        if self.tile:  # something left to decode
            sizes.append(self.size)
        return load(self)

    def spied_next_frame(self: Any) -> Any:
        sizes.append(self.size)
        return next_frame(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spied_load)
    monkeypatch.setattr(WebPImagePlugin.WebPImageFile, "_get_next", spied_next_frame)
    return sizes


# --- refused by what they declare -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "width", "height"),
    [
        (picture((6000, 6000), "PNG", mode="L", color=200), 6000, 6000),  # ~40 KB, 108 MB decoded
        (picture((6000, 4000), "JPEG", progressive=True), 6000, 4000),
        (picture((5000, 5000), "WEBP", lossless=True), 5000, 5000),
        (png_declaring(100_000, 100_000), 100_000, 100_000),  # far past Pillow's own limit too
        (jpeg_declaring(60_000, 50_000), 60_000, 50_000),  # 16 × 16 of pixels behind the header
    ],
    ids=["png", "progressive-jpeg", "webp", "png-bomb", "jpeg-lying-header"],
)
def test_a_picture_declaring_too_many_pixels_is_refused_with_its_size_before_it_is_decoded(
    client: TestClient,
    ana: Seller,
    engine: Engine,
    settings: Settings,
    decoded: list[tuple[int, int]],
    content: bytes,
    width: int,
    height: int,
) -> None:
    before = database_state(engine)

    response = post_photo(client, ana, content)

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "image_too_large"
    assert (body["width"], body["height"], body["max_pixels"]) == (width, height, 16_000_000)
    assert body["detail"].startswith(f"La imagen mide {width} × {height} px; el máximo es 16 megapíxeles")
    assert decoded == []  # refused on the header alone
    assert database_state(engine) == before and stored_files(settings.media_dir) == []


@pytest.mark.parametrize("fmt", ["WEBP", "PNG"])
def test_an_animation_with_too_many_frames_is_refused_before_it_is_decoded(
    client: TestClient,
    ana: Seller,
    engine: Engine,
    settings: Settings,
    decoded: list[tuple[int, int]],
    fmt: str,
) -> None:
    before = database_state(engine)

    response = post_photo(client, ana, animation(fmt, 150), "animada.webp")

    assert response.status_code == 422, response.text
    assert response.json() | {"detail": ""} == {
        "error": "too_many_frames",
        "detail": "",
        "frames": 150,
        "max_frames": 100,
    }
    assert "tiene 150 cuadros; el máximo es 100" in response.json()["detail"]
    assert decoded == []
    assert database_state(engine) == before and stored_files(settings.media_dir) == []


def test_a_short_animation_is_kept_as_a_still_of_its_first_frame(
    client: TestClient, ana: Seller, settings: Settings
) -> None:
    response = post_photo(client, ana, animation("WEBP", 3))

    assert response.status_code == 201, response.text
    full, _thumb = kept(settings, response)
    assert (full.format, full.size) == ("JPEG", (8, 8))
    assert full.getpixel((4, 4)) == pytest.approx((0, 40, 200), abs=8)


@pytest.mark.parametrize(
    "content",
    [
        picture((800, 600), "PNG")[:-400],
        picture((800, 600), "JPEG")[:400],
        picture((800, 600), "WEBP")[:200],
        b"\xff\xd8\xff" + b"no es un JPEG" * 20,
        animation("GIF", 300),
    ],
    ids=["truncated-png", "truncated-jpeg", "truncated-webp", "jpeg-magic-then-junk", "animated-gif"],
)
def test_broken_and_unaccepted_pictures_are_a_422_that_writes_nothing(
    client: TestClient, ana: Seller, engine: Engine, settings: Settings, content: bytes
) -> None:
    before = database_state(engine)

    response = post_photo(client, ana, content)

    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid_upload"
    assert "no es una imagen JPEG, PNG o WebP" in response.json()["detail"]
    assert database_state(engine) == before and stored_files(settings.media_dir) == []


# --- accepted, decoded reduced ----------------------------------------------------------------------


def test_a_camera_photo_is_decoded_reduced_and_stored_at_most_1600_a_side(
    client: TestClient, ana: Seller, settings: Settings, session: Session, decoded: list[tuple[int, int]]
) -> None:
    response = post_photo(client, ana, picture((4000, 3000), quality=90))

    assert response.status_code == 201, response.text
    assert decoded == [(2000, 1500)]  # the JPEG decoder scaled by 1/2 while decoding: never 12 megapixels
    full, thumb = kept(settings, response)
    assert (full.format, full.size, full.mode) == ("JPEG", (1600, 1200), "RGB")
    assert thumb.size == (400, 300)
    assert len(session.exec(select(ListingPhoto)).all()) == 1


def test_a_photo_named_as_another_type_is_read_by_its_content(
    client: TestClient, ana: Seller, settings: Settings
) -> None:
    png = picture((300, 200), "PNG")

    response = client.post(
        ana.photos_url, files={"file": ("foto.jpg", png, "image/jpeg")}, headers=ana.headers
    )

    assert response.status_code == 201, response.text
    assert kept(settings, response)[0].size == (300, 200)


@pytest.mark.parametrize(
    ("orientation", "size", "top", "bottom"),
    [
        (1, (300, 200), (255, 0, 0), (0, 0, 255)),  # upright already: red on the left, blue on the right
        (6, (200, 300), (255, 0, 0), (0, 0, 255)),  # turned 90° clockwise to show: the left half goes on top
        (
            8,
            (200, 300),
            (0, 0, 255),
            (255, 0, 0),
        ),  # turned 90° counter-clockwise: the left half at the bottom
        (3, (300, 200), (0, 0, 255), (255, 0, 0)),  # upside down: the left half goes right
    ],
)
def test_a_photo_is_stored_upright_as_its_exif_orientation_says(
    client: TestClient,
    ana: Seller,
    settings: Settings,
    orientation: int,
    size: tuple[int, int],
    top: tuple[int, int, int],
    bottom: tuple[int, int, int],
) -> None:
    response = post_photo(client, ana, with_orientation((300, 200), orientation))

    assert response.status_code == 201, response.text
    full, thumb = kept(settings, response)
    assert full.size == size
    assert thumb.size == size  # small already: the thumbnail is not enlarged
    width, height = size
    assert full.getpixel((10, 10)) == pytest.approx(top, abs=30)
    assert full.getpixel((width - 10, height - 10)) == pytest.approx(bottom, abs=30)
    assert full.getexif().get(0x0112) is None  # no metadata kept: nobody turns it a second time


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (picture((64, 48), "JPEG", mode="CMYK", color=(0, 255, 255, 0)), (255, 0, 0)),  # a printer's red
        (picture((64, 48), "PNG", mode="P", color=3), None),  # a palette picture
        (picture((64, 48), "PNG", mode="RGBA", color=(0, 0, 0, 0)), (255, 255, 255)),  # a transparent logo
        (picture((64, 48), "PNG", mode="LA", color=(0, 0)), (255, 255, 255)),
        (picture((64, 48), "WEBP", mode="RGBA", color=(0, 128, 0, 0), lossless=True), (255, 255, 255)),
        (picture((64, 48), "PNG", mode="I;16", color=40000), (156, 156, 156)),  # 16-bit grey: its high byte
        (picture((64, 48), "PNG", mode="1", color=1), (255, 255, 255)),
    ],
    ids=[
        "cmyk-jpeg",
        "palette-png",
        "transparent-png",
        "grey-alpha-png",
        "transparent-webp",
        "16-bit",
        "1-bit",
    ],
)
def test_every_colour_mode_is_stored_as_rgb_over_white(
    client: TestClient, ana: Seller, settings: Settings, content: bytes, expected: tuple[int, int, int] | None
) -> None:
    response = post_photo(client, ana, content)

    assert response.status_code == 201, response.text
    full, _thumb = kept(settings, response)
    assert (full.mode, full.size) == ("RGB", (64, 48))
    if expected is not None:
        assert full.getpixel((32, 24)) == pytest.approx(expected, abs=12)


def test_pillow_itself_refuses_to_open_a_bomb_anywhere_else(tmp_path: Path) -> None:
    """The second line of defence, for any Image.open the product check does not guard."""
    import market.media  # noqa: F401  (sets the limit)

    with pytest.raises(Image.DecompressionBombError):
        Image.open(BytesIO(png_declaring(6000, 6000)))


# --- uploads per person per hour --------------------------------------------------------------------


def test_the_upload_over_the_hourly_limit_is_a_429_saying_when_and_writes_nothing(
    client: TestClient, ana: Seller, beto: Seller, engine: Engine, settings: Settings
) -> None:
    settings.uploads_per_hour = 2
    first = post_photo(client, ana, picture((40, 30)))
    assert first.status_code == 201
    assert post_photo(client, ana, picture((40, 30))).status_code == 201
    files, before = stored_files(settings.media_dir), database_state(engine)

    refused = post_photo(client, ana, picture((40, 30)))

    assert refused.status_code == 429, refused.text
    body = refused.json()
    assert (body["error"], body["limit"]) == ("too_many_uploads", 2)
    with Session(engine) as session:
        oldest = min(u.created_at for u in session.exec(select(ImageUpload)).all())
    available = (oldest + WINDOW).astimezone(MEXICO_CITY).strftime("%H:%M")
    assert body["detail"] == (
        f"Ya subiste el máximo de imágenes por hora (2). Podrás subir otra a las {available} "
        "(hora del centro de México)."
    )
    assert 3500 <= int(refused.headers["Retry-After"]) <= 3601 and body["retry_after"] > 3500
    assert database_state(engine) == before and stored_files(settings.media_dir) == files
    # a logo counts too; another person is not held back by Ana's uploads
    logo = client.put(
        f"/api/v1/organizations/{ana.slug}/logo",
        files={"file": ("logo.png", picture((40, 30), "PNG"), "image/png")},
        headers=ana.headers,
    )
    assert logo.status_code == 429
    assert post_photo(client, beto, picture((40, 30))).status_code == 201


def test_uploads_older_than_an_hour_no_longer_count_and_the_worker_deletes_them(
    client: TestClient, ana: Seller, settings: Settings, session: Session
) -> None:
    settings.uploads_per_hour = 1
    assert post_photo(client, ana, picture((40, 30))).status_code == 201
    [upload] = session.exec(select(ImageUpload)).all()
    upload.created_at = utcnow() - WINDOW - timedelta(seconds=1)
    session.add(upload)
    session.commit()

    assert post_photo(client, ana, picture((40, 30))).status_code == 201
    assert prune_uploads(session) == 1
    session.commit()
    assert len(session.exec(select(ImageUpload)).all()) == 1


def test_the_page_answers_429_on_the_listing_page_in_the_persons_language(
    client: TestClient, ana: Seller, beto: Seller, engine: Engine, settings: Settings
) -> None:
    settings.uploads_per_hour = 1
    log_in(client, ana.email)
    client.get("/idioma/en?next=/")
    page = f"/panel/productos/{ana.listing.id}"

    def upload() -> Any:
        return client.post(
            f"{page}/fotos",
            data={"csrf_token": csrf_of(client, page)},
            files={"photo": ("foto.jpg", picture((40, 30)), "image/jpeg")},
        )

    assert upload().status_code == 303
    files, before = stored_files(settings.media_dir), database_state(engine)

    refused = upload()

    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 3500
    why = flash(refused, "error")
    assert why.startswith("You have uploaded the most images allowed per hour (1).")
    assert re.search(r"You can upload another at \d\d:\d\d \(Mexico City time\)", why)
    assert one(refused, "#fotos")  # the listing's own page, to carry on from
    assert database_state(engine) == before and stored_files(settings.media_dir) == files
    # Beto, on his own session, is not held back
    client.cookies.clear()
    log_in(client, beto.email)
    beto_page = f"/panel/productos/{beto.listing.id}"
    response = client.post(
        f"{beto_page}/fotos",
        data={"csrf_token": csrf_of(client, beto_page)},
        files={"photo": ("foto.jpg", picture((40, 30)), "image/jpeg")},
    )
    assert response.status_code == 303


def test_the_logo_page_answers_429_on_the_organization_page(
    client: TestClient, ana: Seller, engine: Engine, settings: Settings
) -> None:
    settings.uploads_per_hour = 1
    assert post_photo(client, ana, picture((40, 30))).status_code == 201
    log_in(client, ana.email)
    page = f"/panel/o/{ana.slug}"
    before = database_state(engine)

    refused = client.post(
        f"{page}/logo",
        data={"csrf_token": csrf_of(client, page)},
        files={"logo": ("logo.png", picture((40, 30), "PNG"), "image/png")},
    )

    assert refused.status_code == 429
    assert flash(refused, "error").startswith("Ya subiste el máximo de imágenes por hora (1).")
    assert database_state(engine) == before


def test_two_uploads_at_once_by_one_person_at_the_limit_let_only_one_through(
    client: TestClient, ana: Seller, engine: Engine, settings: Settings
) -> None:
    settings.uploads_per_hour = 1

    outcomes = at_once(lambda: str(post_photo(client, ana, picture((400, 300))).status_code))

    assert outcomes == ["201", "429"]
    with Session(engine) as session:
        assert len(session.exec(select(ImageUpload)).all()) == 1
        assert len(session.exec(select(ListingPhoto)).all()) == 1


def test_a_truncated_picture_is_refused_even_once_the_invoices_pdf_library_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """weasyprint (the invoices' PDF) turns on Pillow's global LOAD_TRUNCATED_IMAGES when it is imported
    (weasyprint/images.py); an upload must still refuse a truncated picture instead of keeping it padded
    with grey."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # as after `import weasyprint`
    with pytest.raises(InvalidUpload):
        media.store_image(picture((800, 600), "PNG")[:-400], tmp_path, "listings", 5 * 1024 * 1024)
