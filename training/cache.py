"""Build the training cache: decoded, resized images + teacher maps + OSIE fixations as uint8 arrays.

Why: decoding ~2,200 JPEGs/PNGs every epoch would cost more than the network on these 2-core machines.
Images go through exactly the engine's preprocessing (``preprocess.load_model_input``) at a given long
side; teacher maps are resized to the same size; fixations are kept in original pixel coordinates
together with the original size, so any later resize can map them. ``--faces`` also stores each image's
face boxes (OpenCV, ``training.faces_kept.face_mask``) for ``train --face-weight``, which otherwise
detects them at every start (about 150 s for the 3,469 images).

    python -m training.cache --data /work/shared/data --long-side 320 --faces --out /work/cache/smartcrop/cache_320.pkl
"""
from __future__ import annotations

import argparse
import json
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from training.preprocess import load_map, load_model_input
from training.splits import is_osie_val

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


@dataclass
class Record:
    """One cached image. ``fixations`` is (N, 2) float32 x, y in original pixels, or None (photos)."""

    name: str
    image: np.ndarray  # uint8 (h, w, 3) at model size
    teacher: np.ndarray  # uint8 (h, w), unnormalised density
    orig_size: tuple[int, int]  # (w, h) of the EXIF-oriented original
    fixations: np.ndarray | None
    is_val: bool
    faces: np.ndarray | None = None  # uint8 (h, w) face-box mask at model size (cache --faces or train --face-weight)


def osie_fixations(fix_json: dict, name: str) -> np.ndarray:
    """All observers' fixations of one OSIE image as (N, 2) float32 (x, y); durations are dropped."""
    pts = [(p[0], p[1]) for subject in fix_json[name]["subjects"] for p in subject]
    return np.asarray(pts, dtype=np.float32).reshape(-1, 2)


def list_sources(data: Path, limit: int | None = None) -> list[tuple[Path, str, bool]]:
    """(image path, relative name, is_osie) for every photo and OSIE stimulus that has a teacher map."""
    out: list[tuple[Path, str, bool]] = []
    for sub, is_osie in (("photos", False), ("osie/stimuli", True)):
        root = data / sub
        for p in sorted(root.rglob("*")):
            if p.suffix.lower() in IMAGE_SUFFIXES:
                rel = p.relative_to(data)
                if (data / "teacher" / rel).with_suffix(".png").exists():
                    out.append((p, str(rel), is_osie))
    return out[:limit] if limit else out


def build(data: Path, long_side: int, limit: int | None = None, faces: bool = False) -> list[Record]:
    """Decode and resize every source image once; returns the records (train and val, flagged), with
    their face masks if ``faces``."""
    if faces:
        from training.faces_kept import face_mask  # OpenCV, only needed here
    fix_path = data / "osie" / "fixations.json"
    fix_json = json.loads(fix_path.read_text()) if fix_path.exists() else {}
    records: list[Record] = []
    for path, rel, is_osie in tqdm(list_sources(data, limit), desc=f"cache {long_side}"):
        image, orig = load_model_input(path, long_side)
        teacher = load_map((data / "teacher" / rel).with_suffix(".png"), (image.shape[1], image.shape[0]))
        fix = osie_fixations(fix_json, path.name) if is_osie and path.name in fix_json else None
        mask = face_mask(image) if faces else None
        records.append(Record(rel, image, teacher, orig, fix, is_osie and is_osie_val(path.name), mask))
    return records


class _Unpickler(pickle.Unpickler):
    """Resolves ``Record`` whichever module name it was pickled under (``-m`` runs use ``__main__``)."""

    def find_class(self, module: str, name: str):  # type: ignore[override]
        if name == "Record":
            return Record
        return super().find_class(module, name)


def load_cache(path: str | Path) -> list[Record]:
    """Read a cache written by :func:`main`."""
    with open(path, "rb") as f:
        return _Unpickler(f).load()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="shared data folder (photos/, osie/, teacher/)")
    ap.add_argument("--long-side", type=int, default=320, help="long side of the cached images")
    ap.add_argument("--out", type=Path, required=True, help="output .pkl (keep it outside the repo)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N images (smoke tests)")
    ap.add_argument("--faces", action="store_true", help="also store face masks (OpenCV) for train --face-weight")
    args = ap.parse_args(argv)
    from training import cache as module  # pickle records as training.cache.Record, not __main__.Record

    records = module.build(args.data, args.long_side, args.limit, args.faces)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "wb") as f:
        pickle.dump(records, f, protocol=pickle.HIGHEST_PROTOCOL)
    n_val = sum(r.is_val for r in records)
    with_faces = f", faces in {sum(r.faces is not None for r in records)}" if args.faces else ""
    print(f"wrote {len(records)} records ({n_val} OSIE validation{with_faces}) to {args.out}")


if __name__ == "__main__":
    main()
