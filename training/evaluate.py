"""Evaluate saliency models on images + fixations (OSIE JSON format) and benchmark latency.

Compares, on the same images and with the same metric code (training/metrics.py): our shipped ONNX
model through ``smartcrop_core.saliency_map(path, model=...)`` (what users get; falls back to running
the ONNX file with the same preprocessing when the engine is not importable), a centre-Gaussian baseline, Twitter's FastGaze (fed at 512 px long side
by default) and the teacher maps. Every coarse map (ours, FastGaze) is brought to the original image size
the same way first: bicubic, as the MIT benchmark's metric code does; ``--upsampling bilinear`` is how
versions up to 2.3.0 were first reported.
Default image set: the OSIE validation split (training/splits.py).

    python -m training.evaluate --images /work/shared/data/osie/stimuli \
        --fixations /work/shared/data/osie/fixations.json --data /work/shared/data \
        --fastgaze /work/shared/anchors/fastgaze.onnx --bench --json training/results/metrics.json
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from training.metrics import all_metrics
from training.predictors import UPSAMPLING, CentreGaussian, EngineStudent, FastGaze, OnnxStudent, TeacherMaps
from training.splits import OSIE_VAL_IDS

SHIPPED = Path(__file__).resolve().parent.parent / "smartcrop_core" / "models" / "saliency.onnx"
METRICS = ("nss", "auc_judd", "cc", "kl", "sim")


def load_fixations(path: Path) -> dict[str, np.ndarray]:
    """OSIE JSON -> {file name: (N, 2) float x, y} over all observers."""
    raw = json.loads(path.read_text())
    return {name: np.asarray([(p[0], p[1]) for s in v["subjects"] for p in s], dtype=np.float64).reshape(-1, 2)
            for name, v in raw.items()}


def engine_saliency_map():
    """``smartcrop_core.saliency_map`` if the engine exports it, else None."""
    try:
        import smartcrop_core
    except Exception:  # the engine may be absent or mid-rewrite
        return None
    return getattr(smartcrop_core, "saliency_map", None)


def ours(model: Path, via_engine: str, upsampling: str = "bicubic"):
    """Our model as users get it (engine) when possible, else the ONNX file directly."""
    fn = engine_saliency_map() if via_engine != "no" else None
    if via_engine == "yes" and fn is None:
        raise SystemExit("smartcrop_core.saliency_map is not available")
    if fn is not None:
        return EngineStudent(fn, model, upsampling=upsampling)
    return OnnxStudent(model, upsampling=upsampling)


def evaluate(predictors: list, images: list[Path], fixations: dict[str, np.ndarray], sigma: float) -> dict:
    """Mean (and std) of every metric per predictor over ``images``."""
    results = {}
    for pred in predictors:
        rows = [all_metrics(pred(p), fixations[p.name], sigma) for p in images]
        results[pred.name] = {m: float(np.mean([r[m] for r in rows])) for m in METRICS}
        results[pred.name].update({f"{m}_std": float(np.std([r[m] for r in rows])) for m in METRICS})
        print(pred.name, {m: round(results[pred.name][m], 4) for m in METRICS}, flush=True)
    return results


def markdown(results: dict) -> str:
    lines = ["| model | NSS | AUC-Judd | CC | KL | SIM |", "|---|---|---|---|---|---|"]
    for name, r in results.items():
        lines.append(f"| {name} | " + " | ".join(f"{r[m]:.3f}" for m in METRICS) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", type=Path, required=True, help="folder of images")
    ap.add_argument("--fixations", type=Path, required=True, help="fixations JSON (OSIE format)")
    ap.add_argument("--model", type=Path, default=SHIPPED, help="our ONNX model")
    ap.add_argument("--fastgaze", type=Path, default=None, help="anchors/fastgaze.onnx (optional)")
    ap.add_argument("--fastgaze-long-side", type=int, nargs="+", default=[512],
                    help="FastGaze input long side(s); the first is used for the latency benchmark")
    ap.add_argument("--data", type=Path, default=None, help="data root with teacher/ (optional)")
    ap.add_argument("--split", choices=("val", "all"), default="val", help="val = OSIE 1601-1700")
    ap.add_argument("--sigma", type=float, default=24.0, help="fixation density blur (px) for CC/KL/SIM")
    ap.add_argument("--centre-frac", type=float, default=0.25)
    ap.add_argument("--via-engine", choices=("auto", "yes", "no"), default="auto")
    ap.add_argument("--upsampling", choices=list(UPSAMPLING), default="bicubic",
                    help="how coarse maps reach the image size (bilinear: as versions up to 2.3.0 were first reported)")
    ap.add_argument("--bench", action="store_true", help="also time ours vs FastGaze at 1 and 2 threads")
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--json", type=Path, default=None, help="write results here")
    args = ap.parse_args(argv)

    fixations = load_fixations(args.fixations)
    images = sorted(p for p in args.images.iterdir() if p.name in fixations)
    if args.split == "val":
        images = [p for p in images if p.name in OSIE_VAL_IDS]
    print(f"{len(images)} images", flush=True)
    preds = [ours(args.model, args.via_engine, args.upsampling), CentreGaussian(args.centre_frac)]
    if args.fastgaze:
        preds.extend(FastGaze(args.fastgaze, long_side=n, upsampling=args.upsampling) for n in args.fastgaze_long_side)
    if args.data:
        preds.append(TeacherMaps(args.data))
    out: dict = {"n_images": len(images), "sigma_px": args.sigma, "split": args.split, "upsampling": args.upsampling,
                 "model": str(args.model), "metrics": evaluate(preds, images, fixations, args.sigma)}
    print(markdown(out["metrics"]))
    if args.bench and args.fastgaze:
        from training.benchmark import benchmark

        out["latency"] = benchmark(args.model, args.fastgaze, images[0], repeats=args.repeats,
                                   fastgaze_long_side=args.fastgaze_long_side[0])
        for row in out["latency"]:
            print(row)
    if args.model.exists():
        out["model_bytes"] = args.model.stat().st_size
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
