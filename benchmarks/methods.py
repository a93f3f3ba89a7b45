"""The crop deciders compared in the benchmarks, each behind one signature:

    decide(path, ratios) -> {ratio_label: (left, top, width, height)} in pixels of the upright image

Peers are imported lazily, so a missing optional package only removes its row (``available()``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

import smartcrop_core
from smartcrop_core import Analysis, CropOptions, parse_ratio, ratio_label
from smartcrop_core.analysis import dequantise, quantise, top_points
from smartcrop_core.geometry import centre_box, largest_size, place_on_point
from smartcrop_core.loading import Source

Boxes = dict[str, tuple[int, int, int, int]]
Decider = Callable[[str, list[str]], Boxes]
# ../shared beside the checkout (or $SMARTCROP_SHARED_DATA/..): Twitter's model, for comparison only.
SHARED = Path(os.environ["SMARTCROP_SHARED_DATA"]).parent if os.environ.get("SMARTCROP_SHARED_DATA") \
    else Path(__file__).resolve().parents[2] / "shared"
FASTGAZE = SHARED / "anchors" / "fastgaze.onnx"
VGG_MEAN_BGR = np.array([103.939, 116.779, 123.68], dtype=np.float32)


def ours(path: str, ratios: list[str], strategy: str = "mass", threads: int = 1) -> Boxes:
    analysis = smartcrop_core.analyze(path, ratios, options=smartcrop_core.CropOptions(strategy), threads=threads)
    return {label: tuple(box.as_list()) for label, box in analysis.boxes.items()}


def centre(path: str, ratios: list[str]) -> Boxes:
    info = Source(path).info()
    boxes = {}
    for ratio in ratios:
        size = largest_size(info.width, info.height, parse_ratio(ratio))
        boxes[ratio_label(ratio)] = tuple(centre_box(info.width, info.height, *size).as_list())
    return boxes


def pillow_draft_decode(path: str, ratios: list[str]) -> Boxes:
    """Not a decider: the cost of the reduced-size decode alone, for reference."""
    Source(path).load(min_size=(256, 192))
    return {}


def _vips_box(image, ratio: str, scale: float, width: int, height: int) -> tuple[int, int, int, int]:
    w, h = largest_size(image.width, image.height, parse_ratio(ratio))
    _, found = image.smartcrop(w, h, interesting="attention", attention_x=True, attention_y=True)
    # smartcrop centres its window on the attention point (clamped): map that window to full size.
    fw, fh = largest_size(width, height, parse_ratio(ratio))
    x, y = found["attention_x"] / scale, found["attention_y"] / scale
    left = min(max(round(x - fw / 2), 0), width - fw)
    top = min(max(round(y - fh / 2), 0), height - fh)
    return (left, top, fw, fh)


def vips_thumbnail_attention(path: str, ratios: list[str], size: int = 512) -> Boxes:
    """libvips' fastest path: shrink-on-load to 512 px, then attention per ratio."""
    import pyvips

    image = pyvips.Image.thumbnail(path, size, height=size).copy_memory()  # decoded once for all ratios
    full = pyvips.Image.new_from_file(path)
    width, height = _upright_size(full)
    scale = image.width / width
    return {ratio_label(r): _vips_box(image, r, scale, width, height) for r in ratios}


def vips_attention_full(path: str, ratios: list[str]) -> Boxes:
    """libvips smartcrop(attention) on the full-size image."""
    import pyvips

    image = pyvips.Image.new_from_file(path).autorot()
    return {ratio_label(r): _vips_box(image, r, 1.0, image.width, image.height) for r in ratios}


def vips_entropy_full(path: str, ratios: list[str]) -> Boxes:
    """libvips smartcrop(entropy): it returns the crop itself; its offsets give the box."""
    import pyvips

    image = pyvips.Image.new_from_file(path).autorot()
    boxes = {}
    for ratio in ratios:
        w, h = largest_size(image.width, image.height, parse_ratio(ratio))
        cropped = image.smartcrop(w, h, interesting="entropy")
        boxes[ratio_label(ratio)] = (-cropped.xoffset, -cropped.yoffset, w, h)
    return boxes


def smartcrop_py(path: str, ratios: list[str]) -> Boxes:
    """The smartcrop PyPI package (a smartcrop.js port), on the upright image."""
    import smartcrop

    image = Source(path).load()
    cropper = smartcrop.SmartCrop()
    boxes = {}
    for ratio in ratios:
        w, h = largest_size(image.width, image.height, parse_ratio(ratio))
        found = cropper.crop(image.convert("RGB"), w, h)["top_crop"]
        boxes[ratio_label(ratio)] = (found["x"], found["y"], found["width"], found["height"])
    return boxes


@lru_cache(maxsize=4)
def _fastgaze_session(threads: int):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(FASTGAZE), options, providers=["CPUExecutionProvider"])


def fastgaze(path: str, ratios: list[str], strategy: str = "mass", threads: int = 1, long_side: int = 512) -> Boxes:
    """Twitter's FastGaze at 512 px (its log map, exponentiated) with our crop heuristics."""
    source = Source(path)
    info = source.info()
    scale = long_side / max(info.width, info.height)
    size = (max(16, round(info.width * scale / 16) * 16), max(16, round(info.height * scale / 16) * 16))
    image = source.load(min_size=size).convert("RGB").resize(size, Image.BILINEAR, reducing_gap=3.0)
    bgr = np.asarray(image, dtype=np.float32)[..., ::-1] - VGG_MEAN_BGR
    (log_map,) = _fastgaze_session(threads).run(None, {"bgr_minus_vggmean": bgr.transpose(2, 0, 1)[None].copy()})
    density = np.exp(log_map[0, 0] - log_map.max())
    grid = dequantise(quantise(density / density.sum()))
    from smartcrop_core.analysis import symmetry_score

    analysis = Analysis(info.width, info.height, grid, top_points(grid), symmetry_score(np.asarray(image)), "fastgaze")
    return {ratio_label(r): tuple(analysis.box(r, CropOptions(strategy=strategy)).as_list()) for r in ratios}


@lru_cache(maxsize=1)
def _face_cascade():
    import cv2

    return cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")


def haar_faces(path: str, ratios: list[str]) -> Boxes:
    """Thumbor's approach: OpenCV Haar faces, window centred on their area-weighted centre; centre crop if none."""
    image = Source(path).load().convert("L")
    gray = np.asarray(image)
    faces = _face_cascade().detectMultiScale(gray, scaleFactor=1.1, minNeighbors=4, minSize=(20, 20))
    if len(faces) == 0:
        return centre(path, ratios)
    weights = np.array([w * h for _, _, w, h in faces], dtype=float)
    x = float(np.sum([(fx + w / 2) * wt for (fx, _, w, _), wt in zip(faces, weights)]) / weights.sum())
    y = float(np.sum([(fy + h / 2) * wt for (_, fy, _, h), wt in zip(faces, weights)]) / weights.sum())
    boxes = {}
    for ratio in ratios:
        size = largest_size(image.width, image.height, parse_ratio(ratio))
        boxes[ratio_label(ratio)] = tuple(place_on_point(x / image.width, y / image.height, image.width, image.height, *size).as_list())
    return boxes


def _upright_size(image) -> tuple[int, int]:
    orientation = image.get("orientation") if image.get_typeof("orientation") else 1
    return (image.height, image.width) if orientation in (5, 6, 7, 8) else (image.width, image.height)


def available() -> dict[str, Decider]:
    """Every decider whose packages are installed, by display name."""
    deciders: dict[str, Decider] = {
        "smartcrop-saliency (ours)": ours,
        "ours, twitter rule": lambda p, r, threads=1: ours(p, r, strategy="twitter", threads=threads),
        "centre crop": centre,
    }
    try:
        import pyvips  # noqa: F401

        deciders["libvips thumbnail 512 + attention"] = vips_thumbnail_attention
        deciders["libvips attention, full image"] = vips_attention_full
        deciders["libvips entropy, full image"] = vips_entropy_full
    except (ImportError, OSError):
        pass
    try:
        import smartcrop  # noqa: F401

        deciders["smartcrop.py"] = smartcrop_py
    except ImportError:
        pass
    try:
        import cv2

        if hasattr(cv2, "CascadeClassifier"):
            deciders["OpenCV Haar faces (Thumbor's approach)"] = haar_faces
    except ImportError:
        pass
    if FASTGAZE.is_file():
        deciders["FastGaze 512 px + our mass window"] = fastgaze
        deciders["FastGaze 512 px + twitter rule"] = lambda p, r, threads=1: fastgaze(p, r, "twitter", threads)
    return deciders
