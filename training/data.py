"""Batches for distillation: random resized crops, flips and colour jitter applied consistently to the
image, the teacher map and the fixations.

Why fixed-size batches: the network is fully convolutional, so training on fixed crops (landscape or
portrait bucket, chosen per batch) is enough; at run time it sees the engine's size. A share of the
batches uses the whole image (no crop) so the learned centre bias matches whole-image statistics.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from training.cache import Record
from training.losses import normalise_density

STRIDE = 8


@dataclass
class Batch:
    """Images RGB 0..255 [N,3,H,W], teacher densities [N,1,H/8,W/8], fixation cells per item, and the
    share of each output cell covered by a detected face [N,1,H/8,W/8] (zeros without faces)."""

    images: torch.Tensor
    teacher: torch.Tensor
    cells: list[torch.Tensor]
    faces: torch.Tensor


@dataclass
class AugmentConfig:
    """Augmentation strengths; defaults are mild because crops shift the centre bias."""

    min_scale: float = 0.55  # smallest crop area as a fraction of the image
    full_image_prob: float = 0.35  # probability of using the whole image (no crop)
    flip_prob: float = 0.5
    jitter: float = 0.2  # brightness / contrast / saturation +- this fraction


class BatchSampler:
    """Draws augmented batches from cached records, bucketed by orientation."""

    def __init__(self, records: list[Record], batch_size: int, size: tuple[int, int],
                 aug: AugmentConfig | None = None, seed: int = 0) -> None:
        self.records = records
        self.batch_size = batch_size
        self.size = size  # (H, W) of a landscape batch; portrait batches use (W, H)
        self.aug = aug or AugmentConfig()
        self.rng = random.Random(seed)
        land = [r for r in records if r.image.shape[1] >= r.image.shape[0]]
        port = [r for r in records if r.image.shape[1] < r.image.shape[0]]
        self.buckets = [b for b in (land, port) if b]
        self.orient = [b is land for b in self.buckets]

    def epoch_batches(self) -> int:
        return max(1, len(self.records) // self.batch_size)

    def sample(self) -> Batch:
        weights = [len(b) for b in self.buckets]
        k = self.rng.choices(range(len(self.buckets)), weights=weights)[0]
        h, w = self.size if self.orient[k] else (self.size[1], self.size[0])
        items = [self.rng.choice(self.buckets[k]) for _ in range(self.batch_size)]
        parts = [augment(r, (h, w), self.aug, self.rng) for r in items]
        return Batch(torch.stack([p[0] for p in parts]), torch.stack([p[1] for p in parts]),
                     [p[2] for p in parts], torch.stack([p[3] for p in parts]))


def _crop_box(rw: int, rh: int, target_aspect: float, aug: AugmentConfig,
              rng: random.Random) -> tuple[float, float, float, float]:
    """(x0, y0, cw, ch) of a random crop of aspect ~target_aspect (w/h) and area fraction >= min_scale."""
    if rng.random() < aug.full_image_prob:
        return 0.0, 0.0, float(rw), float(rh)
    for _ in range(10):
        area = rng.uniform(aug.min_scale, 1.0) * rw * rh
        aspect = target_aspect * math.exp(rng.uniform(-0.15, 0.15))
        cw, ch = math.sqrt(area * aspect), math.sqrt(area / aspect)
        if cw <= rw and ch <= rh:
            return rng.uniform(0, rw - cw), rng.uniform(0, rh - ch), cw, ch
    return 0.0, 0.0, float(rw), float(rh)


def augment(r: Record, size: tuple[int, int], aug: AugmentConfig,
            rng: random.Random) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """One augmented image [3,H,W] 0..255, teacher density [1,H/8,W/8], fixation cells and face cover
    [1,H/8,W/8]: the crop, resize and flip are the same for all four."""
    h, w = size
    rh, rw = r.image.shape[:2]
    x0, y0, cw, ch = _crop_box(rw, rh, w / h, aug, rng)
    ix0, iy0 = int(round(x0)), int(round(y0))
    ix1, iy1 = min(rw, max(ix0 + 1, int(round(x0 + cw)))), min(rh, max(iy0 + 1, int(round(y0 + ch))))
    img = torch.from_numpy(np.array(r.image[iy0:iy1, ix0:ix1])).permute(2, 0, 1).float()
    img = F.interpolate(img[None], size=(h, w), mode="bilinear", align_corners=False, antialias=True)[0]
    tea = torch.from_numpy(np.array(r.teacher[iy0:iy1, ix0:ix1])).float()[None, None]
    tea = F.interpolate(tea, size=(h // STRIDE, w // STRIDE), mode="area")[0]
    faces = torch.zeros_like(tea)
    if r.faces is not None:
        faces = torch.from_numpy(np.array(r.faces[iy0:iy1, ix0:ix1])).float()[None, None]
        faces = F.interpolate(faces, size=(h // STRIDE, w // STRIDE), mode="area")[0]
    flip = rng.random() < aug.flip_prob
    if flip:
        img, tea, faces = img.flip(-1), tea.flip(-1), faces.flip(-1)
    img = _colour_jitter(img, aug.jitter, rng)
    cells = torch.zeros(0, dtype=torch.long)
    if r.fixations is not None and len(r.fixations):
        ow, oh = r.orig_size
        fx = r.fixations[:, 0] * (rw / ow)
        fy = r.fixations[:, 1] * (rh / oh)
        gx = np.floor((fx - ix0) / (ix1 - ix0) * (w // STRIDE)).astype(np.int64)
        gy = np.floor((fy - iy0) / (iy1 - iy0) * (h // STRIDE)).astype(np.int64)
        ok = (gx >= 0) & (gx < w // STRIDE) & (gy >= 0) & (gy < h // STRIDE)
        gx, gy = gx[ok], gy[ok]
        if flip:
            gx = (w // STRIDE - 1) - gx
        cells = torch.from_numpy(gy * (w // STRIDE) + gx)
    return img, normalise_density(tea[None])[0], cells, faces


def _colour_jitter(img: torch.Tensor, s: float, rng: random.Random) -> torch.Tensor:
    """Brightness, contrast and saturation jitter on an RGB 0..255 tensor."""
    if s <= 0:
        return img
    img = img * rng.uniform(1 - s, 1 + s)
    mean = img.mean()
    img = (img - mean) * rng.uniform(1 - s, 1 + s) + mean
    grey = img.mean(dim=0, keepdim=True)
    img = (img - grey) * rng.uniform(1 - s, 1 + s) + grey
    return img.clamp(0, 255)
