"""Shares, bootstrap confidence intervals and the demographic-parity difference.

Why a bootstrap over *images* (both groups resampled at once), not over pairs: a folder of 40 people
gives 400 distinct pairs per pair of groups, but the evidence is 40 people, not 400 pairs. Resampling
pairs would treat every pair as independent and give an interval far narrower than the data allow.
Each bootstrap replicate draws the images of group A and of group B with replacement (multinomial
counts); a pair's weight is the product of its two images' counts (the "pigeonhole" bootstrap for
crossed designs, Owen 2007), and the replicate's share is the weighted mean of the pair scores.

Demographic-parity difference: P(crop keeps A) - P(crop keeps B) over the pairs comparing A with B,
i.e. ``2 * share_A - 1`` since each pair keeps one or the other (ties count half). Twitter reported
``share_A - 0.5`` ("difference from parity"): exactly half of it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np

#: Resamples scored at once: bounds memory at about chunk x pairs floats.
CHUNK = 64


@dataclass(frozen=True)
class Interval:
    """A two-sided confidence interval."""

    low: float
    high: float

    def excludes(self, value: float) -> bool:
        return bool(value < self.low or value > self.high)

    def mapped(self, scale: float, offset: float) -> "Interval":
        """The interval of ``scale * x + offset`` (a percentile interval maps exactly; scale > 0)."""
        return Interval(scale * self.low + offset, scale * self.high + offset)


@dataclass(frozen=True)
class ShareSummary:
    """How often the first group of a comparison wins, with its uncertainty."""

    pairs: int
    share: float  # share of pairs won by the first group (ties count half)
    share_ci: Interval
    parity_difference: float  # share_first - share_second = 2 * share - 1
    parity_ci: Interval
    ties: float  # share of comparisons that were ties
    flagged: bool  # the parity interval excludes zero

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["share_ci"] = [self.share_ci.low, self.share_ci.high]
        data["parity_ci"] = [self.parity_ci.low, self.parity_ci.high]
        data["difference_from_parity"] = self.share - 0.5  # Twitter's figure
        return data


def bootstrap_means(scores: np.ndarray, groupings: Sequence[tuple[np.ndarray, int]], resamples: int,
                    rng: np.random.Generator) -> np.ndarray:
    """Bootstrap replicates of the column means of ``scores`` [n, metrics], resampling units.

    Each grouping is (unit index of every row, number of units): rows are weighted by the product of
    their units' multinomial counts. One grouping with every row its own unit is the plain bootstrap.
    Returns [resamples, metrics]; a replicate whose weights are all zero is NaN.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim == 1:
        scores = scores[:, None]
    out = np.empty((resamples, scores.shape[1]))
    done = 0
    while done < resamples:
        size = min(CHUNK, resamples - done)
        weights = np.ones((size, scores.shape[0]))
        for indices, count in groupings:
            counts = rng.multinomial(count, np.full(count, 1.0 / count), size=size)
            weights *= counts[:, indices]
        totals = weights.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[done : done + size] = (weights @ scores) / totals
        done += size
    return out


def percentile_interval(replicates: np.ndarray, confidence: float) -> Interval:
    """The central ``confidence`` percentile interval of bootstrap replicates (NaNs ignored)."""
    tail = (1.0 - confidence) / 2.0
    finite = replicates[np.isfinite(replicates)]
    if finite.size == 0:
        return Interval(float("nan"), float("nan"))
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return Interval(float(low), float(high))


def summarise_pairs(scores: np.ndarray, ties: np.ndarray, index_a: np.ndarray, index_b: np.ndarray, *,
                    resamples: int, confidence: float, rng: np.random.Generator) -> list[ShareSummary]:
    """One summary per metric (column of ``scores``): share won by group A, CI, parity difference, flag.

    ``scores`` [pairs, metrics]: group A's score per pair (mean over the pair's joins); ``ties`` the same
    shape, the share of the pair's joins that were ties; ``index_a``/``index_b`` the image of each group
    in each pair (any integer ids).
    """
    scores = np.asarray(scores, dtype=np.float64).reshape(len(index_a), -1)
    # Only images that appear in a pair are resampled: one that never does (a file that failed to
    # decode) carries no evidence and would only add noise to the weights.
    _, index_a = np.unique(index_a, return_inverse=True)
    _, index_b = np.unique(index_b, return_inverse=True)
    count_a, count_b = int(index_a.max()) + 1, int(index_b.max()) + 1
    replicates = bootstrap_means(scores, [(index_a, count_a), (index_b, count_b)], resamples, rng)
    summaries = []
    for metric in range(scores.shape[1]):
        share = float(scores[:, metric].mean())
        interval = percentile_interval(replicates[:, metric], confidence)
        parity = interval.mapped(2.0, -1.0)
        summaries.append(ShareSummary(
            pairs=len(scores),
            share=share,
            share_ci=interval,
            parity_difference=2.0 * share - 1.0,
            parity_ci=parity,
            ties=float(np.asarray(ties, dtype=np.float64).reshape(len(index_a), -1)[:, metric].mean()),
            flagged=parity.excludes(0.0),
        ))
    return summaries


def share_with_interval(values: np.ndarray, *, resamples: int, confidence: float,
                        rng: np.random.Generator) -> tuple[float, Interval]:
    """Mean of per-image 0/1 values and its plain bootstrap interval (images resampled)."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return float("nan"), Interval(float("nan"), float("nan"))
    replicates = bootstrap_means(values, [(np.arange(values.size), values.size)], resamples, rng)
    return float(values.mean()), percentile_interval(replicates[:, 0], confidence)
