"""What a perfect copy of the teacher would score: its maps pooled to a student's output grid.

Why: the student learns the teacher's map area-pooled to its grid (1/8 of a 256-pixel input: 32x24
cells on an 800x600 photo), and the engine places crops on that grid. Pooling the teacher's own map the
same way, upsampling it as evaluate.py upsamples the student's, and cropping it as the engine crops
(8-bit grid, mass window) gives the best NSS, AUC-Judd and crop share a student of this teacher can
reach at that grid size, before any training. Targets above it need a finer grid or more than the
teacher (human fixations).

    python -m training.ceiling --data /work/shared/data --grids 256/8 256/4 320/8
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.crop_quality import RATIOS
from smartcrop_core.analysis import Analysis, CropOptions, dequantise, quantise, top_points
from smartcrop_core.model import model_input_size
from training.calibrate import crop_shares, summary
from training.evaluate import load_fixations
from training.metrics import auc_judd, fixation_map, nss
from training.predictors import UPSAMPLING, upsample
from training.splits import OSIE_VAL_IDS


def pooled(teacher: np.ndarray, long_side: int, stride: int) -> np.ndarray:
    """The teacher map area-pooled to the grid a model of this input long side and stride outputs,
    as a density in the engine's stored 8-bit form."""
    height, width = teacher.shape
    input_width, input_height = model_input_size(width, height, long_side)
    grid = Image.fromarray(teacher.astype(np.float32), "F").resize((input_width // stride, input_height // stride), Image.BOX)
    density = np.asarray(grid, dtype=np.float64)
    return dequantise(quantise(density / density.sum()))


def scores(grid: np.ndarray | None, teacher: np.ndarray, points: np.ndarray, upsampling: str = "bicubic") -> list[float]:
    """NSS, AUC-Judd, then per ratio [share of fixations kept, share of the oracle's] for one image."""
    height, width = teacher.shape
    saliency = teacher if grid is None else upsample(grid, (width, height), upsampling)
    fixations = fixation_map(points, width, height)
    row = [nss(saliency, fixations), auc_judd(saliency, fixations)]
    crop_grid = grid if grid is not None else dequantise(quantise(teacher / teacher.sum()))
    analysis = Analysis(width, height, crop_grid.astype(np.float32), top_points(crop_grid), 1.0,
                        "teacher").with_boxes(RATIOS, CropOptions("mass"))
    return row + [share for pair in crop_shares(analysis.boxes, points, width, height) for share in pair]


def ceiling(data: Path, grid: str, fixations: dict[str, np.ndarray], upsampling: str = "bicubic") -> dict[str, float]:
    """Mean scores over OSIE validation for ``grid`` = "LONG/STRIDE" (or "full": the map itself);
    ``fixations`` as ``training.evaluate.load_fixations`` reads them."""
    long_side, stride = (int(v) for v in grid.split("/")) if grid != "full" else (0, 0)
    rows = []
    for name in sorted(OSIE_VAL_IDS):
        teacher = np.asarray(Image.open(data / "teacher" / "osie" / "stimuli" / f"{Path(name).stem}.png"), dtype=np.float64)
        rows.append(scores(pooled(teacher, long_side, stride) if stride else None, teacher, fixations[name], upsampling))
    table = np.asarray(rows)
    crops = table[:, 2:].reshape(len(rows), len(RATIOS), 2)
    return {"nss": float(table[:, 0].mean()), "auc_judd": float(table[:, 1].mean()), **summary(crops)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="data root with osie/ and teacher/")
    ap.add_argument("--grids", nargs="+", default=["full", "256/8", "256/4", "320/8"],
                    help="LONG/STRIDE: model input long side and output stride; full = the map as it is")
    ap.add_argument("--upsampling", choices=list(UPSAMPLING), default="bicubic",
                    help="as training.evaluate brings a coarse map to the image size")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    print("| grid | NSS | AUC-Judd | crops: kept | of oracle | cases >= 90% |\n|---|---|---|---|---|---|")
    fixations = load_fixations(args.data / "osie" / "fixations.json")
    results = {}
    for grid in args.grids:
        r = results[grid] = ceiling(args.data, grid, fixations, args.upsampling)
        print(f"| {grid} | {r['nss']:.3f} | {r['auc_judd']:.4f} | {r['kept']:.1%} | {r['of_oracle']:.1%} | "
              f"{r['cases_90']:.1%} |", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
