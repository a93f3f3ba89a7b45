"""Metric functions against tiny hand-computed cases (standard MIT benchmark definitions)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from training.metrics import (all_metrics, auc_judd, cc, fixation_density, fixation_map, gaussian_blur,
                              kl_div, nss, sim)


def test_fixation_map_rounds_and_clips() -> None:
    m = fixation_map(np.array([[0.4, 0.6], [2.9, -3.0], [10.0, 10.0]]), width=3, height=2)
    assert m.tolist() == [[0, 0, 1], [1, 0, 1]]


def test_nss_hand_computed() -> None:
    sal = np.array([[0.0, 1.0], [2.0, 3.0]])
    fix = np.array([[0, 0], [0, 1]])
    # mean 1.5, sample std sqrt(5/3); (3 - 1.5) / sqrt(5/3)
    assert nss(sal, fix) == pytest.approx(1.5 / math.sqrt(5 / 3))
    fix2 = np.array([[1, 0], [0, 1]])
    assert nss(sal, fix2) == pytest.approx(0.0)


def test_nss_is_scale_and_shift_invariant() -> None:
    rng = np.random.default_rng(0)
    sal = rng.random((5, 7))
    fix = (rng.random((5, 7)) > 0.7).astype(float)
    assert nss(3 * sal + 2, fix) == pytest.approx(nss(sal, fix))


def test_auc_judd_perfect_and_hand_computed() -> None:
    sal = np.array([[0.0, 1.0], [2.0, 3.0]])
    assert auc_judd(sal, np.array([[0, 0], [0, 1]]), jitter=False) == pytest.approx(1.0)
    # fixation on the lowest pixel: TP rises only at FP = 1 -> area 0.5 (segment from (0,0) to (1,1)).
    assert auc_judd(sal, np.array([[1, 0], [0, 0]]), jitter=False) == pytest.approx(0.5)
    # fixations on values 3 and 1: thresholds 3 -> (tp .5, fp 0); 1 -> (tp 1, fp .5); then (1, 1).
    # area = 0.5 * (0.5 + 1) * 0.5 ... trapezoids: (0,0)-(0,.5): 0; (0,.5)-(.5,1): .375; (.5,1)-(1,1): .5
    assert auc_judd(sal, np.array([[0, 1], [0, 1]]), jitter=False) == pytest.approx(0.875)


def test_cc_sign_and_range() -> None:
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert cc(a, a) == pytest.approx(1.0)
    assert cc(a, -a) == pytest.approx(-1.0)
    assert cc(a, 2 * a + 5) == pytest.approx(1.0)


def test_kl_hand_computed() -> None:
    p = np.array([[1.0, 1.0]])  # -> 0.5, 0.5
    q = np.array([[3.0, 1.0]])  # -> 0.75, 0.25
    expected = 0.75 * math.log(0.75 / 0.5) + 0.25 * math.log(0.25 / 0.5)
    assert kl_div(p, q) == pytest.approx(expected, abs=1e-9)
    assert kl_div(q, q) == pytest.approx(0.0, abs=1e-9)


def test_sim_hand_computed() -> None:
    # map min-max normalised (0, 1/3, 1), sum-normalised (0, 1/4, 3/4)
    sal = np.array([[1.0, 2.0, 4.0]])
    dens = np.array([[1.0, 1.0, 2.0]])  # -> 0.25, 0.25, 0.5
    assert sim(sal, dens) == pytest.approx(0.0 + 0.25 + 0.5)
    # the map side is min-max normalised first: (1, 1, 2) -> (0, 0, 1); min with (.25, .25, .5) = .5
    assert sim(dens, dens) == pytest.approx(0.5)


def test_gaussian_blur_preserves_mass_away_from_borders() -> None:
    img = np.zeros((41, 41))
    img[20, 20] = 1.0
    out = gaussian_blur(img, 3.0)
    assert out.sum() == pytest.approx(1.0, rel=1e-6)
    assert out[20, 20] == out.max()
    assert out[20, 17] == pytest.approx(out[17, 20])


def test_fixation_density_sums_to_one_and_all_metrics_keys() -> None:
    pts = np.array([[5.0, 5.0], [6.0, 5.0]])
    dens = fixation_density(fixation_map(pts, 12, 10), 2.0)
    assert dens.sum() == pytest.approx(1.0)
    m = all_metrics(dens, pts, 2.0)
    assert set(m) == {"nss", "auc_judd", "cc", "kl", "sim"}
    assert m["cc"] == pytest.approx(1.0)
    assert m["kl"] == pytest.approx(0.0, abs=1e-6)


def test_auc_judd_does_not_depend_on_the_maps_scale() -> None:
    """A density over many pixels has tiny values; the tie-breaking noise must not reorder them."""
    rng = np.random.default_rng(3)
    sal = rng.random((60, 80))
    fix = (rng.random((60, 80)) > 0.97).astype(float)
    assert auc_judd(sal / sal.sum(), fix) == pytest.approx(auc_judd(sal, fix), abs=1e-6)
