"""The parity term's data and loss (training/parity.py, losses.parity_loss) on made-up portraits."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from PIL import Image  # noqa: E402

from training.losses import parity_loss  # noqa: E402
from training.parity import PairSampler, holdout, person, write_heldout  # noqa: E402


def _face_set(root: Path, people: int = 12) -> Path:
    """Two portraits (neutral, smiling) per person, groups a/b alternating, London-style names."""
    rng = np.random.default_rng(0)
    rows = []
    for k in range(people):
        for mood, suffix in (("neutral", "03"), ("smiling", "08")):
            rel = f"{mood}/{k:03d}_{suffix}.jpg"
            (root / mood).mkdir(parents=True, exist_ok=True)
            Image.fromarray(rng.integers(0, 255, (96, 80, 3), dtype=np.uint8)).save(root / rel)
            rows.append({"file": rel, "group": "ab"[k % 2]})
    with open(root / "labels.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["file", "group"])
        writer.writeheader()
        writer.writerows(rows)
    return root


def test_split_keeps_each_person_on_one_side(tmp_path: Path) -> None:
    assert person("neutral/001_03.jpg") == person("smiling/001_08.jpg") == "001"
    assert holdout("neutral/001_03.jpg") == holdout("smiling/001_08.jpg")
    root = _face_set(tmp_path / "faces", people=40)
    rows = write_heldout(root, tmp_path / "heldout")
    with open(tmp_path / "heldout" / "labels.csv", newline="") as f:
        kept = list(csv.DictReader(f))
    assert len(kept) == rows and rows % 2 == 0  # both portraits of a person, or neither
    assert 10 <= rows // 2 <= 30  # about half of 40 people


def test_batches_hold_both_orders_and_exact_coverage(tmp_path: Path) -> None:
    root = _face_set(tmp_path / "faces", people=40)
    sampler = PairSampler([(root, "group")], pairs=4, seed=1)
    for _ in range(4):
        batch = sampler.sample()
        assert batch.images.shape[0] == 4 and batch.images.shape[1] == 3
        assert batch.group_sign.tolist() == [1.0, -1.0, 1.0, -1.0]
        h, w = batch.images.shape[-2:]
        assert batch.first.shape[-2:] == (h // 8, w // 8)
        # the two images plus the grey gap tile the grid: coverage is a share of each cell, never both
        total = batch.first + batch.second
        assert float(total.max()) <= 1.0 + 1e-5
        assert 0.85 < float(total.mean()) < 0.97  # the 10% gap is left uncovered
        assert torch.allclose(batch.first.sum((1, 2, 3)), batch.second.sum((1, 2, 3)), rtol=0.05)
    with pytest.raises(ValueError):
        PairSampler([(root, "group")], pairs=3)


def test_training_and_heldout_people_are_disjoint(tmp_path: Path) -> None:
    root = _face_set(tmp_path / "faces", people=40)
    train = PairSampler([(root, "group")], pairs=2)
    held = PairSampler([(root, "group")], pairs=2, heldout=True)
    sizes = [sum(len(v) for v in s.sets[0][1].values()) for s in (train, held)]
    assert sum(sizes) == 80 and min(sizes) > 0


def test_parity_loss_separates_position_from_group() -> None:
    first = torch.zeros(4, 1, 2, 4)
    second = torch.zeros(4, 1, 2, 4)
    first[..., :2], second[..., 2:] = 1.0, 1.0
    signs = torch.tensor([1.0, -1.0, 1.0, -1.0])
    uniform = torch.full((4, 1, 2, 4), -np.log(8.0))
    loss, parts = parity_loss(uniform, first, second, signs)
    assert float(loss) == pytest.approx(0.0, abs=1e-9)
    # a model that always puts 3x more mass on the left image: a position preference, no group one
    left = torch.log(torch.tensor([3.0, 3.0, 1.0, 1.0]) / 8.0).view(1, 1, 1, 4).expand(4, 1, 2, 4)
    _, parts = parity_loss(left, first, second, signs)
    assert parts["position"] == pytest.approx(np.log(3.0), rel=1e-4) and parts["group"] == pytest.approx(0.0, abs=1e-6)
    # one that favours group A wherever it sits: a group preference, no position one
    favour_a = torch.where(signs.view(4, 1, 1, 1) > 0, left, left.flip(-1))
    _, parts = parity_loss(favour_a, first, second, signs)
    assert parts["group"] == pytest.approx(np.log(3.0), rel=1e-4) and parts["position"] == pytest.approx(0.0, abs=1e-6)


def test_train_runs_with_the_parity_term(tmp_path: Path) -> None:
    from tests.training.test_smoke_pipeline import _make_data
    from training import cache, train

    data, work = tmp_path / "data", tmp_path / "work"
    _make_data(data)
    root = _face_set(tmp_path / "faces", people=16)
    cache.main(["--data", str(data), "--long-side", "96", "--out", str(work / "c96.pkl")])
    train.main(["--train-cache", str(work / "c96.pkl"), "--val-cache", str(work / "c96.pkl"),
                "--out", str(work / "run"), "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "2",
                "--height", "64", "--width", "96", "--no-pretrained", "--threads", "1",
                "--parity-set", str(root), "group", "--parity-weight", "5", "--parity-pairs", "2"])
    history = json.loads((work / "run" / "history.json").read_text())
    assert np.isfinite(history[0]["parity_group"]) and np.isfinite(history[0]["parity_position"])
    assert (work / "run" / "epoch_01.pt").is_file()
