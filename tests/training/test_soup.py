"""Weight averaging (training/soup.py): the mean of the runs' float tensors, same widths only."""
from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from training.soup import soup  # noqa: E402
from training.student import Student, default_widths  # noqa: E402
from training.train import load_student  # noqa: E402


def _save(path: Path, widths: dict[str, int], seed: int) -> Student:
    torch.manual_seed(seed)
    model = Student(widths)
    torch.save({"widths": model.widths, "model": model.state_dict()}, path)
    return model


def test_soup_is_the_mean_and_loads_as_a_student(tmp_path: Path) -> None:
    a = _save(tmp_path / "a.pt", default_widths(), 0)
    b = _save(tmp_path / "b.pt", default_widths(), 1)
    torch.save(soup([tmp_path / "a.pt", tmp_path / "b.pt"]), tmp_path / "soup.pt")
    mixed = load_student(tmp_path / "soup.pt").state_dict()
    name = next(k for k, v in a.state_dict().items() if v.is_floating_point() and v.numel() > 1)
    expected = (a.state_dict()[name] + b.state_dict()[name]) / 2
    assert not torch.equal(a.state_dict()[name], b.state_dict()[name])
    assert torch.allclose(mixed[name], expected)


def test_soup_refuses_different_widths(tmp_path: Path) -> None:
    narrow = {**default_widths(), "mix": 32}
    _save(tmp_path / "a.pt", default_widths(), 0)
    _save(tmp_path / "b.pt", narrow, 0)
    with pytest.raises(ValueError, match="widths"):
        soup([tmp_path / "a.pt", tmp_path / "b.pt"])
