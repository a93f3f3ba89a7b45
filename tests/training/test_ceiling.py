"""training/ceiling.py: the teacher's map pooled to a student's grid, scored as the student is."""
from __future__ import annotations

import numpy as np

from training.ceiling import pooled, scores


def spot(width: int = 800, height: int = 600, x: int = 650, y: int = 150) -> np.ndarray:
    yy, xx = np.mgrid[0:height, 0:width]
    return np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * 30.0 ** 2))


def test_pooled_is_the_models_output_grid_as_a_stored_density() -> None:
    grid = pooled(spot(), 256, 8)
    assert grid.shape == (24, 32)  # 800x600 -> 256x192 input -> 32x24 cells
    assert abs(grid.sum() - 1) < 1e-6
    assert np.unravel_index(grid.argmax(), grid.shape) == (150 * 192 // 600 // 8, 650 * 256 // 800 // 8)


def test_a_coarser_grid_scores_lower_nss_on_a_tight_spot_and_both_crops_keep_it() -> None:
    teacher = spot()
    points = np.array([[650.0, 150.0], [655.0, 148.0], [645.0, 152.0]])
    fine, coarse = scores(pooled(teacher, 256, 4), teacher, points), scores(pooled(teacher, 256, 8), teacher, points)
    assert coarse[0] < fine[0]  # NSS
    assert fine[2::2] == coarse[2::2] == [1.0] * (len(fine) // 2 - 1)  # every ratio's crop keeps all fixations
