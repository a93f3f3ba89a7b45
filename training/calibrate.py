"""Calibrate the map for crop placement: choose the exponent alpha (density p^alpha, renormalised) that
keeps the most human fixations in the engine's mass-window crops, on the OSIE training split.

Why: how peaked the map is changes which window holds the most mass, and NSS does not see that. The
exponent is chosen by cross-validation over folds of OSIE 1001-1600 (fixations kept, relative to the best
window), then checked once on the validation split (1601-1700), never chosen on it. The calibrated file
is the same network with one Mul before the log-softmax (``training.graph_edit.with_exponent``), so the
engine needs no change.

    python -m training.calibrate --model smartcrop_core/models/saliency.onnx --data /work/shared/data \
        --work /work/cache/smartcrop/calib --json docs/calibration.json
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from benchmarks.crop_quality import RATIOS, kept, oracle_box
from training.graph_edit import with_exponent
from training.splits import OSIE_VAL_IDS


def crop_table(model: Path | None, names: list[str], data: Path) -> np.ndarray:
    """(image, ratio) -> [share of fixations kept, share of the oracle's]; ``model`` None = centre crop."""
    import smartcrop_core

    fixations = json.loads((data / "osie" / "fixations.json").read_text())
    rows = []
    for name in names:
        entry = fixations[name]
        points = np.array([p[:2] for s in entry["subjects"] for p in s], dtype=float)
        strategy = "centre" if model is None else "mass"
        analysis = smartcrop_core.analyze(str(data / "osie" / "stimuli" / name), RATIOS,
                                          options=smartcrop_core.CropOptions(strategy),
                                          model=str(model) if model else None)
        rows += crop_shares(analysis.boxes, points, entry["width"], entry["height"])
    return np.asarray(rows).reshape(len(names), len(RATIOS), 2)


def crop_shares(boxes: dict, points: np.ndarray, width: int, height: int) -> list[list[float]]:
    """Per ratio of RATIOS: [share of the fixations inside its box, share of what the oracle box keeps]."""
    rows = []
    for ratio in RATIOS:
        got = kept(tuple(boxes[ratio].as_list()), points)
        best = kept(oracle_box(points, width, height, ratio), points)
        rows.append([got / len(points), got / best if best else 1.0])
    return rows


def summary(table: np.ndarray) -> dict[str, float]:
    """Mean fixations kept, mean of oracle, share of cases >= 90% of the oracle."""
    return {"kept": float(table[..., 0].mean()), "of_oracle": float(table[..., 1].mean()),
            "cases_90": float((table[..., 1] >= 0.9).mean())}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--work", type=Path, required=True, help="folder for the calibrated copies (outside the repo)")
    ap.add_argument("--alphas", type=float, nargs="+", default=[0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)

    fixations = json.loads((args.data / "osie" / "fixations.json").read_text())
    train = sorted(n for n in fixations if n not in OSIE_VAL_IDS)
    val = sorted(n for n in fixations if n in OSIE_VAL_IDS)
    args.work.mkdir(parents=True, exist_ok=True)
    models = {}
    for alpha in args.alphas:
        models[alpha] = args.work / f"{args.model.stem}_exp{alpha:g}.onnx"
        with_exponent(args.model, models[alpha], alpha)
    tables = {a: crop_table(m, train, args.data) for a, m in models.items()}
    folds = np.arange(len(train)) % args.folds
    held_out, chosen = [], []
    for k in range(args.folds):  # choose on the other folds, score on fold k
        best = max(args.alphas, key=lambda a: tables[a][folds != k][..., 1].mean())
        chosen.append(best)
        held_out.append(tables[best][folds == k])
    alpha = max(args.alphas, key=lambda a: tables[a][..., 1].mean())
    out = {"model": str(args.model), "alphas": args.alphas,
           "train": {f"{a:g}": summary(t) for a, t in tables.items()},
           "cv_chosen": chosen, "cv_held_out": summary(np.concatenate(held_out)),
           "chosen_alpha": alpha,
           "val": {"alpha_1": summary(crop_table(args.model, val, args.data)),
                   f"alpha_{alpha:g}": summary(crop_table(models[alpha], val, args.data)),
                   "centre": summary(crop_table(None, val, args.data))}}
    print(json.dumps(out, indent=1))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
