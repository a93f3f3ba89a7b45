"""Fisher pruning signal and FLOP costs (Theis, Korshunova, Tejani, Huszar 2018, arXiv:1801.05787).

For feature map k with a mask, g_nk = sum_ij a_nijk * dL_n/da_nijk (activation x gradient, summed over
positions, per image n); Delta_k = 1/(2N) sum_n g_nk^2 estimates the loss increase from removing map k.
Pruning greedily minimises L + beta * C (loss plus weighted FLOPs): removing map k changes it by
Delta_k - beta * DeltaC_k, where DeltaC_k > 0 is the FLOPs the removal saves (recomputed after every
removal), so the map with the smallest Delta_k - beta * DeltaC_k goes next.
"""
from __future__ import annotations

import torch

from training.student import Student, flops


class FisherAccumulator:
    """Accumulates sum_n g_nk^2 and N for every gate between two pruning decisions."""

    def __init__(self, model: Student) -> None:
        self.model = model
        self.reset()

    def reset(self) -> None:
        self.sums = {k: torch.zeros_like(m.mask) for k, m in self.model.gates().items()}
        self.count = 0

    def record(self, on: bool) -> None:
        """Turn activation recording on the gates on/off (costs memory; only while pruning)."""
        for m in self.model.gates().values():
            m.record = on
            m.activation = None

    def update(self, batch_size: int) -> None:
        """Call after ``loss.backward()`` where loss is the batch *mean* of per-image losses."""
        for k, m in self.model.gates().items():
            a = m.activation
            if a is None or a.grad is None:
                continue
            g = (a.detach() * a.grad).sum(dim=(2, 3)) * batch_size  # per-image loss gradient
            self.sums[k] += (g ** 2).sum(dim=0)
            m.activation = None
        self.count += batch_size

    def delta(self) -> dict[str, torch.Tensor]:
        """Delta_k per gate (estimated loss increase from removing each map)."""
        n = max(self.count, 1)
        return {k: s / (2 * n) for k, s in self.sums.items()}


def flop_savings(widths: dict[str, int], height: int, width: int) -> dict[str, float]:
    """FLOPs saved by removing one map from each group, given the current widths."""
    base = flops(widths, height, width)
    out = {}
    for k, w in widths.items():
        if w <= 1:
            out[k] = 0.0
            continue
        out[k] = base - flops({**widths, k: w - 1}, height, width)
    return out


def choose_and_remove(model: Student, delta: dict[str, torch.Tensor], beta: float, n_remove: int,
                      height: int, width: int, total_flops: float) -> list[tuple[str, int, float]]:
    """Remove ``n_remove`` maps greedily by Delta_k - beta * DeltaC_k / total_flops (DeltaC recomputed
    after each removal; at least one map is kept per group). Returns (group, channel, score) removed."""
    removed = []
    gates = model.gates()
    for _ in range(n_remove):
        widths = model.alive()
        saving = flop_savings(widths, height, width)
        best: tuple[float, str, int] | None = None
        for k, m in gates.items():
            if widths[k] <= 1:
                continue
            d = delta[k].clone()
            d[m.mask == 0] = float("inf")
            idx = int(torch.argmin(d))
            score = float(d[idx]) - beta * saving[k] / total_flops
            if best is None or score < best[0]:
                best = (score, k, idx)
        if best is None:
            break
        score, k, idx = best
        gates[k].mask[idx] = 0.0
        removed.append((k, idx, score))
    return removed


def auto_beta(model: Student, delta: dict[str, torch.Tensor], height: int, width: int,
              total_flops: float) -> float:
    """beta so that the median Fisher cost and the median relative FLOP saving weigh equally."""
    d = torch.cat([delta[k][m.mask > 0] for k, m in model.gates().items()])
    saving = flop_savings(model.alive(), height, width)
    c = torch.tensor([saving[k] / total_flops for k, m in model.gates().items() for _ in range(int(m.mask.sum()))])
    return float(d.median() / c.median().clamp_min(1e-12))
