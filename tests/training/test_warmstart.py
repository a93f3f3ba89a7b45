"""Recovering a trainable Student from the shipped ONNX file, growing it back, frozen BatchNorm."""
from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from training.student import Student, default_widths, grow_widths  # noqa: E402
from training.train import set_frozen_bn_eval  # noqa: E402
from training.warmstart import max_gap_to_onnx, student_from_onnx  # noqa: E402


@pytest.fixture(scope="module")
def recovered(shipped_model: Path) -> Student:
    torch.set_num_threads(1)
    return student_from_onnx(shipped_model)


def test_recovered_student_computes_the_shipped_function(recovered: Student, shipped_model: Path) -> None:
    assert max_gap_to_onnx(recovered, shipped_model, [(192, 256), (256, 192), (64, 96)]) < 2e-3


def test_grown_student_starts_as_the_same_function(recovered: Student, shipped_model: Path) -> None:
    target = {k: max(v, default_widths()[k]) + 8 for k, v in recovered.widths.items()}
    grown = grow_widths(recovered, target)
    assert grown.widths == target
    assert max_gap_to_onnx(grown, shipped_model, [(192, 256)]) < 2e-3


def test_frozen_batchnorm_keeps_the_folded_statistics(recovered: Student) -> None:
    model = grow_widths(recovered, default_widths())
    before = model.blocks[5].bn1.running_var.clone()
    model.train()
    set_frozen_bn_eval(model, 0, all_bn=True)
    with torch.no_grad():
        model(torch.rand(2, 3, 64, 96) * 255)
    assert torch.equal(model.blocks[5].bn1.running_var, before)
    assert all(not m.training for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d))
