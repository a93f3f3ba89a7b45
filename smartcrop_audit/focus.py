"""`smartcrop audit focus`: does the saliency peak on faces, or elsewhere on the person?

Twitter checked by hand whether its crops centred on bodies rather than faces (the "male gaze" check:
tall images with at least two salient regions, 1:1 crops) and found no evidence of it. This command
makes the check countable on the user's own photos:

- with face boxes (``--faces``: OpenCV's Haar detector; or ``--boxes``: the user's own boxes), each image
  with a face is classified by where its top salient point lies: on a face (box grown by 20%), elsewhere
  on the person (a person box, or a rough body region below the face), or elsewhere in the picture; and
  for both strategies, whether the crop keeps a face (at least 90% of a face box inside);
- without face boxes (OpenCV missing, no annotations), a face cannot be told from a body; the command
  then reports where the top points lie (upper, middle, lower third of the image), which images fall
  in Twitter's selection, and writes the example pictures to review by hand, as Twitter did.

Images are analysed one at a time and dropped; per-image records are streamed to ``focus.jsonl``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from tqdm import tqdm

from smartcrop_core import Analysis, Box, CropOptions, ImageError, SaliencyModel, Source, analyze
from smartcrop_core import save_atomically

from .examples import decision_picture
from .faces import FACE_MARGIN, FaceDetector, body_from_face, enlarge, read_boxes
from .outcomes import contains, overlap
from .sources import images_outside
from .stats import share_with_interval

#: A crop "keeps a face" when at least this share of a face box is inside it.
FACE_KEPT = 0.9
#: Twitter's selection: tall images (height / width at least this) ...
TALL = 1.25
#: ... with at least two salient regions: local maxima scoring at least this share of the peak.
REGION_SCORE = 0.5
PREVIEW_LONG_SIDE = 800
CATEGORIES = ("face", "body", "elsewhere")
SHARE_LABELS = {
    "face": "top salient point on a face",
    "body": "top salient point on the body, off the face",
    "elsewhere": "top salient point off the person",
    "mass_keeps_face": "crop keeps a face (mass strategy, default)",
    "twitter_keeps_face": "crop keeps a face (twitter strategy)",
}


@dataclass(frozen=True)
class FocusConfig:
    ratio: str = "1:1"
    seed: int = 0
    examples: int = 12
    resamples: int = 2000
    confidence: float = 0.95
    max_pixels: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def classify(x: float, y: float, faces: list[Box], persons: list[Box], size: tuple[int, int]) -> str:
    """face / body / elsewhere for a point in pixels (call only when there is at least one face)."""
    if any(contains(enlarge(face, FACE_MARGIN, size), x, y) for face in faces):
        return "face"
    if any(contains(person, x, y) for person in persons):
        return "body"
    return "elsewhere"


def keeps_face(box: Box, faces: list[Box]) -> bool:
    return any(overlap(box, face) >= FACE_KEPT * face.width * face.height for face in faces)


def third(y: float) -> str:
    return "upper" if y < 1 / 3 else "middle" if y < 2 / 3 else "lower"


def in_twitter_selection(analysis: Analysis) -> bool:
    regions = sum(1 for point in analysis.points if point.score >= REGION_SCORE)
    return analysis.height / analysis.width >= TALL and regions >= 2


def preview(path: Path, max_pixels: int | None) -> Image.Image:
    """A copy at most PREVIEW_LONG_SIDE px long, for face detection and example pictures."""
    image = Source(path, max_pixels).load(min_size=(PREVIEW_LONG_SIDE // 2, PREVIEW_LONG_SIDE // 2))
    image.thumbnail((PREVIEW_LONG_SIDE, PREVIEW_LONG_SIDE))
    return image


def run_focus(images_dir: Path, out: Path, model: SaliencyModel, config: FocusConfig, *, faces: bool = False,
              boxes: Path | None = None, progress: bool = True) -> dict[str, Any]:
    """Analyse every image under ``images_dir``; write focus.jsonl and examples; return the report data."""
    warn = lambda message: tqdm.write(message, file=sys.stderr)  # noqa: E731
    detector = FaceDetector() if faces else None
    given, problems = read_boxes(boxes, images_dir) if boxes else ({}, [])
    for problem in problems:
        warn(f"smartcrop audit: {problem}")
    have_faces = detector is not None or boxes is not None
    files = images_outside(images_dir, out)
    out.mkdir(parents=True, exist_ok=True)
    twitter = CropOptions(strategy="twitter")
    bad: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    examples: list[str] = []
    budget = {"review": config.examples - config.examples // 3, "other": config.examples // 3}
    with open(out / "focus.jsonl", "w", encoding="utf-8") as records:
        for path in tqdm(files, unit="image", file=sys.stderr, disable=not progress):
            try:
                analysis = analyze(path, [config.ratio], model=model, max_pixels=config.max_pixels)
                picture = preview(path, config.max_pixels) if detector is not None else None
            except ImageError as error:
                bad[str(path)] = str(error)
                warn(f"smartcrop audit: skipped: {error}")
                continue
            size = (analysis.width, analysis.height)
            mass_box, twitter_box = analysis.boxes[config.ratio], analysis.box(config.ratio, twitter)
            face_boxes: list[Box] = []
            person_boxes: list[Box] = []
            if detector is not None:
                face_boxes = detector.detect(picture, size)
            for kind, box in given.get(path.resolve(), []):
                (face_boxes if kind == "face" else person_boxes).append(box)
            if face_boxes and not person_boxes:
                person_boxes = [body_from_face(face, size) for face in face_boxes]
            top = analysis.top_point
            x, y = top.x * analysis.width, top.y * analysis.height
            row: dict[str, Any] = {
                "file": str(path), "width": analysis.width, "height": analysis.height,
                "top_point": [top.x, top.y], "third": third(top.y), "twitter_selection": in_twitter_selection(analysis),
                "faces": [b.as_list() for b in face_boxes], "persons": [b.as_list() for b in person_boxes],
            }
            if face_boxes:
                row["category"] = classify(x, y, face_boxes, person_boxes, size)
                row["mass_keeps_face"] = keeps_face(mass_box, face_boxes)
                row["twitter_keeps_face"] = keeps_face(twitter_box, face_boxes)
            records.write(json.dumps(row) + "\n")
            rows.append({k: row[k] for k in ("third", "twitter_selection") if k in row}
                        | {k: row[k] for k in ("category", "mass_keeps_face", "twitter_keeps_face") if k in row})
            review = row.get("category") in ("body", "elsewhere") if have_faces else row["twitter_selection"]
            kind = "review" if review else "other"
            if budget[kind] > 0:
                budget[kind] -= 1
                picture = picture if picture is not None else preview(path, config.max_pixels)
                examples.append(save_example(picture, analysis, config.ratio, twitter_box, row, face_boxes,
                                             person_boxes, out, len(rows)))
    return build_report(rows, bad, examples, config, model, have_faces, detector is not None, boxes, problems)


def save_example(picture: Image.Image, analysis: Analysis, ratio: str, twitter_box: Box, row: dict[str, Any],
                 faces: list[Box], persons: list[Box], out: Path, index: int) -> str:
    where = {"face": "on a face", "body": "on the body, off the face", "elsewhere": "off the person"}
    caption = [f"{Path(row['file']).name}: top point "
               + (where[row["category"]] if "category" in row else f"in the {row['third']} third of the image")]
    if "category" in row:
        caption.append(f"keeps a face: mass crop {'yes' if row['mass_keeps_face'] else 'no'}, "
                       f"twitter crop {'yes' if row['twitter_keeps_face'] else 'no'}")
    regions = [(box, "face") for box in faces] + [(box, "person") for box in persons]
    image = decision_picture(picture, analysis, ratio, twitter_box, caption, regions)
    name = f"examples/{index:05d}-{row.get('category', row['third'])}-{Path(row['file']).stem[:40]}.png"
    save_atomically(image, out / name, "PNG")
    return name


def build_report(rows: list[dict[str, Any]], bad: dict[str, str], examples: list[str], config: FocusConfig,
                 model: SaliencyModel, have_faces: bool, detected: bool, boxes: Path | None,
                 problems: list[str]) -> dict[str, Any]:
    rng = np.random.default_rng([config.seed, 2])
    with_face = [row for row in rows if "category" in row]
    shares: dict[str, Any] = {}
    if with_face:
        columns = {category: [row["category"] == category for row in with_face] for category in CATEGORIES}
        columns["mass_keeps_face"] = [row["mass_keeps_face"] for row in with_face]
        columns["twitter_keeps_face"] = [row["twitter_keeps_face"] for row in with_face]
        for key, values in columns.items():
            share, interval = share_with_interval(np.array(values, dtype=float), resamples=config.resamples,
                                                  confidence=config.confidence, rng=rng)
            shares[key] = {"label": SHARE_LABELS[key], "share": share, "ci": [interval.low, interval.high],
                           "count": int(sum(values))}
    notes = [f"boxes file: {problem}" for problem in problems]
    if have_faces and not with_face:
        notes.append("no face was found in any image: the face shares could not be computed")
    if detected:
        notes.append("faces from OpenCV's frontal Haar cascade: it misses profiles and many darker-skinned faces; "
                     "an image where it misses the face counts as 'no face' (check the examples)")
    thirds = {key: float(np.mean([row["third"] == key for row in rows])) if rows else float("nan")
              for key in ("upper", "middle", "lower")}
    sources = (["OpenCV Haar cascade"] if detected else []) + ([f"boxes in {boxes.name}"] if boxes else [])
    return {
        "kind": "smartcrop audit focus",
        "model": model.label,
        "config": config.to_dict(),
        "faces_source": " and ".join(sources) if sources else "nowhere (no --faces, no --boxes)",
        "images": {
            "analysed": len(rows),
            "bad": len(bad),
            "with_face": len(with_face),
            "twitter_selection": sum(1 for row in rows if row["twitter_selection"]),
        },
        "shares": shares,
        "counts": {category: sum(1 for row in with_face if row["category"] == category) for category in CATEGORIES},
        "vertical_position": thirds,
        "bad_images": bad,
        "examples": examples,
        "notes": notes,
    }
