"""Where faces and people are: OpenCV's Haar face detector (optional), or boxes the user supplies.

OpenCV is imported only when ``--faces`` is asked for, so the audit (and the core) never needs it
otherwise. opencv 5 dropped ``CascadeClassifier``; the ``audit`` extra pins ``opencv-python-headless>=4.9,<5``.
Haar cascades find frontal faces only and miss many dark-skinned and profile faces: a face the detector
misses makes that image count as "no face", so check the example pictures before trusting the shares.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from PIL import Image

from smartcrop_core import Box, SmartCropError

#: Haar boxes stop at the eyebrows and the chin; hair and ears are part of the head.
FACE_MARGIN = 0.2
#: A person region estimated from a face: this many face widths wide, down to this many face heights
#: below the face (an adult is about 7.5 heads tall). Rough, by design: it only separates "on the body"
#: from "elsewhere in the picture".
BODY_WIDTH_FACES = 3.0
BODY_HEIGHT_FACES = 6.0
#: Faces are detected on a copy whose longer side is at most this (speed; Haar works on small faces).
DETECT_LONG_SIDE = 640


class FaceDetectionUnavailable(SmartCropError):
    """OpenCV (with CascadeClassifier) is not installed."""


class FaceDetector:
    """OpenCV's frontal-face Haar cascade on a grey copy of the image."""

    def __init__(self) -> None:
        try:
            import cv2  # noqa: PLC0415 (optional dependency, imported on demand)
        except ImportError as error:
            raise FaceDetectionUnavailable(
                "--faces needs OpenCV: pip install 'smartcrop-saliency[audit]' (opencv-python-headless>=4.9,<5)"
            ) from error
        if not hasattr(cv2, "CascadeClassifier"):
            raise FaceDetectionUnavailable(
                f"--faces needs OpenCV 4 (this is {cv2.__version__}, without CascadeClassifier): "
                "pip install 'opencv-python-headless>=4.9,<5'"
            )
        cv2.setNumThreads(1)  # like the model: one thread by default, these machines are shared
        self.cv2 = cv2
        self.cascade = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"))
        if self.cascade.empty():
            raise FaceDetectionUnavailable("OpenCV's haarcascade_frontalface_default.xml could not be loaded")

    def detect(self, image: Image.Image, size: tuple[int, int]) -> list[Box]:
        """Face boxes in pixels of an image of ``size`` (the analysed, upright size)."""
        small = image.convert("L")
        small.thumbnail((DETECT_LONG_SIDE, DETECT_LONG_SIDE))
        grey = self.cv2.equalizeHist(np.asarray(small))
        found = self.cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24))
        scale_x, scale_y = size[0] / small.width, size[1] / small.height
        return [Box(int(x), int(y), int(w), int(h)).scaled(scale_x, scale_y) for x, y, w, h in found]


def read_boxes(csv_path: Path, images_dir: Path) -> tuple[dict[Path, list[tuple[str, Box]]], list[str]]:
    """Boxes per image from ``file,kind,left,top,width,height`` (pixels of the upright image).

    Returns the boxes and the rows that could not be used (one line each).
    """
    boxes: dict[Path, list[tuple[str, Box]]] = {}
    problems: list[str] = []
    try:
        with open(csv_path, newline="", encoding="utf-8-sig") as stream:
            rows = list(csv.DictReader(stream))
    except OSError as error:
        raise SmartCropError(f"cannot read boxes {csv_path}: {error.strerror or error}") from error
    for number, row in enumerate(rows, start=2):
        try:
            kind = (row.get("kind") or "face").strip().lower()
            if kind not in ("face", "person"):
                raise ValueError(f"kind must be face or person, not {kind!r}")
            box = Box(*(int(round(float(row[key]))) for key in ("left", "top", "width", "height")))
            if box.width <= 0 or box.height <= 0:
                raise ValueError("empty box")
            path = (images_dir / row["file"].strip()).resolve()
        except (KeyError, ValueError, TypeError, AttributeError) as error:
            problems.append(f"{csv_path.name} line {number}: {error}, skipped")
            continue
        boxes.setdefault(path, []).append((kind, box))
    return boxes, problems


def enlarge(box: Box, margin: float, size: tuple[int, int]) -> Box:
    """The box grown by ``margin`` of its size on every side, clipped to the image."""
    left = max(0, round(box.left - margin * box.width))
    top = max(0, round(box.top - margin * box.height))
    right = min(size[0], round(box.right + margin * box.width))
    bottom = min(size[1], round(box.bottom + margin * box.height))
    return Box(left, top, max(1, right - left), max(1, bottom - top))


def body_from_face(face: Box, size: tuple[int, int]) -> Box:
    """A rough person region below and around a face (see BODY_WIDTH_FACES / BODY_HEIGHT_FACES)."""
    centre = face.left + face.width / 2
    left = max(0, round(centre - BODY_WIDTH_FACES / 2 * face.width))
    right = min(size[0], round(centre + BODY_WIDTH_FACES / 2 * face.width))
    top = max(0, face.top)
    bottom = min(size[1], round(face.bottom + BODY_HEIGHT_FACES * face.height))
    return Box(left, top, max(1, right - left), max(1, bottom - top))
