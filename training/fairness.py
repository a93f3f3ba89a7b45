"""Where do the crop audit's preferences come from? Two measurements on labelled portraits.

Why: ``smartcrop audit pairs`` says *that* the crop keeps women's portraits more often and the image
placed on top more often; to fix it we need to know *which part of the picture* carries the difference.

- ``regions``: side-by-side joins of a group-A and a group-B portrait (both orders). The map is a density
  over the whole join, so the share of it that lies on each image is what the mass window competes for.
  We split each image's share into regions around its (OpenCV Haar) face box: the face (box grown by
  20%), beside the face (same rows: hair at the sides, ears, background), above it (top of the head,
  hair, background) and below it (neck, shoulders, clothes), and average per group.
- ``position``: stacked joins (both orders) of random portraits, how often the mass crop keeps the top
  image: as joined ("plain"), with both images upside down ("flipped": the faces move to the lower part
  of each image), and with a grey band above and below the join ("padded": the images move away from
  the frame edge). If "flipped" flips the preference, it comes from the layout of portraits (face high
  in the frame) and the window geometry, not from a learned top-of-frame bias.

    python -m training.fairness --model smartcrop_core/models/saliency.onnx \
        --images /work/shared/data/faces/london --labels /work/shared/data/faces/london/labels.csv \
        --column gender --pairs 300 --json /work/cache/smartcrop/fairness_v1_london.json
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from smartcrop_audit.labels import read_labels

REGIONS = ("face", "beside", "above", "below")


def density(image: Image.Image, model: str) -> np.ndarray:
    """The model's density upsampled (bilinear) to the image size, summing to 1."""
    import smartcrop_core

    grid = smartcrop_core.saliency_map(image, model=model)
    big = np.asarray(Image.fromarray(grid.astype(np.float32)).resize(image.size, Image.BILINEAR), dtype=np.float64)
    return big / big.sum()


def region_masks(face, left: int, size: tuple[int, int], canvas: tuple[int, int]) -> dict[str, np.ndarray]:
    """Boolean masks over the canvas for the regions of one image placed at x = ``left``."""
    from smartcrop_audit.faces import FACE_MARGIN, enlarge

    f = enlarge(face, FACE_MARGIN, size)
    masks = {k: np.zeros((canvas[1], canvas[0]), bool) for k in REGIONS}
    x0, x1 = left, left + size[0]
    masks["above"][: f.top, x0:x1] = True
    masks["below"][f.bottom:, x0:x1] = True
    masks["beside"][f.top:f.bottom, x0:x1] = True
    masks["beside"][f.top:f.bottom, left + f.left:left + f.right] = False
    masks["face"][f.top:f.bottom, left + f.left:left + f.right] = True
    return masks


def regions(model: str, root: Path, groups: dict[str, list[str]], a: str, b: str, pairs: int,
            seed: int) -> dict:
    """Mean share of the join's map on each region of the group-A and group-B image."""
    from smartcrop_audit.faces import FaceDetector
    from smartcrop_audit.pairs import join, scale_to_side

    detector, rng = FaceDetector(), np.random.default_rng(seed)
    sums = {g: {k: [] for k in REGIONS} for g in (a, b)}
    for _ in range(pairs):
        files = {a: rng.choice(groups[a]), b: rng.choice(groups[b])}
        images = {g: Image.open(root / f).convert("RGB") for g, f in files.items()}
        scaled = {g: scale_to_side(im, "horizontal", 384) for g, im in images.items()}
        faces = {g: detector.detect(im, im.size) for g, im in scaled.items()}
        if any(len(v) != 1 for v in faces.values()):
            continue  # no face or several: skip the pair
        for first, second in ((a, b), (b, a)):
            joined = join(images[first], images[second], "horizontal", 384)
            dens = density(joined.image, model)
            for g, region in ((first, joined.regions[0]), (second, joined.regions[1])):
                masks = region_masks(faces[g][0], region.left, scaled[g].size, joined.size)
                for k, m in masks.items():
                    sums[g][k].append(float(dens[m].sum()))
    out = {g: {k: float(np.mean(v)) for k, v in per.items()} for g, per in sums.items()}
    for g in (a, b):
        out[g]["total"] = sum(out[g][k] for k in REGIONS)
    out["joins"] = len(sums[a]["face"])
    out["difference_a_minus_b"] = {k: out[a][k] - out[b][k] for k in (*REGIONS, "total")}
    return out


def position(model: str, root: Path, files: list[str], pairs: int, seed: int) -> dict[str, float]:
    """Share of stacked joins whose mass crop keeps the top image, for three variants of the join."""
    import smartcrop_core
    from smartcrop_audit.outcomes import crop_score
    from smartcrop_audit.pairs import GAP_FILL, join
    from smartcrop_core.geometry import Box
    from smartcrop_core.ratios import ratio_label

    rng = np.random.default_rng(seed)
    scores: dict[str, list[float]] = {"plain": [], "flipped": [], "padded": []}
    for _ in range(pairs):
        first, second = (Image.open(root / f).convert("RGB") for f in rng.choice(files, 2, replace=False))
        for variant in scores:
            if variant == "flipped":
                joined = join(ImageOps.flip(first), ImageOps.flip(second), "vertical", 384)
            else:
                joined = join(first, second, "vertical", 384)
            canvas, regs = joined.image, joined.regions
            if variant == "padded":
                pad = 192
                canvas = Image.new("RGB", (joined.size[0], joined.size[1] + 2 * pad), GAP_FILL)
                canvas.paste(joined.image, (0, pad))
                regs = tuple(Box(r.left, r.top + pad, r.width, r.height) for r in regs)
            box = smartcrop_core.analyze(canvas, [joined.ratio], model=model).boxes[ratio_label(joined.ratio)]
            scores[variant].append(crop_score(box, regs))
    return {k: float(np.mean(v)) for k, v in scores.items()} | {"joins": pairs}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--images", type=Path, required=True)
    ap.add_argument("--labels", type=Path, required=True)
    ap.add_argument("--column", default="gender")
    ap.add_argument("--groups", nargs=2, default=["female", "male"])
    ap.add_argument("--pairs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    labels = read_labels(args.labels, args.images, [args.column])
    groups = {group: [str(path) for path in paths] for group, paths in labels.groups.items()}
    out = {"model": args.model, "images": str(args.images),
           "regions": regions(args.model, args.images, groups, *args.groups, args.pairs, args.seed),
           "position_top_kept": position(args.model, args.images, sum(groups.values(), []), args.pairs,
                                         args.seed)}
    print(json.dumps(out, indent=1))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
