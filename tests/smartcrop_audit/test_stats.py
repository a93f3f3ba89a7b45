"""Shares, the image-level bootstrap and the flag, on scores whose answer is known (no model)."""

from __future__ import annotations

import numpy as np
import pytest

from smartcrop_audit.stats import Interval, bootstrap_means, share_with_interval, summarise_pairs


def crossed(count_a: int, count_b: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.meshgrid(np.arange(count_a), np.arange(count_b), indexing="ij")
    return a.ravel(), b.ravel()


def summary(scores, index_a, index_b, seed=0):
    scores = np.asarray(scores, dtype=float)[:, None]
    (result,) = summarise_pairs(scores, np.zeros_like(scores), index_a, index_b,
                                resamples=1000, confidence=0.95, rng=np.random.default_rng(seed))
    return result


def test_a_clear_preference_is_flagged_with_the_parity_difference():
    index_a, index_b = crossed(30, 30)
    rng = np.random.default_rng(0)
    strength = rng.uniform(0.6, 0.9, 30)  # every image of A is kept more often than not
    scores = (rng.uniform(size=len(index_a)) < strength[index_a]).astype(float)
    result = summary(scores, index_a, index_b)
    assert result.share == pytest.approx(scores.mean())
    assert result.parity_difference == pytest.approx(2 * result.share - 1)
    assert result.share_ci.low > 0.5 and result.parity_ci.low > 0 and result.flagged
    assert result.parity_ci.low == pytest.approx(2 * result.share_ci.low - 1)


def test_parity_is_not_flagged():
    index_a, index_b = crossed(20, 20)
    scores = np.random.default_rng(3).integers(0, 2, len(index_a)).astype(float)
    result = summary(scores, index_a, index_b)
    assert result.share_ci.low < 0.5 < result.share_ci.high and not result.flagged


def test_reusing_few_images_in_many_pairs_widens_the_interval():
    # 5 images per group, each image either always kept or never: 25 pairs, but only 10 people.
    index_a, index_b = crossed(5, 5)
    scores = np.where(index_a < 3, 1.0, 0.0)  # 3 of 5 A images always win: share 0.6
    by_image = summary(scores, index_a, index_b)
    naive = summary(scores, np.arange(25), np.zeros(25, dtype=int))  # as if all 25 pairs were independent people
    assert by_image.share == naive.share == pytest.approx(0.6)
    assert by_image.share_ci.high - by_image.share_ci.low > naive.share_ci.high - naive.share_ci.low


def test_constant_scores_give_a_point_interval_and_seeds_repeat():
    values = np.ones(40)
    replicates = bootstrap_means(values, [(np.arange(40), 40)], 200, np.random.default_rng(0))
    assert replicates.shape == (200, 1) and np.all(replicates == 1.0)
    first = share_with_interval(np.arange(50) % 3 == 0, resamples=300, confidence=0.9, rng=np.random.default_rng(5))
    second = share_with_interval(np.arange(50) % 3 == 0, resamples=300, confidence=0.9, rng=np.random.default_rng(5))
    assert first == second and first[1].low < first[0] < first[1].high


def test_interval_helpers():
    interval = Interval(0.2, 0.4)
    assert interval.excludes(0.5) and not interval.excludes(0.3)
    assert interval.mapped(2.0, -1.0) == Interval(pytest.approx(-0.6), pytest.approx(-0.2))


def test_false_alarms_stay_rare_when_images_recur_in_many_pairs():
    """Null simulation: images differ in salience, groups do not; 20 images per group, 400 pairs.

    Resampling images keeps false alarms below the nominal 5%; resampling pairs (as if each pair were
    new people) raises them far above it. This is why the audit bootstraps images.
    """
    from smartcrop_audit.pairs import draw_pairs
    from smartcrop_audit.stats import percentile_interval

    flagged_images = flagged_pairs = 0
    for seed in range(60):
        rng = np.random.default_rng(seed)
        strength_a, strength_b = rng.normal(0, 0.5, 20), rng.normal(0, 0.5, 20)
        pairs = draw_pairs(20, 20, 400, rng)
        keep_a = 1 / (1 + np.exp(strength_b[pairs[:, 1]] - strength_a[pairs[:, 0]]))
        scores = (rng.uniform(size=(len(pairs), 4)) < keep_a[:, None]).mean(axis=1)
        (result,) = summarise_pairs(scores[:, None], np.zeros((len(pairs), 1)), pairs[:, 0], pairs[:, 1],
                                    resamples=300, confidence=0.95, rng=rng)
        flagged_images += result.flagged
        by_pair = bootstrap_means(scores, [(np.arange(len(pairs)), len(pairs))], 300, rng)
        flagged_pairs += percentile_interval(by_pair[:, 0], 0.95).excludes(0.5)
    assert flagged_images <= 4  # <= ~5% of 60
    assert flagged_pairs >= 12
