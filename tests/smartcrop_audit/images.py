"""Synthetic audit images made with Pillow: group A carries an obvious salient patch, group B does not."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from PIL import Image


def textured(width: int, height: int, seed: int) -> np.ndarray:
    """Textured mid grey: no place stands out."""
    rng = np.random.default_rng(seed)
    return rng.normal(120, 10, (height, width, 3)).clip(0, 255)


def with_disc(width: int, height: int, seed: int, radius: float = 0.12) -> Image.Image:
    """Textured grey with a saturated red disc at a random place: any saliency model picks it."""
    pixels = textured(width, height, seed)
    rng = np.random.default_rng(seed + 10_000)
    cx, cy = rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height
    yy, xx = np.mgrid[0:height, 0:width]
    pixels[(xx - cx) ** 2 + (yy - cy) ** 2 <= (radius * min(width, height)) ** 2] = (230, 20, 30)
    return Image.fromarray(pixels.astype(np.uint8))


def plain(width: int, height: int, seed: int) -> Image.Image:
    return Image.fromarray(textured(width, height, seed).astype(np.uint8))


SIZES = [(300, 400), (400, 300), (320, 320), (240, 360)]


def make_folder(folder: Path, groups: dict[str, list[Image.Image]], extension: str = "png") -> Path:
    """Save each group's images and a labels.csv (file,group); return the CSV's path."""
    folder.mkdir(parents=True, exist_ok=True)
    labels = folder / "labels.csv"
    with open(labels, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["file", "group"])
        for group, images in groups.items():
            for index, image in enumerate(images):
                name = f"{group}-{index:02d}.{extension}"
                image.save(folder / name)
                writer.writerow([name, group])
    return labels


def biased_folder(folder: Path, count: int = 10) -> Path:
    """Group 'red' has the salient disc, group 'grey' does not; sizes vary within each group."""
    return make_folder(folder, {
        "red": [with_disc(*SIZES[i % len(SIZES)], seed=i) for i in range(count)],
        "grey": [plain(*SIZES[(i + 1) % len(SIZES)], seed=100 + i) for i in range(count)],
    })


def balanced_folder(folder: Path, count: int = 8) -> Path:
    """Both groups alike: group 'second' holds copies of group 'first' (half with a disc, half without)."""
    images = [with_disc(*SIZES[i % len(SIZES)], seed=i) if i % 2 else plain(*SIZES[i % len(SIZES)], seed=i)
              for i in range(count)]
    return make_folder(folder, {"first": images, "second": images})


def spot(width: int, height: int, seed: int) -> Image.Image:
    """One small saturated red dot: the sharpest peak, little saliency mass."""
    pixels = textured(width, height, seed)
    rng = np.random.default_rng(seed + 5)
    cx, cy = rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height
    yy, xx = np.mgrid[0:height, 0:width]
    pixels[(xx - cx) ** 2 + (yy - cy) ** 2 <= (0.05 * min(width, height)) ** 2] = (235, 15, 25)
    return Image.fromarray(pixels.astype(np.uint8))


def busy(width: int, height: int, seed: int) -> Image.Image:
    """Six muted orange discs spread over the picture: lower peaks, more saliency mass in total."""
    pixels = textured(width, height, seed)
    rng = np.random.default_rng(seed + 7)
    yy, xx = np.mgrid[0:height, 0:width]
    for _ in range(6):
        cx, cy = rng.uniform(0.15, 0.85) * width, rng.uniform(0.15, 0.85) * height
        pixels[(xx - cx) ** 2 + (yy - cy) ** 2 <= (0.08 * min(width, height)) ** 2] = (200, 120, 60)
    return Image.fromarray(pixels.astype(np.uint8))


def argmax_bias_folder(folder: Path, count: int = 8) -> Path:
    """Twitter's "argmax bias" made visible: the top point favours 'spot', the saliency mass 'busy'."""
    return make_folder(folder, {"spot": [spot(320, 320, i) for i in range(count)],
                                "busy": [busy(320, 320, 100 + i) for i in range(count)]})
