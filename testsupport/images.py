"""Test pictures made on the fly with Pillow (nothing binary is committed), one module for every caller.

Each maker is deterministic (seeded), so a test can rebuild the same picture and the expected answer.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

RED = (230, 20, 30)


def textured(width: int, height: int, seed: int, mean: float = 120, spread: float = 10) -> np.ndarray:
    """Textured grey (float pixels, height x width x 3): no place stands out."""
    rng = np.random.default_rng(seed)
    return rng.normal(mean, spread, (height, width, 3)).clip(0, 255)


def paint_disc(pixels: np.ndarray, centre: tuple[float, float], radius: float, colour: tuple[int, int, int]) -> None:
    """Fill the disc of ``radius`` pixels around ``centre`` (x, y in pixels) with ``colour``, in place."""
    height, width = pixels.shape[:2]
    yy, xx = np.mgrid[0:height, 0:width]
    pixels[(xx - centre[0]) ** 2 + (yy - centre[1]) ** 2 <= radius ** 2] = colour


def to_image(pixels: np.ndarray) -> Image.Image:
    return Image.fromarray(pixels.astype(np.uint8))


def scene(width: int = 400, height: int = 300, spot: tuple[float, float] = (0.8, 0.5), radius: float = 0.1) -> Image.Image:
    """A textured grey background with one bright red disc at ``spot`` (normalised): an obvious target."""
    pixels = textured(width, height, seed=0, spread=8)
    paint_disc(pixels, (spot[0] * width, spot[1] * height), radius * min(width, height), RED)
    return to_image(pixels)


def upload_scene(width: int = 480, height: int = 320, spot: tuple[float, float] = (0.8, 0.5)) -> Image.Image:
    """The Django tests' upload: ``scene`` a little larger, with a larger disc."""
    return scene(width, height, spot, radius=0.12)


def target_scene(width: int, height: int, seed: int, spot: tuple[float, float] = (0.72, 0.3)) -> Image.Image:
    """A shaded background with one ringed high-contrast target off centre (the Thumbor tests' picture)."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width]
    base = 90 + 40 * xs / width + 30 * ys / height
    pixels = np.stack([base, base * 0.9, base * 0.8], axis=-1) + rng.normal(0, 6, (height, width, 3))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    cx, cy, r = spot[0] * width, spot[1] * height, 0.09 * min(width, height)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(230, 30, 30), outline=(255, 255, 255), width=4)
    draw.ellipse([cx - r / 3, cy - r / 3, cx + r / 3, cy + r / 3], fill=(20, 20, 20))
    draw.rectangle([0.1 * width, 0.75 * height, 0.16 * width, 0.83 * height], fill=(250, 220, 40))
    return image


def encode(image: Image.Image, image_format: str = "JPEG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def jpeg(image: Image.Image | None = None, **options: object) -> bytes:
    """A quality-90 JPEG of ``image`` (default: ``upload_scene()``)."""
    return encode(image if image is not None else upload_scene(), "JPEG", quality=90, **options)


def png(image: Image.Image) -> bytes:
    return encode(image, "PNG")


def photo_jpeg(width: int = 640, height: int = 400) -> bytes:
    """The example site's upload: textured background with a bright red disc off-centre."""
    pixels = textured(width, height, seed=1, mean=110)
    paint_disc(pixels, (0.75 * width, 0.4 * height), 0.12 * height, (235, 25, 30))
    return jpeg(to_image(pixels))


# Orientation tag -> the transpose that turns the upright picture into the stored pixels
# (the inverse of what a viewer applies).
STORE_FOR_ORIENTATION = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def with_orientation(upright: Image.Image, orientation: int, quality: int = 95) -> bytes:
    """A JPEG whose stored pixels, once EXIF orientation is applied, show ``upright``."""
    method = STORE_FOR_ORIENTATION[orientation]
    stored = upright.transpose(method) if method is not None else upright
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(stored, "JPEG", exif=exif.tobytes(), quality=quality)


def rotated_jpeg(upright: Image.Image) -> bytes:
    """A quality-90 JPEG stored rotated whose EXIF orientation (6) makes it ``upright`` again."""
    return with_orientation(upright, 6, quality=90)


def giant_png() -> bytes:
    """A 1-bit PNG declaring ~96 MP: over the default pixel limit, yet tiny on disk."""
    return png(Image.new("1", (12000, 8000)))


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


# The audit's synthetic groups: which of them a crop favours is known by construction.

AUDIT_SIZES = [(300, 400), (400, 300), (320, 320), (240, 360)]


def random_centre(width: int, height: int, rng: np.random.Generator, margin: float) -> tuple[float, float]:
    return rng.uniform(margin, 1 - margin) * width, rng.uniform(margin, 1 - margin) * height


def with_disc(width: int, height: int, seed: int, radius: float = 0.12) -> Image.Image:
    """Textured grey with a saturated red disc at a random place: any saliency model picks it."""
    pixels = textured(width, height, seed)
    centre = random_centre(width, height, np.random.default_rng(seed + 10_000), margin=0.3)
    paint_disc(pixels, centre, radius * min(width, height), RED)
    return to_image(pixels)


def plain(width: int, height: int, seed: int) -> Image.Image:
    return to_image(textured(width, height, seed))


def red_dot(width: int, height: int, seed: int) -> Image.Image:
    """One small saturated red dot: the sharpest peak, little saliency mass."""
    pixels = textured(width, height, seed)
    centre = random_centre(width, height, np.random.default_rng(seed + 5), margin=0.3)
    paint_disc(pixels, centre, 0.05 * min(width, height), (235, 15, 25))
    return to_image(pixels)


def busy(width: int, height: int, seed: int) -> Image.Image:
    """Six muted orange discs spread over the picture: lower peaks, more saliency mass in total."""
    pixels = textured(width, height, seed)
    rng = np.random.default_rng(seed + 7)
    for _ in range(6):
        paint_disc(pixels, random_centre(width, height, rng, margin=0.15), 0.08 * min(width, height), (200, 120, 60))
    return to_image(pixels)


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
    sizes = AUDIT_SIZES
    return make_folder(folder, {
        "red": [with_disc(*sizes[i % len(sizes)], seed=i) for i in range(count)],
        "grey": [plain(*sizes[(i + 1) % len(sizes)], seed=100 + i) for i in range(count)],
    })


def balanced_folder(folder: Path, count: int = 8) -> Path:
    """Both groups alike: group 'second' holds copies of group 'first' (half with a disc, half without)."""
    sizes = AUDIT_SIZES
    images = [with_disc(*sizes[i % len(sizes)], seed=i) if i % 2 else plain(*sizes[i % len(sizes)], seed=i)
              for i in range(count)]
    return make_folder(folder, {"first": images, "second": images})


def argmax_bias_folder(folder: Path, count: int = 8) -> Path:
    """Twitter's "argmax bias" made visible: the top point favours 'red_dot', the saliency mass 'busy'."""
    return make_folder(folder, {"spot": [red_dot(320, 320, i) for i in range(count)],
                                "busy": [busy(320, 320, 100 + i) for i in range(count)]})
