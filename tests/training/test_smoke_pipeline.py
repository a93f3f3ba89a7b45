"""Tiny end-to-end run of the training pipeline (cache -> train -> prune -> export) on made-up data.

Runs on CPU with one thread in a few seconds; checks that every command works and that the exported
model honours the engine contract, not that it learns anything.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from PIL import Image  # noqa: E402


def _make_data(root: Path) -> None:
    """4 'photos' and 3 OSIE-like images (one in the validation split) with teacher maps + fixations."""
    rng = np.random.default_rng(0)
    fix: dict = {}
    items = [(f"photos/set/p{i}.jpg", (96 + 32 * i, 64 + 16 * (i % 2))) for i in range(3)]
    items.append(("photos/set/tall.jpg", (60, 100)))
    items += [(f"osie/stimuli/{n}.jpg", (80, 60)) for n in (1001, 1002, 1650)]
    for rel, (w, h) in items:
        img = Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8))
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        img.save(path)
        teacher = root / "teacher" / Path(rel).with_suffix(".png")
        teacher.parent.mkdir(parents=True, exist_ok=True)
        yy, xx = np.mgrid[0:h, 0:w]
        blob = np.exp(-((xx - w / 3) ** 2 + (yy - h / 2) ** 2) / (2 * (w / 8) ** 2))
        Image.fromarray((255 * blob / blob.max()).astype(np.uint8)).save(teacher)
        if rel.startswith("osie"):
            fix[Path(rel).name] = {"width": w, "height": h, "subjects": [
                [[float(w / 3 + rng.normal()), float(h / 2 + rng.normal()), 200] for _ in range(4)]
                for _ in range(3)]}
    (root / "osie" / "fixations.json").write_text(json.dumps(fix))


def test_pipeline_smoke(tmp_path: Path) -> None:
    from training import cache, export, prune, train

    data, work = tmp_path / "data", tmp_path / "work"
    _make_data(data)
    cache.main(["--data", str(data), "--long-side", "96", "--faces", "--out", str(work / "c96.pkl")])
    cache.main(["--data", str(data), "--long-side", "64", "--out", str(work / "c64.pkl")])
    records = cache.load_cache(work / "c96.pkl")
    assert len(records) == 7 and sum(r.is_val for r in records) == 1
    assert records[0].fixations is not None or any(r.fixations is not None for r in records)

    train.main(["--train-cache", str(work / "c96.pkl"), "--val-cache", str(work / "c64.pkl"),
                "--out", str(work / "run"), "--epochs", "2", "--steps-per-epoch", "2", "--batch-size", "2",
                "--height", "64", "--width", "96", "--no-pretrained", "--threads", "1"])
    hist = json.loads((work / "run" / "history.json").read_text())
    assert len(hist) == 2 and np.isfinite(hist[-1]["nss"])
    train.main(["--train-cache", str(work / "c96.pkl"), "--val-cache", str(work / "c64.pkl"),
                "--out", str(work / "run"), "--epochs", "3", "--steps-per-epoch", "2", "--batch-size", "2",
                "--height", "64", "--width", "96", "--no-pretrained", "--resume",
                "--crop-weight", "1", "--face-weight", "1", "--face-images", "all"])
    resumed = json.loads((work / "run" / "history.json").read_text())
    assert len(resumed) == 3 and np.isfinite(resumed[-1]["nss"])

    prune.main(["--init", str(work / "run" / "best.pt"), "--train-cache", str(work / "c96.pkl"),
                "--val-cache", str(work / "c64.pkl"), "--out", str(work / "prune"), "--batch-size", "2",
                "--height", "64", "--width", "96", "--steps-per-round", "1", "--remove-per-round", "20",
                "--eval-every", "1", "--max-rounds", "2"])
    curve = json.loads((work / "prune" / "curve.json").read_text())
    assert len(curve) == 3 and curve[-1]["flops"] < curve[0]["flops"]

    out = work / "model.onnx"
    export.main(["--checkpoint", str(work / "prune" / "last.pt"), "--out", str(out), "--version", "0.0.1"])
    sess = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    meta = sess.get_modelmeta().custom_metadata_map
    assert meta["smartcrop.version"] == "0.0.1" and meta["smartcrop.stride"] == "8"
    y = sess.run(["log_saliency"], {"image": np.full((1, 3, 64, 96), 100, np.float32)})[0]
    assert y.shape == (1, 1, 8, 12) and abs(float(np.exp(y).sum()) - 1) < 1e-4
