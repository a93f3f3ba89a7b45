"""Crop geometry: pure functions from (image size, saliency grid, ratio) to a pixel box.

The saliency grid is a density over the whole image (cells of equal size, sums to 1). A window's
"mass" is the integral of that density over the window; because the density is constant inside a
cell, the integral over any rectangle is exact bilinear interpolation of the grid's summed-area
table. That gives sub-cell, per-pixel placement for the cost of a few small matrix products.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Windows whose mass is within this share of the best count as ties; ties go to the most central one,
# so a flat (or symmetric) saliency map gives a plain centre crop instead of an arbitrary edge.
TIE_TOLERANCE = 0.002
# At most this many offsets per axis are scored at once; the best one is then refined pixel by pixel.
MAX_CANDIDATES = 257


@dataclass(frozen=True)
class Box:
    """A crop rectangle in pixels of the upright image."""

    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height

    def as_pil(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom), what ``Image.crop`` takes."""
        return (self.left, self.top, self.right, self.bottom)

    def as_list(self) -> list[int]:
        return [self.left, self.top, self.width, self.height]

    def scaled(self, factor_x: float, factor_y: float) -> "Box":
        """The same region in an image resized by these factors (for reduced-size decodes)."""
        left, top = round(self.left * factor_x), round(self.top * factor_y)
        return Box(left, top, max(1, round(self.right * factor_x) - left), max(1, round(self.bottom * factor_y) - top))


def largest_size(image_width: int, image_height: int, ratio: float) -> tuple[int, int]:
    """The largest (width, height) of this ratio inside the image; width/height within a pixel of ratio."""
    if image_width / image_height >= ratio:
        height = image_height
        width = min(image_width, max(1, round(height * ratio)))
    else:
        width = image_width
        height = min(image_height, max(1, round(width / ratio)))
    return width, height


def scaled_size(image_width: int, image_height: int, ratio: float, scale: float) -> tuple[int, int]:
    """The largest box of the ratio shrunk by ``scale`` (0..1], rounding so the ratio stays exact."""
    width, height = largest_size(image_width, image_height, ratio)
    if scale >= 1.0:
        return width, height
    if ratio >= 1.0:
        width = max(1, round(width * scale))
        height = min(image_height, max(1, round(width / ratio)))
    else:
        height = max(1, round(height * scale))
        width = min(image_width, max(1, round(height * ratio)))
    return width, height


def centre_box(image_width: int, image_height: int, width: int, height: int) -> Box:
    """A window of this size in the middle of the image."""
    return Box((image_width - width) // 2, (image_height - height) // 2, width, height)


def largest_centred_box(image_width: int, image_height: int, ratio: float) -> Box:
    """The largest box of the ratio in the middle of the image: the crop when there is no saliency."""
    return centre_box(image_width, image_height, *largest_size(image_width, image_height, ratio))


def fit_box(box: Box, ratio: float, image_width: int, image_height: int) -> Box:
    """A hand-drawn box made valid: the ratio enforced (keeping its centre), no larger than the image, inside it.

    Editors (and stored data) may send boxes off by a pixel or outside the image; the crop must not be.
    A box of width < 1 means "as wide as the ratio allows".
    """
    max_width, max_height = largest_size(image_width, image_height, ratio)
    centre_x, centre_y = box.left + box.width / 2, box.top + box.height / 2
    width = max(1, min(max_width, box.width if box.width > 0 else max_width))
    height = max(1, round(width / ratio))
    if height > max_height:
        height = max_height
        width = max(1, min(max_width, round(height * ratio)))
    left = min(max(0, round(centre_x - width / 2)), image_width - width)
    top = min(max(0, round(centre_y - height / 2)), image_height - height)
    return Box(int(left), int(top), int(width), int(height))


def window_masses(grid: np.ndarray, image_size: tuple[int, int], box_size: tuple[int, int],
                  lefts: np.ndarray, tops: np.ndarray) -> np.ndarray:
    """Saliency mass of the window at every (top, left) combination: an array [len(tops), len(lefts)]."""
    image_width, image_height = image_size
    box_width, box_height = box_size
    grid_height, grid_width = grid.shape
    table = np.zeros((grid_height + 1, grid_width + 1), dtype=np.float64)
    table[1:, 1:] = np.cumsum(np.cumsum(grid, axis=0), axis=1)
    scale_x, scale_y = grid_width / image_width, grid_height / image_height
    across = _interpolation(lefts + box_width, scale_x, grid_width) - _interpolation(lefts, scale_x, grid_width)
    down = _interpolation(tops + box_height, scale_y, grid_height) - _interpolation(tops, scale_y, grid_height)
    return down @ table @ across.T


def _interpolation(pixels: np.ndarray, cells_per_pixel: float, cells: int) -> np.ndarray:
    """Rows of linear-interpolation weights that read the summed-area table at pixel positions."""
    position = np.clip(np.asarray(pixels, dtype=np.float64) * cells_per_pixel, 0.0, cells)
    lower = np.minimum(np.floor(position).astype(int), cells - 1)
    fraction = position - lower
    weights = np.zeros((len(position), cells + 1))
    rows = np.arange(len(position))
    weights[rows, lower] = 1.0 - fraction
    weights[rows, lower + 1] = fraction
    return weights


def place_by_mass(grid: np.ndarray, image_width: int, image_height: int, width: int, height: int) -> Box:
    """The window of this size holding the most saliency mass (ties to the centre)."""
    size = (image_width, image_height)
    box = (width, height)
    lefts, tops = _candidates(image_width - width), _candidates(image_height - height)
    masses = window_masses(grid, size, box, lefts, tops)
    top, left = _best(masses, lefts, tops, image_width - width, image_height - height)
    # Refine around the coarse optimum at single-pixel steps.
    step_x = lefts[1] - lefts[0] if len(lefts) > 1 else 1
    step_y = tops[1] - tops[0] if len(tops) > 1 else 1
    if step_x > 1 or step_y > 1:
        lefts = np.arange(max(0, left - step_x), min(image_width - width, left + step_x) + 1)
        tops = np.arange(max(0, top - step_y), min(image_height - height, top + step_y) + 1)
        masses = window_masses(grid, size, box, lefts, tops)
        top, left = _best(masses, lefts, tops, image_width - width, image_height - height)
    return Box(int(left), int(top), width, height)


def best_mass(grid: np.ndarray, image_width: int, image_height: int, width: int, height: int) -> float:
    """The largest share of saliency any window of this size can hold (coarse search is enough here)."""
    lefts, tops = _candidates(image_width - width), _candidates(image_height - height)
    return float(window_masses(grid, (image_width, image_height), (width, height), lefts, tops).max())


def _candidates(free: int) -> np.ndarray:
    """Offsets 0..free, subsampled evenly to at most MAX_CANDIDATES, always with both ends."""
    if free <= 0:
        return np.zeros(1, dtype=int)
    count = min(free + 1, MAX_CANDIDATES)
    return np.unique(np.round(np.linspace(0, free, count)).astype(int))


def _best(masses: np.ndarray, lefts: np.ndarray, tops: np.ndarray, free_x: int, free_y: int) -> tuple[int, int]:
    """(top, left) of the best window; among near-ties, the one closest to the centre."""
    best = masses.max()
    near = masses >= best - TIE_TOLERANCE * max(best, 1e-12)
    distance = np.add.outer((tops - free_y / 2.0) ** 2, (lefts - free_x / 2.0) ** 2)
    distance = np.where(near, distance, np.inf)
    row, column = np.unravel_index(int(np.argmin(distance)), distance.shape)
    return int(tops[row]), int(lefts[column])


def tight_scale(grid: np.ndarray, image_width: int, image_height: int, ratio: float, min_mass: float) -> float:
    """The smallest scale of the largest box whose best window keeps ``min_mass`` of what that box keeps."""
    target = min_mass * best_mass(grid, image_width, image_height, *largest_size(image_width, image_height, ratio))
    low, high = 0.0, 1.0
    for _ in range(12):
        middle = (low + high) / 2
        width, height = scaled_size(image_width, image_height, ratio, middle)
        if best_mass(grid, image_width, image_height, width, height) >= target:
            high = middle
        else:
            low = middle
    return high


def place_on_point(x: float, y: float, image_width: int, image_height: int, width: int, height: int) -> Box:
    """The window centred on a point (normalised 0..1 coordinates), shifted to stay inside the image."""
    left = min(max(round(x * image_width - width / 2), 0), image_width - width)
    top = min(max(round(y * image_height - height / 2), 0), image_height - height)
    return Box(int(left), int(top), width, height)
