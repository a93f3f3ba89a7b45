"""The placement regret (losses.placement_regret): 0 when the map's best window is the humans' one."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from training.losses import placement_regret, window_sums  # noqa: E402

H, W = 12, 16  # a landscape output grid: every crop ratio but 16:9 cuts the width


def _log_map(peak_x: int) -> torch.Tensor:
    """A log-density [1,1,H,W] with a blob centred on column ``peak_x``."""
    xx = torch.arange(W, dtype=torch.float32)
    logits = -((xx - peak_x) ** 2) / 4.0
    return torch.log_softmax(logits.expand(H, W).reshape(1, -1), 1).reshape(1, 1, H, W)


def _cells(x: int) -> list[torch.Tensor]:
    """Fixation cells in column ``x`` on every row."""
    return [torch.arange(H) * W + x]


def test_window_sums_slide_one_step() -> None:
    assert window_sums(torch.tensor([1.0, 2.0, 3.0, 4.0]), 2).tolist() == [3.0, 5.0, 7.0]


def test_zero_when_the_map_agrees_with_the_fixations() -> None:
    assert float(placement_regret(_log_map(13), _cells(13))) < 0.02


def test_positive_when_the_map_prefers_another_window() -> None:
    agree = float(placement_regret(_log_map(13), _cells(13)))
    disagree = float(placement_regret(_log_map(2), _cells(13)))
    assert disagree > 0.5 > agree


def test_items_without_fixations_do_not_count() -> None:
    maps = torch.cat([_log_map(2), _log_map(13)])
    both = float(placement_regret(maps, [torch.zeros(0, dtype=torch.long), _cells(13)[0]]))
    assert both == pytest.approx(float(placement_regret(_log_map(13), _cells(13))))
    nothing = placement_regret(maps, [torch.zeros(0, dtype=torch.long)] * 2)
    assert float(nothing) == 0.0


def test_descent_moves_the_best_window_to_the_fixations() -> None:
    logits = torch.zeros(1, H * W)
    logits[0, torch.arange(H) * W + 2] = 3.0  # the map's mass starts on the left
    logits.requires_grad_(True)
    opt = torch.optim.SGD([logits], lr=5.0)
    first = None
    for _ in range(60):
        regret = placement_regret(torch.log_softmax(logits, 1).reshape(1, 1, H, W), _cells(13))
        first = regret.detach().item() if first is None else first
        opt.zero_grad()
        regret.backward()
        opt.step()
    assert regret.detach().item() < 0.1 * first

