"""The demo catalogue's pictures, drawn by this code when the demo is loaded (no image file ships): each
listing gets its category's colour, a pictogram of the category made of Pillow's shapes, and its title.

A pictogram is drawn in a 100 × 100 box (`Pen` scales it), so each is a few lines of shapes."""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Callable
from functools import cache

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 800, 600  # the 4:3 of a card's picture
BAND = 150  # the title's band at the bottom
CREAM = (255, 248, 235)
# System fonts with Spanish's accents, by file name (Pillow looks in the system's font folders); without one,
# Pillow's own font, which has none: the title is then written without them rather than with boxes.
FONTS = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf", "arialbd.ttf")

Box = tuple[float, float, float, float]


class Pen:
    """Draws in a 100 × 100 box placed at (left, top) with side `size` pixels."""

    def __init__(self, draw: ImageDraw.ImageDraw, left: float, top: float, size: float, ink: tuple[int, ...]):
        self.draw, self.left, self.top, self.scale, self.ink = draw, left, top, size / 100, ink

    def _xy(self, x: float, y: float) -> tuple[float, float]:
        return self.left + x * self.scale, self.top + y * self.scale

    def _box(self, box: Box) -> list[tuple[float, float]]:
        return [self._xy(box[0], box[1]), self._xy(box[2], box[3])]

    def ellipse(self, box: Box, fill: bool = True, width: float = 4) -> None:
        self.draw.ellipse(
            self._box(box), fill=self.ink if fill else None, outline=self.ink, width=self.w(width)
        )

    def rect(self, box: Box, radius: float = 0, fill: bool = True, width: float = 4) -> None:
        self.draw.rounded_rectangle(
            self._box(box), radius=radius * self.scale, fill=self.ink if fill else None, outline=self.ink,
            width=self.w(width),
        )  # fmt: skip

    def polygon(self, *points: tuple[float, float]) -> None:
        self.draw.polygon([self._xy(*p) for p in points], fill=self.ink)

    def line(self, *points: tuple[float, float], width: float = 4) -> None:
        self.draw.line([self._xy(*p) for p in points], fill=self.ink, width=self.w(width), joint="curve")

    def arc(self, box: Box, start: float, end: float, width: float = 4) -> None:
        self.draw.arc(self._box(box), start, end, fill=self.ink, width=self.w(width))

    def hollow(self, box: Box, colour: tuple[int, ...]) -> None:
        """A hole of the background's colour (an eye, a label)."""
        self.draw.ellipse(self._box(box), fill=colour)

    def w(self, width: float) -> int:
        return max(1, round(width * self.scale))


def _cup(pen: Pen) -> None:  # café
    pen.arc((20, 2, 34, 22), 100, 260, 3)
    pen.arc((38, 2, 52, 22), 100, 260, 3)
    pen.rect((14, 30, 70, 78), radius=14)
    pen.ellipse((60, 40, 88, 66), fill=False, width=7)
    pen.ellipse((4, 80, 86, 94))


def _honeycomb(pen: Pen) -> None:  # miel
    def hexagon(cx: float, cy: float, r: float) -> None:
        pen.polygon(*[(cx + r * dx, cy + r * dy) for dx, dy in HEXAGON])

    for cx, cy in ((30, 32), (70, 32), (50, 66), (10, 66), (90, 66)):
        hexagon(cx, cy, 19)


HEXAGON = ((0.0, -1.0), (0.87, -0.5), (0.87, 0.5), (0.0, 1.0), (-0.87, 0.5), (-0.87, -0.5))


def _pod(pen: Pen) -> None:  # cacao y chocolate
    pen.ellipse((22, 4, 78, 96))
    for x in (36, 50, 64):
        pen.line((x, 12), (x, 88), width=2)
    pen.rect((46, 0, 54, 8))


def _flower(pen: Pen) -> None:  # vainilla
    for dx, dy in ((0, -22), (21, -7), (13, 18), (-13, 18), (-21, -7)):
        pen.ellipse((50 + dx - 14, 40 + dy - 14, 50 + dx + 14, 40 + dy + 14))
    pen.line((50, 60), (50, 98), width=5)
    pen.line((50, 80), (70, 66), width=4)


def _bottle(pen: Pen) -> None:  # mezcal y destilados
    pen.rect((30, 36, 70, 98), radius=10)
    pen.rect((42, 10, 58, 40))
    pen.rect((40, 2, 60, 12), radius=3)


def _corn(pen: Pen) -> None:  # maíz, frijol y granos
    pen.ellipse((32, 4, 68, 88))
    pen.polygon((50, 96), (22, 40), (40, 70))
    pen.polygon((50, 96), (78, 40), (60, 70))


def _fruit(pen: Pen) -> None:  # frutas y verduras
    pen.ellipse((14, 24, 86, 96))
    pen.line((50, 28), (54, 6), width=5)
    pen.polygon((54, 14), (80, 2), (72, 22))


def _jar(pen: Pen) -> None:  # alimentos procesados
    pen.rect((18, 26, 82, 98), radius=12)
    pen.rect((24, 8, 76, 24), radius=4)


def _fish(pen: Pen) -> None:  # pesca y acuacultura
    pen.ellipse((6, 26, 76, 74))
    pen.polygon((68, 50), (96, 26), (96, 74))


def _weave(pen: Pen) -> None:  # textiles
    for y in (14, 38, 62, 86):
        pen.line(*[(x, y + (8 if i % 2 else -8)) for i, x in enumerate(range(0, 101, 10))], width=6)


def _vase(pen: Pen) -> None:  # artesanías
    pen.polygon((36, 4), (64, 4), (60, 20), (84, 46), (70, 96), (30, 96), (16, 46), (40, 20))


def _tree(pen: Pen) -> None:  # productos forestales
    pen.polygon((50, 0), (80, 36), (20, 36))
    pen.polygon((50, 20), (88, 66), (12, 66))
    pen.rect((42, 64, 58, 98))


def _soap(pen: Pen) -> None:  # cosmética natural
    pen.rect((10, 48, 78, 92), radius=14)
    for box in ((56, 8, 76, 28), (78, 22, 92, 36), (40, 26, 52, 38)):
        pen.ellipse(box, fill=False, width=4)


def _mountains(pen: Pen) -> None:  # ecoturismo
    pen.ellipse((66, 4, 92, 30))
    pen.polygon((0, 96), (36, 30), (72, 96))
    pen.polygon((40, 96), (68, 50), (100, 96))


def _hands(pen: Pen) -> None:  # servicios: two people side by side
    for cx in (30, 70):
        pen.ellipse((cx - 14, 12, cx + 14, 40))
        pen.draw.pieslice(pen._box((cx - 26, 48, cx + 26, 128)), 180, 360, fill=pen.ink)


Pictogram = Callable[[Pen], None]
# Each category's colour (dark enough for the cream ink and the title to read on it) and pictogram.
STYLES: dict[str, tuple[tuple[int, int, int], Pictogram]] = {
    "cafe": ((111, 78, 55), _cup),
    "miel": ((191, 132, 24), _honeycomb),
    "cacao-chocolate": ((123, 63, 42), _pod),
    "vainilla": ((94, 110, 62), _flower),
    "mezcal-destilados": ((70, 110, 105), _bottle),
    "maiz-granos": ((176, 128, 30), _corn),
    "frutas-verduras": ((74, 124, 63), _fruit),
    "alimentos-procesados": ((164, 72, 58), _jar),
    "pesca-acuacultura": ((41, 98, 138), _fish),
    "textiles": ((150, 52, 95), _weave),
    "artesanias": ((170, 88, 50), _vase),
    "forestales": ((46, 94, 62), _tree),
    "cosmetica-natural": ((112, 90, 140), _soap),
    "ecoturismo": ((52, 118, 120), _mountains),
    "servicios": ((84, 88, 120), _hands),
}
FALLBACK = ((90, 90, 90), _jar)


@cache
def _font(size: int) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, bool]:
    """A bold font of `size` px, and whether it writes accents."""
    for name in FONTS:
        try:
            return ImageFont.truetype(name, size), True
        except OSError:
            continue
    return ImageFont.load_default(size), False


def _plain(text: str) -> str:
    """`text` without accents (for a font that has none): «Café» -> «Cafe»."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def draw(title: str, category: str) -> Image.Image:
    """The listing's picture, RGB, WIDTH × HEIGHT."""
    colour, pictogram = STYLES.get(category, FALLBACK)
    image = Image.new("RGB", (WIDTH, HEIGHT), colour)
    canvas = ImageDraw.Draw(image)
    lighter = tuple(min(255, c + 28) for c in colour)
    # two soft discs behind the pictogram, placed by the title so that neighbouring cards differ
    shift = sum(map(ord, title)) % 160
    canvas.ellipse((-120 + shift, -160, 340 + shift, 300), fill=lighter)
    canvas.ellipse((560 - shift // 2, 160, 900 - shift // 2, 500), fill=lighter)
    side = HEIGHT - BAND - 80
    pictogram(Pen(canvas, (WIDTH - side) / 2, 40, side, CREAM))
    canvas.rectangle((0, HEIGHT - BAND, WIDTH, HEIGHT), fill=tuple(c * 3 // 4 for c in colour))
    font, accents = _font(44)
    lines = textwrap.wrap(title if accents else _plain(title), width=30)[:2]
    if len(textwrap.wrap(title, width=30)) > 2:
        lines[-1] = lines[-1][:27].rstrip() + "…" if accents else lines[-1][:27].rstrip() + "..."
    top = HEIGHT - BAND + (BAND - 56 * len(lines)) / 2
    for n, line in enumerate(lines):
        canvas.text((WIDTH / 2, top + 56 * n), line, font=font, fill=CREAM, anchor="ma")
    return image
