"""Standard saliency metrics (MIT/Tuebingen saliency benchmark definitions), numpy only.

Conventions (documented in docs/model.md):
- ``sal`` is a saliency map at the image's size (any scale; higher = more salient).
- ``fix`` is a binary fixation map at the same size (1 where at least one fixation landed).
- ``density`` is the ground-truth fixation density: the fixation map blurred with a Gaussian
  (``fixation_density``), used by CC, KL and SIM.
"""
from __future__ import annotations

import numpy as np

EPS = np.finfo(np.float64).eps  # MATLAB's eps, as in the MIT benchmark code


def fixation_map(points: np.ndarray, width: int, height: int) -> np.ndarray:
    """Binary map (height, width) from (N, 2) x, y pixel coordinates (rounded, clipped)."""
    m = np.zeros((height, width), dtype=np.float64)
    if len(points):
        xs = np.clip(np.round(points[:, 0]).astype(int), 0, width - 1)
        ys = np.clip(np.round(points[:, 1]).astype(int), 0, height - 1)
        m[ys, xs] = 1.0
    return m


def gaussian_blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur with zero padding (kernel truncated at 4 sigma)."""
    def matrix(n: int) -> np.ndarray:
        idx = np.arange(n)
        d = idx[:, None] - idx[None, :]
        k = np.exp(-0.5 * (d / sigma) ** 2)
        k[np.abs(d) > 4 * sigma] = 0.0
        return k / np.exp(-0.5 * (np.arange(-int(4 * sigma), int(4 * sigma) + 1) / sigma) ** 2).sum()
    return matrix(img.shape[0]) @ img @ matrix(img.shape[1]).T


def fixation_density(fix: np.ndarray, sigma: float) -> np.ndarray:
    """Ground-truth density: binary fixation map blurred with ``sigma`` pixels, normalised to sum 1."""
    d = gaussian_blur(fix.astype(np.float64), sigma)
    return d / d.sum()


def nss(sal: np.ndarray, fix: np.ndarray) -> float:
    """Normalised scanpath saliency: mean of the standardised map at fixated pixels."""
    s = sal.astype(np.float64)
    s = (s - s.mean()) / (s.std(ddof=1) + EPS)
    return float(s[fix > 0].mean())


def auc_judd(sal: np.ndarray, fix: np.ndarray, jitter: bool = True, seed: int = 0) -> float:
    """AUC-Judd: thresholds at the saliency values of fixated pixels; FPR over all non-fixated pixels.

    Ties are broken as the MIT code does (noise of 1e-7), but after the min-max normalisation, so the
    result does not depend on the map's scale: a density summing to 1 over 480,000 pixels has values
    near 1e-6, where noise of 1e-7 would reorder pixels that are not tied.
    """
    s = sal.astype(np.float64)
    s = (s - s.min()) / (s.max() - s.min() + EPS)
    if jitter:
        s = s + np.random.default_rng(seed).random(s.shape) * 1e-7
    f = fix.ravel() > 0
    s = s.ravel()
    thresholds = np.sort(s[f])[::-1]
    n_fix, n_pix = len(thresholds), s.size
    sorted_all = np.sort(s)[::-1]
    above = np.searchsorted(-sorted_all, -thresholds, side="right")  # pixels with s >= threshold
    tp = np.arange(1, n_fix + 1) / n_fix
    fp = (above - np.arange(1, n_fix + 1)) / (n_pix - n_fix)
    tp = np.concatenate([[0.0], tp, [1.0]])
    fp = np.concatenate([[0.0], fp, [1.0]])
    return float(np.trapezoid(tp, fp))


def cc(sal: np.ndarray, density: np.ndarray) -> float:
    """Pearson correlation between the map and the fixation density."""
    a = sal.astype(np.float64).ravel()
    b = density.astype(np.float64).ravel()
    a = (a - a.mean()) / (a.std() + EPS)
    b = (b - b.mean()) / (b.std() + EPS)
    return float((a * b).mean())


def kl_div(sal: np.ndarray, density: np.ndarray) -> float:
    """KL(density || map) with both normalised to sum 1, MIT form sum Q log(eps + Q / (P + eps))."""
    p = sal.astype(np.float64)
    p = p / (p.sum() + EPS)
    q = density.astype(np.float64)
    q = q / (q.sum() + EPS)
    return float((q * np.log(EPS + q / (p + EPS))).sum())


def sim(sal: np.ndarray, density: np.ndarray) -> float:
    """Similarity (histogram intersection) of the min-max normalised map and the density (sum 1 each)."""
    p = sal.astype(np.float64)
    p = (p - p.min()) / (p.max() - p.min() + EPS)
    p = p / (p.sum() + EPS)
    q = density.astype(np.float64)
    q = q / (q.sum() + EPS)
    return float(np.minimum(p, q).sum())


def all_metrics(sal: np.ndarray, points: np.ndarray, sigma: float) -> dict[str, float]:
    """NSS, AUC-Judd, CC, KL and SIM of one map against one image's fixations."""
    h, w = sal.shape
    fix = fixation_map(points, w, h)
    dens = fixation_density(fix, sigma)
    return {"nss": nss(sal, fix), "auc_judd": auc_judd(sal, fix), "cc": cc(sal, dens),
            "kl": kl_div(sal, dens), "sim": sim(sal, dens)}
