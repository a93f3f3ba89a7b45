"""Paired portraits for a parity term: the crop audit's joins, as training batches.

Why: the teacher prefers some faces (women's studio portraits hold 52% of a join's saliency, men's 48%),
so distillation alone copies its preference, and no map edit after training removes it (docs/audit.md).
The audit's decision is "which image of a join holds more mass"; this module builds exactly those joins
(``smartcrop_audit.pairs.join``, seen through ``smartcrop_core.model_input`` as ``analyze`` sees them)
so that training can push the two masses of cross-group pairs together (``losses.parity_loss``).

Each batch is one set, one pair of its groups, one direction, and both orders in equal numbers: then the
batch mean of log(first / second) measures the position preference and its mean signed by group the
group preference, separately.

People are split, never images: a person's portraits all go to training or all to the audit
(``holdout``), so the audit of the held-out half measures what training did not see.

    python -m training.parity --images /work/shared/data/faces/london \
        --out /work/cache/smartcrop/heldout/london     # writes labels.csv of the held-out people
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps

from smartcrop_audit.labels import read_labels
from smartcrop_audit.pairs import DIRECTIONS, join
from smartcrop_core import model_input
from training.losses import parity_loss

#: The audit's join settings (smartcrop_audit.paired.PairsConfig): side of each image, gap share.
SIDE, GAP = 384, 0.1
LONG_SIDE = 256  # the engine's model input
STRIDE = 8


def person(file: str) -> str:
    """Portraits of one person share the name up to the last underscore (London: 001_03, 001_08).

    For sets without such names the prefix is coarser than a person (UTKFace: age_gender_race), which
    keeps the split person-disjoint and only makes it lumpier.
    """
    stem = Path(file).stem
    return stem.rsplit("_", 1)[0] if "_" in stem else stem


def holdout(file: str, share: float = 0.5) -> bool:
    """Whether this file's person belongs to the audit half (a stable hash, the same on every machine)."""
    digest = hashlib.sha256(person(file).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < share


@dataclass
class PairBatch:
    """Joined pairs [N,3,H,W] (RGB 0..255), each image's coverage of the output grid [N,1,h,w], and
    +1 where the first image is the batch's group A, -1 where it is group B."""

    images: torch.Tensor
    first: torch.Tensor
    second: torch.Tensor
    group_sign: torch.Tensor
    label: str


def coverage(regions, size: tuple[int, int], grid: tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Share of each output cell covered by the first and by the second image (area average)."""
    out = []
    for box in regions:
        mask = np.zeros((size[1], size[0]), np.float32)
        mask[box.top:box.top + box.height, box.left:box.left + box.width] = 1.0
        small = Image.fromarray(mask).resize(grid, Image.BOX)
        out.append(torch.from_numpy(np.asarray(small, np.float32).copy())[None])
    return out[0], out[1]


def joined_pair(first: Image.Image, second: Image.Image, direction: str):
    """(model input [3,H,W], first coverage [1,h,w], second coverage [1,h,w]) of one audit join."""
    joined = join(first, second, direction, SIDE, GAP)
    pixels, _ = model_input(joined.image, LONG_SIDE)
    h, w = pixels.shape[:2]
    grid = (w // STRIDE, h // STRIDE)
    a, b = coverage(joined.regions, joined.size, grid)
    return torch.from_numpy(pixels.copy()).permute(2, 0, 1).float(), a, b


class PairSampler:
    """Draws balanced cross-group join batches from the training (or the held-out) people of face sets."""

    def __init__(self, sets: list[tuple[Path, str]], pairs: int, seed: int = 0, share: float = 0.5,
                 heldout: bool = False) -> None:
        if pairs < 2 or pairs % 2:
            raise ValueError("pairs per batch must be even (both orders in equal numbers)")
        self.pairs, self.rng = pairs, random.Random(seed)
        self.sets = []  # (name, {group: [images]}, [(a, b), ...])
        for root, column in sets:
            labels = read_labels(root / "labels.csv", root, [column])
            groups = {}
            for group, paths in labels.groups.items():
                mine = [p for p in paths if holdout(str(p.relative_to(root)), share) == heldout]
                groups[group] = [self._load(p) for p in mine]
            groups = {g: v for g, v in groups.items() if len(v) >= 2}
            combos = list(itertools.combinations(sorted(groups), 2))
            if combos:
                self.sets.append((f"{root.name}/{column}", groups, combos))
        if not self.sets:
            raise ValueError("no face set has two groups with training people")

    @staticmethod
    def _load(path: Path) -> Image.Image:
        with Image.open(path) as im:
            image = ImageOps.exif_transpose(im).convert("RGB")
        image.thumbnail((SIDE * 2, SIDE * 2))
        return image

    def sample(self) -> PairBatch:
        name, groups, combos = self.rng.choice(self.sets)
        a, b = self.rng.choice(combos)
        direction = self.rng.choice(DIRECTIONS)
        parts, signs = [], []
        for k in range(self.pairs):
            ia, ib = self.rng.choice(groups[a]), self.rng.choice(groups[b])
            if self.rng.random() < 0.5:
                ia, ib = ImageOps.mirror(ia), ImageOps.mirror(ib)
            a_first = k % 2 == 0
            parts.append(joined_pair(ia, ib, direction) if a_first else joined_pair(ib, ia, direction))
            signs.append(1.0 if a_first else -1.0)
        return PairBatch(torch.stack([p[0] for p in parts]), torch.stack([p[1] for p in parts]),
                         torch.stack([p[2] for p in parts]), torch.tensor(signs),
                         f"{name} {a}/{b} {direction}")


@torch.no_grad()
def heldout_preferences(model: torch.nn.Module, sampler: PairSampler, batches: int = 24) -> dict[str, float]:
    """Mean |group| and |position| log mass ratios over fixed held-out batches (0 = no preference)."""
    state = sampler.rng.getstate()
    sampler.rng.seed(12345)
    was_training = model.training
    model.eval()
    groups, positions = [], []
    for _ in range(batches):
        batch = sampler.sample()
        _, parts = parity_loss(model(batch.images), batch.first, batch.second, batch.group_sign)
        groups.append(abs(parts["group"]))
        positions.append(abs(parts["position"]))
    model.train(was_training)
    sampler.rng.setstate(state)
    return {"parity_group": float(np.mean(groups)), "parity_position": float(np.mean(positions))}


def write_heldout(images: Path, out: Path, share: float = 0.5) -> int:
    """Write ``out/labels.csv`` listing the held-out people's files (paths under ``images``); returns rows.

    The audit then runs with ``--images <images> --labels <out>/labels.csv``: nothing is copied.
    """
    with open(images / "labels.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    kept = [r for r in rows if holdout(r["file"], share)]
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "labels.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(kept)
    return len(kept)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", type=Path, required=True, help="a face set: images and labels.csv")
    ap.add_argument("--out", type=Path, required=True, help="folder for the held-out labels.csv")
    ap.add_argument("--share", type=float, default=0.5, help="share of people held out")
    args = ap.parse_args(argv)
    rows = write_heldout(args.images, args.out, args.share)
    print(f"{rows} held-out rows -> {args.out / 'labels.csv'}")


if __name__ == "__main__":
    main()
