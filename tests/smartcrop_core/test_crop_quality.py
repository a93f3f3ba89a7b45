"""On the OSIE validation split (never trained on), the default placement keeps more human fixations
than a plain centre crop and than Twitter's rule, with the shipped model."""

from __future__ import annotations

import json

import numpy as np
import pytest

import smartcrop_core
from smartcrop_core import CropOptions
from training.splits import OSIE_VAL_IDS

RATIOS = ["16:9", "1:1", "4:5", "9:16"]


def share_inside(box, fixations: np.ndarray) -> float:
    x, y = fixations[:, 0], fixations[:, 1]
    inside = (x >= box.left) & (x < box.right) & (y >= box.top) & (y < box.bottom)
    return float(inside.mean())


@pytest.fixture(scope="module")
def kept(shared_data, shipped_model):
    """Mean share of fixations kept per strategy over the validation images and four ratios."""
    fixations = json.loads((shared_data / "osie" / "fixations.json").read_text())
    strategies = {"mass": CropOptions(), "twitter": CropOptions(strategy="twitter"), "centre": CropOptions(strategy="centre")}
    shares: dict[str, list[float]] = {name: [] for name in strategies}
    for name in sorted(OSIE_VAL_IDS):
        points = np.array([p[:2] for subject in fixations[name]["subjects"] for p in subject], dtype=float)
        if len(points) == 0:
            continue
        analysis = smartcrop_core.analyze(shared_data / "osie" / "stimuli" / name, RATIOS)
        for strategy, options in strategies.items():
            for ratio in RATIOS:
                shares[strategy].append(share_inside(analysis.box(ratio, options), points))
    return {strategy: float(np.mean(values)) for strategy, values in shares.items()}


def test_validation_split_is_the_documented_one():
    assert len(OSIE_VAL_IDS) == 100 and min(OSIE_VAL_IDS) == "1601.jpg" and max(OSIE_VAL_IDS) == "1700.jpg"


def test_mass_placement_beats_the_centre_crop(kept):
    assert kept["mass"] > kept["centre"], kept


def test_mass_placement_beats_twitters_rule(kept):
    assert kept["mass"] > kept["twitter"], kept
