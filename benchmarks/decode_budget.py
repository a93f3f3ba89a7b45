"""Our Pillow decode budget against libvips on ordinary photos: decode speed and crop equality.

    .venv/bin/python benchmarks/decode_budget.py [--photos 30] [--repeats 5]     # pip install -e ".[bench]"

For each photo (BSDS500 from ../shared/data, also upscaled to 12 MP and saved as JPEG, PNG and WebP),
two ways to get the model's input: ``smartcrop_core.loading.Source(path).load(min_size=...)`` (Pillow:
JPEG draft, box reduce for the rest) and ``pyvips.Image.thumbnail(path, 256, height=256)`` (libvips
shrink-on-load), each one thread, interleaved in the same process. Reported: median decode time per
kind and the crops each decode leads to: the same analysis is run on both decodes, its boxes are mapped
to the full image, and compared (intersection over union; share of boxes equal to within 1%).
The costs on the hostile files are measured by ``reliability.check_cost --decoder vips``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("VIPS_CONCURRENCY", "1")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import smartcrop_core  # noqa: E402
from smartcrop_core import Analysis  # noqa: E402
from smartcrop_core.loading import Source  # noqa: E402

RATIOS = ["16:9", "1:1", "4:5", "9:16"]
SHARED = Path(os.environ.get("SMARTCROP_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def inputs(folder: Path, count: int) -> dict[str, list[Path]]:
    photos = sorted((SHARED / "photos" / "bsds500").glob("*.jpg"))[:count]
    if not photos:
        sys.exit(f"no photos under {SHARED}/photos/bsds500 (set SMARTCROP_SHARED_DATA)")
    kinds: dict[str, list[Path]] = {"JPEG 0.15 MP": photos, "JPEG 12 MP": [], "PNG 12 MP": [], "WebP 12 MP": []}
    for photo in photos[: max(1, count // 3)]:
        with Image.open(photo) as image:
            large = image.convert("RGB").resize((4000, 3000) if image.width > image.height else (3000, 4000),
                                                Image.BICUBIC)
        for kind, suffix in (("JPEG 12 MP", "jpg"), ("PNG 12 MP", "png"), ("WebP 12 MP", "webp")):
            path = folder / f"{photo.stem}.{suffix}"
            large.save(path, quality=90) if suffix != "png" else large.save(path, compress_level=1)
            kinds[kind].append(path)
    return kinds


def ours(path: Path, size: tuple[int, int]) -> Image.Image:
    return Source(path).load(min_size=size)


def vips(path: Path, size: tuple[int, int]) -> Image.Image:
    import pyvips

    thumb = pyvips.Image.thumbnail(str(path), 256, height=256, size="down", fail_on="error")
    if thumb.bands == 4:
        thumb = thumb.flatten(background=[255, 255, 255])
    return Image.fromarray(np.asarray(thumb.numpy(), dtype=np.uint8))


def boxes(image: Image.Image, width: int, height: int) -> dict[str, tuple[int, int, int, int]]:
    """The analysis of ``image`` with its boxes placed in the full image's pixels."""
    small = smartcrop_core.analyze(image, RATIOS)
    full = Analysis(width, height, small.grid, small.points, small.symmetry, small.model, options=small.options)
    return {label: tuple(box.as_list()) for label, box in full.with_boxes(RATIOS, small.options).boxes.items()}


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    width = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    height = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = width * height
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    model = smartcrop_core.get_model()
    print("| input | files | ours (Pillow budget) | libvips thumbnail | crop IoU, mean | boxes equal (IoU >= 0.99) |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for kind, paths in inputs(Path(folder), args.photos).items():
            times: dict[str, list[float]] = {"ours": [], "vips": []}
            overlaps = []
            for path in paths:
                info = Source(path).info()
                size = model.input_size(info.width, info.height)
                decoded = {}
                for _ in range(args.repeats):
                    for name, decode in (("ours", ours), ("vips", vips)):
                        start = time.perf_counter()
                        decoded[name] = decode(path, size)
                        times[name].append(time.perf_counter() - start)
                mine = boxes(decoded["ours"], info.width, info.height)
                theirs = boxes(decoded["vips"], info.width, info.height)
                overlaps += [iou(mine[label], theirs[label]) for label in mine]
            print(f"| {kind} | {len(paths)} | {statistics.median(times['ours']) * 1e3:.1f} ms | "
                  f"{statistics.median(times['vips']) * 1e3:.1f} ms | {statistics.mean(overlaps):.3f} | "
                  f"{sum(o >= 0.99 for o in overlaps) / len(overlaps):.0%} |")


if __name__ == "__main__":
    main()
