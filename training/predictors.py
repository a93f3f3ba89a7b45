"""Saliency predictors compared in evaluate.py, each mapping an image path to a map at the image's size.

Why one interface: every model is scored by the same metric code on maps of the original (EXIF-
oriented) image size, so differences come from the models, not from resizing conventions.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Protocol

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps

from training.preprocess import load_model_input, model_input_size

VGG_MEAN_BGR = np.array([103.939, 116.779, 123.68], dtype=np.float32)
#: How a coarse map is brought to the image size. Bicubic is what the MIT saliency benchmark's own metric
#: code does (MATLAB ``imresize``, cvzoya/saliency ``code_forMetrics``); bilinear is how versions up to
#: 2.3.0 were first reported. Sharper kernels score higher on NSS and AUC-Judd and lower on CC, KL and
#: SIM for a sharp model (docs/model.md, "The map at the image's size").
UPSAMPLING = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR, "lanczos": Image.LANCZOS}


class Predictor(Protocol):
    name: str

    def __call__(self, path: Path) -> np.ndarray: ...


def upsample(grid: np.ndarray, size: tuple[int, int], method: str = "bicubic") -> np.ndarray:
    """A coarse 2-D float map at ``size`` = (w, h) (Pillow 'F' mode), by one of ``UPSAMPLING``; the
    cubic and Lanczos kernels' ringing below zero is clipped (a density is not negative)."""
    if method not in UPSAMPLING:
        raise ValueError(f"upsampling must be one of {sorted(UPSAMPLING)}, got {method!r}")
    resized = np.asarray(Image.fromarray(grid.astype(np.float32), mode="F").resize(size, UPSAMPLING[method]))
    return np.maximum(resized, 0.0)


def session(path: str | Path, threads: int = 1) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def model_long_side(sess: ort.InferenceSession, default: int = 256) -> int:
    meta = sess.get_modelmeta().custom_metadata_map
    return int(meta.get("smartcrop.input_long_side", default))


class OnnxStudent:
    """Our ONNX model run as the engine runs it (same preprocessing); returns the density (exp)."""

    def __init__(self, path: str | Path, threads: int = 1, long_side: int | None = None,
                 upsampling: str = "bicubic") -> None:
        self.sess = session(path, threads)
        self.long_side = long_side or model_long_side(self.sess)
        self.upsampling = upsampling
        self.name = "ours (onnx)"

    def input(self, path: Path) -> tuple[np.ndarray, tuple[int, int]]:
        img, orig = load_model_input(path, self.long_side)
        return img.transpose(2, 0, 1)[None].astype(np.float32), orig

    def __call__(self, path: Path) -> np.ndarray:
        x, orig = self.input(path)
        out = self.sess.run(["log_saliency"], {"image": x})[0][0, 0]
        return upsample(np.exp(out), orig, self.upsampling)


class EngineStudent:
    """Our model through ``smartcrop_core.saliency_map`` (what users get), upsampled to the image size."""

    def __init__(self, fn: Callable[..., np.ndarray], model: str | Path | None = None,
                 upsampling: str = "bicubic") -> None:
        self.fn = fn
        self.model = str(model) if model else None
        self.upsampling = upsampling
        self.name = "ours (smartcrop_core.saliency_map)"

    def __call__(self, path: Path) -> np.ndarray:
        sal = np.asarray(self.fn(path, model=self.model, threads=1), dtype=np.float32)
        with Image.open(path) as img:
            size = ImageOps.exif_transpose(img).size
        return sal if sal.shape == (size[1], size[0]) else upsample(sal, size, self.upsampling)


class FastGaze:
    """Twitter's FastGaze (anchors/fastgaze.onnx) fed at ``long_side`` px (BGR minus VGG mean)."""

    def __init__(self, path: str | Path, threads: int = 1, long_side: int = 512, upsampling: str = "bicubic") -> None:
        self.sess = session(path, threads)
        self.long_side = long_side
        self.upsampling = upsampling
        self.in_name = self.sess.get_inputs()[0].name
        self.name = f"FastGaze @{long_side}px"

    def input(self, path: Path) -> tuple[np.ndarray, tuple[int, int]]:
        img, orig = load_model_input(path, self.long_side)
        bgr = img[:, :, ::-1].astype(np.float32) - VGG_MEAN_BGR
        return bgr.transpose(2, 0, 1)[None].copy(), orig

    def __call__(self, path: Path) -> np.ndarray:
        x, orig = self.input(path)
        out = self.sess.run(None, {self.in_name: x})[0][0, 0]
        return upsample(np.exp(out - out.max()), orig, self.upsampling)


class CentreGaussian:
    """Centre-prior baseline: a Gaussian at the image centre with sigma = ``frac`` x width / height."""

    def __init__(self, frac: float = 0.25) -> None:
        self.frac = frac
        self.name = f"centre Gaussian (sigma {frac} W, {frac} H)"

    def __call__(self, path: Path) -> np.ndarray:
        with Image.open(path) as img:
            w, h = ImageOps.exif_transpose(img).size
        ys = (np.arange(h) + 0.5 - h / 2) / (self.frac * h)
        xs = (np.arange(w) + 0.5 - w / 2) / (self.frac * w)
        return np.exp(-0.5 * (ys[:, None] ** 2 + xs[None, :] ** 2)).astype(np.float32)


class TeacherMaps:
    """The teacher ensemble's precomputed maps (``teacher/<relative path>.png``)."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.name = "teacher (UNISAL x2)"

    def __call__(self, path: Path) -> np.ndarray:
        rel = Path(path).resolve().relative_to(self.data.resolve())
        with Image.open((self.data / "teacher" / rel).with_suffix(".png")) as m:
            return np.asarray(m.convert("L"), dtype=np.float32)


__all__ = ["Predictor", "OnnxStudent", "EngineStudent", "FastGaze", "CentreGaussian", "TeacherMaps",
           "UPSAMPLING", "upsample", "session", "model_input_size"]
