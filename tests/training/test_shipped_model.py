"""The shipped ONNX model loads, honours the engine contract and puts its peak on the fixations."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

ort = pytest.importorskip("onnxruntime")

from training.preprocess import load_model_input  # noqa: E402

REQUIRED_META = ("smartcrop.name", "smartcrop.version", "smartcrop.input_long_side", "smartcrop.stride")
VAL_SAMPLE = [f"{i}.jpg" for i in range(1601, 1701, 10)]  # 10 validation images


def _session(path: Path) -> "ort.InferenceSession":
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def test_size_and_metadata(shipped_model: Path) -> None:
    assert shipped_model.stat().st_size <= 3_000_000
    meta = _session(shipped_model).get_modelmeta().custom_metadata_map
    for key in REQUIRED_META:
        assert key in meta, key
    assert meta["smartcrop.stride"] == "8"
    assert int(meta["smartcrop.input_long_side"]) % 32 == 0


@pytest.mark.parametrize("h,w", [(192, 256), (256, 192), (96, 320), (32, 32)])
def test_io_contract(shipped_model: Path, h: int, w: int) -> None:
    sess = _session(shipped_model)
    (inp,), (out,) = sess.get_inputs(), sess.get_outputs()
    assert (inp.name, out.name) == ("image", "log_saliency")
    x = np.random.default_rng(0).uniform(0, 255, (1, 3, h, w)).astype(np.float32)
    y = sess.run(["log_saliency"], {"image": x})[0]
    assert y.shape == (1, 1, h // 8, w // 8) and y.dtype == np.float32
    assert float(np.exp(y).sum()) == pytest.approx(1.0, abs=1e-4)


def test_uniform_image_mass_is_central(shipped_model: Path) -> None:
    """On a flat grey image mostly the learned centre bias speaks: the mass centroid is central."""
    y = _session(shipped_model).run(["log_saliency"], {"image": np.full((1, 3, 192, 256), 128, np.float32)})[0]
    p = np.exp(y[0, 0])
    cy = float((p.sum(axis=1) * (np.arange(24) + 0.5)).sum()) / 24
    cx = float((p.sum(axis=0) * (np.arange(32) + 0.5)).sum()) / 32
    assert 1 / 3 < cy < 2 / 3 and 1 / 3 < cx < 2 / 3


def test_peak_lies_in_fixation_cluster(shipped_model: Path, shared_data: Path) -> None:
    """On OSIE validation images the argmax cell's fixation density is in the top 10% of cells."""
    sess = _session(shipped_model)
    long_side = int(sess.get_modelmeta().custom_metadata_map["smartcrop.input_long_side"])
    fixations = json.loads((shared_data / "osie" / "fixations.json").read_text())
    hits = 0
    for name in VAL_SAMPLE:
        img, (ow, oh) = load_model_input(shared_data / "osie" / "stimuli" / name, long_side)
        y = sess.run(["log_saliency"], {"image": img.transpose(2, 0, 1)[None].astype(np.float32)})[0][0, 0]
        gh, gw = y.shape
        counts = np.zeros((gh, gw))
        for subject in fixations[name]["subjects"]:
            for x, yy, _ in subject:
                counts[min(gh - 1, int(yy / oh * gh)), min(gw - 1, int(x / ow * gw))] += 1
        # a little spatial smoothing so a fixation on a cell border counts for both cells
        padded = np.pad(counts, 1)
        smooth = sum(padded[1 + dy:1 + dy + gh, 1 + dx:1 + dx + gw] for dy in (-1, 0, 1) for dx in (-1, 0, 1))
        peak = np.unravel_index(int(np.argmax(y)), y.shape)
        hits += smooth[peak] >= np.quantile(smooth, 0.9)
    assert hits >= 8, f"peak inside the fixation cluster on only {hits}/{len(VAL_SAMPLE)} images"
