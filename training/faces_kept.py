"""How often each model's crops keep a detected face whole: a guard for map changes that score better.

Why: a map tuned on human fixations can score higher on NSS and on fixations kept while moving crops
off faces onto text or bright details (the 0.6 fixation weight of issue 14 did, on Grace Hopper's
portrait among others). The audit compares faces with faces; this counts faces cut by the crop itself.
Faces are OpenCV's frontal Haar cascade (the ``bench`` extra), side >= 1/12 of the image's short side;
a face counts as kept when at least 90% of its box lies inside the crop. Only crops that cut the image
count (a 16:9 box of a 16:9 photo keeps everything).

    python -m training.faces_kept --data /work/shared/data --models v210=A.onnx v220=B.onnx
"""
from __future__ import annotations

import argparse
import functools
from pathlib import Path

import numpy as np

from benchmarks.crop_quality import RATIOS
from training.splits import OSIE_VAL_IDS

KEPT_SHARE = 0.9


@functools.cache
def _cascade():
    """OpenCV's frontal face cascade, loaded once (one thread, as the models run)."""
    import cv2

    cv2.setNumThreads(1)
    return cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")


def detect_faces(path: Path) -> tuple[tuple[int, int], list[tuple[int, int, int, int]]]:
    """(width, height) and the frontal faces (x, y, w, h) of an image; no faces for an unreadable one."""
    import cv2

    grey = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if grey is None:
        return (0, 0), []
    return (grey.shape[1], grey.shape[0]), face_boxes(grey)


def face_boxes(grey: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The frontal faces (x, y, w, h) of a uint8 greyscale image, side >= 1/12 of its short side."""
    side = max(24, min(grey.shape) // 12)
    return [tuple(int(v) for v in f) for f in _cascade().detectMultiScale(grey, 1.1, 5, minSize=(side, side))]


def face_mask(rgb: np.ndarray) -> np.ndarray | None:
    """A uint8 mask (1 inside any detected face box) of a uint8 RGB image, or None without faces."""
    grey = (rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)).astype(np.uint8)
    boxes = face_boxes(grey)
    if not boxes:
        return None
    mask = np.zeros(grey.shape, dtype=np.uint8)
    for x, y, w, h in boxes:
        mask[y:y + h, x:x + w] = 1
    return mask


def kept(box, face: tuple[int, int, int, int]) -> bool:
    """Whether at least KEPT_SHARE of the face's box lies inside the crop box."""
    x, y, w, h = face
    inside_x = max(0, min(box.right, x + w) - max(box.left, x))
    inside_y = max(0, min(box.bottom, y + h) - max(box.top, y))
    return inside_x * inside_y >= KEPT_SHARE * w * h


def faces_kept(paths: list[Path], models: dict[str, Path]) -> dict[str, tuple[float, int]]:
    """Per model: (share of face-crops kept, number of face-crops) over the images with faces."""
    import smartcrop_core

    loaded = {name: smartcrop_core.get_model(path, 1) for name, path in models.items()}
    counts: dict[str, list[bool]] = {name: [] for name in models}
    for path in paths:
        (width, height), faces = detect_faces(path)
        if not faces:
            continue
        for name, model in loaded.items():
            analysis = smartcrop_core.analyze(str(path), RATIOS, model=model)
            for ratio in RATIOS:
                box = analysis.boxes[ratio]
                if box.width < width or box.height < height:
                    counts[name] += [kept(box, face) for face in faces]
    return {name: (float(np.mean(v)) if v else float("nan"), len(v)) for name, v in counts.items()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="data root with osie/stimuli and photos/fcdb")
    ap.add_argument("--models", nargs="+", required=True, help="NAME=ONNX, in column order")
    args = ap.parse_args(argv)
    models = {name: Path(path) for name, path in (m.split("=", 1) for m in args.models)}
    sets = {"OSIE validation": [args.data / "osie" / "stimuli" / n for n in sorted(OSIE_VAL_IDS)],
            "FCDB": sorted((args.data / "photos" / "fcdb").glob("*.jpg"))}
    print("| images | " + " | ".join(models) + " |\n|---|" + "---|" * len(models))
    for title, paths in sets.items():
        result = faces_kept(paths, models)
        print(f"| {title} | " + " | ".join(f"{share:.1%} of {n}" for share, n in result.values()) + " |", flush=True)


if __name__ == "__main__":
    main()
