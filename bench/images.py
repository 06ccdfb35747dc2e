"""Images benchmark: what an uploaded picture costs the app to check and store, now and on another ref.

    .venv/bin/python bench/images.py [--before main] [--runs 3]

It makes the pictures in a temporary folder: a 6000 × 6000 PNG of one grey (~50 KB: the declared size
is all that is big), a normal 3000 × 2000 camera JPEG with texture (~500 KB), and a 6000 × 4000 progressive
JPEG of one colour (~280 KB; a progressive JPEG makes the decoder keep every coefficient of the picture),
and the worst cases the app accepts: the same two at 4000 × 4000 (16 megapixels, its limit).
Each one goes through `market.media.store_image` (the whole path of an upload: check, decode, reduce,
re-encode a photo and a thumbnail) in a fresh Python process, once with the code of this checkout and
once with `market/` as it is at `--before` (extracted with `git archive`), so that each figure is that
picture's alone. No database, no server. Prints progress to stderr and, as the last stdout line, one JSON
object of figures.

Per picture (`<name>`) and code (`before` / `after`), the median of `--runs` processes:

| figure | what |
|---|---|
| `<name>_<code>_cpu_ms` | CPU time (user + system) of the `store_image` call |
| `<name>_<code>_peak_rss_mb` | peak RSS during the call minus the RSS before it (see below) |
| `<name>_<code>_py_peak_mb` | `tracemalloc`'s peak: what Python itself allocated |
| `<name>_<code>_outcome` | `stored WxH` (the full-size photo kept) or `refused <status>: <message>` |

The peak is Linux's `VmHWM`, reset through `/proc/self/clear_refs` just before the call: Pillow's pixel
buffers and libjpeg's are C allocations, which `tracemalloc` does not see.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where search.py would shadow the app's `search`
# package: the checkout's root takes its place, so that `bench.common`, `market` and `search` are the code
# of this checkout, whatever the venv's editable install points to.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tarfile  # noqa: E402
from typing import Any  # noqa: E402

from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from bench.common import log, run_and_report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

# Runs in a fresh interpreter whose `market` is the code under test; prints one JSON object.
CHILD = r"""
import gc, json, resource, sys, tempfile, time, tracemalloc
from pathlib import Path
from PIL import Image
Image.init()  # every plugin imported before the baseline
from market import media
from market.errors import MarketError

def status_kb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)

data = Path(sys.argv[1]).read_bytes()
with tempfile.TemporaryDirectory() as tmp:
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # the peak RSS (VmHWM) starts again from the RSS now
    rss_before = status_kb("VmRSS")
    before = resource.getrusage(resource.RUSAGE_SELF)
    tracemalloc.start()
    try:
        paths = media.store_image(data, Path(tmp), "bench", 64 * 1024 * 1024)
    except MarketError as exc:
        paths, refusal = None, f"refused {exc.status_code}: {exc}"
    _current, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = resource.getrusage(resource.RUSAGE_SELF)
    peak_added = status_kb("VmHWM") - rss_before
    if paths:
        with Image.open(Path(tmp) / paths[0]) as kept:
            outcome = "stored {}x{}".format(*kept.size)
    else:
        outcome = refusal
cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
print(json.dumps({
    "cpu_ms": round(cpu * 1000, 1),
    "peak_rss_mb": round(peak_added / 1024, 1),
    "py_peak_mb": round(py_peak / 2**20, 1),
    "outcome": outcome,
}))
"""


def flat_png(path: Path) -> None:
    """6000 × 6000 of one grey: 36 megapixels that deflate to ~35 KB."""
    Image.new("L", (6000, 6000), 200).save(path, "PNG", optimize=True)


def camera_jpeg(path: Path) -> None:
    """3000 × 2000 with gradients, shapes and fine grain, saved as a phone does (quality 90, 4:2:0)."""
    size = (3000, 2000)
    red = Image.linear_gradient("L").resize(size)
    green = Image.radial_gradient("L").resize(size)
    blue = Image.effect_mandelbrot(size, (-2.0, -1.2, 1.0, 1.2), 60)
    picture = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(picture)
    for i in range(60):
        x, y = (i * 397) % 2900, (i * 211) % 1900
        draw.ellipse((x, y, x + 40 + i * 3, y + 30 + i * 2), fill=(i * 4 % 256, 120, 255 - i * 4 % 256))
    grain = Image.effect_noise(size, 12).filter(ImageFilter.GaussianBlur(0.6))
    picture = Image.blend(picture, Image.merge("RGB", (grain, grain, grain)), 0.12)
    picture.save(path, "JPEG", quality=90)


def progressive_flat_jpeg(path: Path) -> None:
    """6000 × 4000 of one colour, progressive, no chroma subsampling: ~280 KB."""
    Image.new("RGB", (6000, 4000), (30, 90, 40)).save(path, "JPEG", progressive=True, subsampling=0)


def flat_png_at_limit(path: Path) -> None:
    """4000 × 4000 RGB of one colour: the biggest PNG the app accepts, its worst case."""
    Image.new("RGB", (4000, 4000), (200, 120, 40)).save(path, "PNG", optimize=True)


def progressive_flat_jpeg_at_limit(path: Path) -> None:
    """4000 × 4000 progressive, no chroma subsampling: the biggest JPEG the app accepts, its worst case."""
    Image.new("RGB", (4000, 4000), (30, 90, 40)).save(path, "JPEG", progressive=True, subsampling=0)


PICTURES = {
    "png_6000x6000_flat": ("flat.png", flat_png),
    "jpeg_3000x2000_camera": ("camera.jpg", camera_jpeg),
    "jpeg_6000x4000_progressive_flat": ("progressive.jpg", progressive_flat_jpeg),
    "png_4000x4000_flat": ("flat-4000.png", flat_png_at_limit),
    "jpeg_4000x4000_progressive_flat": ("progressive-4000.jpg", progressive_flat_jpeg_at_limit),
}


def code_at(ref: str, into: Path) -> Path:
    """`market/` as it is at `ref`, extracted under `into` (nothing in the repository changes)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref, "market"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def measure(code: Path, picture: Path) -> dict[str, Any]:
    env = os.environ | {"PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(picture)],
        cwd=code,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run(workdir: Path, before: str, runs: int) -> dict[str, Any]:
    codes = {"before": code_at(before, workdir / "before"), "after": ROOT}
    results: dict[str, Any] = {"before_ref": before, "runs": runs}
    for name, (filename, make) in PICTURES.items():
        path = workdir / filename
        make(path)
        results[f"{name}_bytes"] = path.stat().st_size
        for label, code in codes.items():
            samples = [measure(code, path) for _ in range(runs)]
            for figure in ("cpu_ms", "peak_rss_mb", "py_peak_mb"):
                results[f"{name}_{label}_{figure}"] = statistics.median(s[figure] for s in samples)
            results[f"{name}_{label}_outcome"] = samples[-1]["outcome"]
            log(f"{name} {label}: {samples[-1]}")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", default="main", help="git ref whose market/ is measured as 'before'")
    parser.add_argument("--runs", type=int, default=3, help="processes per picture and code (median)")
    args = parser.parse_args()
    return run_and_report(lambda workdir: run(workdir, args.before, args.runs), "bench_images_")


if __name__ == "__main__":
    sys.exit(main())
