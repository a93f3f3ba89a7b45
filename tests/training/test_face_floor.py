"""The face floor (losses.face_floor) and the face cover it reads (faces_kept.face_mask, data.augment)."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from training.cache import Record  # noqa: E402
from training.data import AugmentConfig, augment  # noqa: E402
from training.losses import face_floor  # noqa: E402

H, W = 6, 8


def _density(face_share: float, faces: torch.Tensor) -> torch.Tensor:
    """A density [1,1,H,W] putting ``face_share`` of its mass evenly on the face cells."""
    inside = faces / faces.sum() * face_share
    outside = (1 - faces) / (1 - faces).sum() * (1 - face_share)
    return inside + outside


def _faces() -> torch.Tensor:
    faces = torch.zeros(1, 1, H, W)
    faces[..., 1:3, 2:4] = 1.0
    return faces


def test_zero_when_the_student_keeps_at_least_the_teachers_face_mass() -> None:
    faces = _faces()
    teacher = _density(0.3, faces)
    assert float(face_floor(torch.log(_density(0.3, faces)), teacher, faces)) == pytest.approx(0, abs=1e-5)
    assert float(face_floor(torch.log(_density(0.6, faces)), teacher, faces)) == 0.0


def test_log_ratio_when_the_student_takes_mass_off_faces() -> None:
    faces = _faces()
    loss = face_floor(torch.log(_density(0.1, faces)), _density(0.3, faces), faces)
    assert float(loss) == pytest.approx(np.log(3.0), rel=1e-4)


def test_items_without_faces_do_not_count() -> None:
    faces = torch.cat([_faces(), torch.zeros(1, 1, H, W)])
    student = torch.log(torch.cat([_density(0.1, _faces()), _density(0.1, _faces())]))
    teacher = torch.cat([_density(0.3, _faces())] * 2)
    assert float(face_floor(student, teacher, faces)) == pytest.approx(np.log(3.0), rel=1e-4)
    assert float(face_floor(student, teacher, torch.zeros_like(faces))) == 0.0


def test_augment_carries_the_face_cover_through_crop_and_flip() -> None:
    image = np.zeros((64, 96, 3), dtype=np.uint8)
    faces = np.zeros((64, 96), dtype=np.uint8)
    faces[:, :24] = 1  # the left quarter
    record = Record("x.jpg", image, np.full((64, 96), 9, np.uint8), (96, 64), None, False, faces)
    whole = AugmentConfig(full_image_prob=1.0, flip_prob=0.0, jitter=0.0)
    flipped = AugmentConfig(full_image_prob=1.0, flip_prob=1.0, jitter=0.0)
    cover = augment(record, (64, 96), whole, random.Random(0))[3][0]
    assert cover[:, :3].min() == 1.0 and cover[:, 3:].max() == 0.0
    assert torch.equal(augment(record, (64, 96), flipped, random.Random(0))[3][0], cover.flip(-1))
    record.faces = None
    assert augment(record, (64, 96), whole, random.Random(0))[3].abs().sum() == 0


GRACE = Path(__file__).resolve().parents[2] / "samples" / "grace_hopper.jpg"


def _record(image: np.ndarray, fixations: np.ndarray | None = None, faces: np.ndarray | None = None) -> Record:
    h, w = image.shape[:2]
    return Record("x.jpg", image, np.full((h, w), 9, np.uint8), (w, h), fixations, False, faces)


def test_attach_faces_keeps_the_caches_masks_and_drops_them_where_fixations_win() -> None:
    from training.train import attach_faces

    blank = np.zeros((48, 64, 3), np.uint8)  # no face a detector could find: a mask here is the cache's
    mask = np.ones((48, 64), np.uint8)
    photo, osie = _record(blank, faces=mask), _record(blank, np.zeros((3, 2), np.float32), mask)
    assert attach_faces([photo, osie], "without-fixations") == 1
    assert photo.faces is mask and osie.faces is None
    osie.faces = mask
    assert attach_faces([photo, osie], "all") == 2


def test_faces_are_detected_at_cache_time_or_at_train_start(tmp_path) -> None:
    pytest.importorskip("cv2")
    from PIL import Image

    from training import cache
    from training.train import attach_faces

    (tmp_path / "photos").mkdir()
    (tmp_path / "teacher" / "photos").mkdir(parents=True)
    Image.open(GRACE).save(tmp_path / "photos" / "grace.jpg")
    Image.new("L", Image.open(GRACE).size, 200).save(tmp_path / "teacher" / "photos" / "grace.png")
    cached = cache.build(tmp_path, 320, faces=True)
    plain = cache.build(tmp_path, 320)
    assert cached[0].faces is not None and cached[0].faces.shape == cached[0].image.shape[:2]
    assert plain[0].faces is None
    assert attach_faces(plain, "all") == 1 and np.array_equal(plain[0].faces, cached[0].faces)
