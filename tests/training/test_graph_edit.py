"""Post-training edits of the ONNX file: the map exponent and the centre-bias prior."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from training.graph_edit import centre_constants, with_centre, with_exponent  # noqa: E402


def _run(path: Path, x: np.ndarray) -> np.ndarray:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"]).run(None, {"image": x})[0]


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    return np.random.default_rng(3).uniform(0, 255, (1, 3, 192, 256)).astype(np.float32)


@pytest.mark.parametrize("alpha", [0.5, 2.0])
def test_exponent_is_a_renormalised_power(shipped_model: Path, tmp_path: Path, image, alpha: float) -> None:
    out = tmp_path / "calibrated.onnx"
    with_exponent(shipped_model, out, alpha)
    base = _run(shipped_model, image).astype(np.float64)
    expected = alpha * base - np.log(np.exp(alpha * base).sum())
    got = _run(out, image)
    assert np.abs(got - expected).max() < 1e-4
    assert abs(float(np.exp(got).sum()) - 1.0) < 1e-4
    meta = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"]).get_modelmeta().custom_metadata_map
    assert meta["smartcrop.map_exponent"] == f"{alpha:g}"
    assert meta["smartcrop.version"]  # the original metadata is kept


def test_removing_the_prior_removes_exactly_the_gaussian(shipped_model: Path, tmp_path: Path, image) -> None:
    c = centre_constants(shipped_model)
    assert 0.2 < c["sigma_y"] < 3 and c["weight"] > 0
    out = tmp_path / "noprior.onnx"
    with_centre(shipped_model, out, weight_scale=0.0)
    assert centre_constants(out)["weight"] == 0.0
    h, w = 192 // 8, 256 // 8
    ys = (np.arange(h) + 0.5) / h * 2 - 1
    xs = (np.arange(w) + 0.5) / w * 2 - 1
    prior = -0.5 * c["weight"] * (((ys - c["mean_y"]) / c["sigma_y"])[:, None] ** 2
                                  + ((xs - c["mean_x"]) / c["sigma_x"])[None, :] ** 2)
    diff = (_run(shipped_model, image) - _run(out, image))[0, 0]
    diff -= diff.mean()
    assert np.abs(diff - (prior - prior.mean())).max() < 1e-3


def test_centring_the_prior_moves_mass_down_only_when_it_was_above(shipped_model: Path, tmp_path: Path,
                                                                   image) -> None:
    c = centre_constants(shipped_model)
    out = tmp_path / "centred.onnx"
    with_centre(shipped_model, out, mean_y=0.0)
    assert centre_constants(out)["mean_y"] == 0.0
    rows = np.arange(192 // 8)[:, None]
    centroid = [float((np.exp(_run(p, image)[0, 0]) * rows).sum()) for p in (shipped_model, out)]
    assert np.sign(centroid[1] - centroid[0]) == np.sign(-c["mean_y"]) or c["mean_y"] == 0.0
