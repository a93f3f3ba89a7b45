"""How evaluate.py brings a coarse map to the image size (training.predictors.upsample)."""
from __future__ import annotations

import numpy as np
import pytest

from training.metrics import cc, fixation_density, fixation_map, nss
from training.predictors import upsample


def peaked_density(width: int = 256, height: int = 192) -> np.ndarray:
    """Three narrow Gaussian blobs off the cell centres, as a density at full size."""
    ys, xs = np.mgrid[0:height, 0:width] + 0.5
    density = np.zeros((height, width))
    for x, y, sigma in ((61, 45, 5), (180, 130, 7), (130, 60, 4)):
        density += np.exp(-((xs - x) ** 2 + (ys - y) ** 2) / (2 * sigma**2))
    return density / density.sum()


def test_a_sharper_kernel_trades_fixation_metrics_for_the_blurred_density() -> None:
    """What docs/model.md reports for the real model, on a case where the truth is known: a grid of 8x8
    cell means of a peaked density, fixations drawn from it. Bicubic and Lanczos score higher on NSS (the
    peaks come back) and lower on CC against the fixations blurred as evaluate.py blurs them."""
    density = peaked_density()
    grid = density.reshape(24, 8, 32, 8).mean(axis=(1, 3)).astype(np.float32)
    rng = np.random.default_rng(1)
    flat = rng.choice(density.size, size=400, p=density.ravel())
    points = np.column_stack([flat % 256, flat // 256]).astype(float)
    fix = fixation_map(points, 256, 192)
    blurred = fixation_density(fix, 24.0)
    bilinear = upsample(grid, (256, 192), "bilinear")
    for method in ("bicubic", "lanczos"):
        sharper = upsample(grid, (256, 192), method)
        assert sharper.min() >= 0 and sharper.shape == bilinear.shape == (192, 256)
        assert nss(sharper, fix) > nss(bilinear, fix), method
        assert cc(sharper, blurred) < cc(bilinear, blurred), method


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="upsampling"):
        upsample(np.ones((2, 2), np.float32), (4, 4), "nearest")
