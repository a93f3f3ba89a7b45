"""Distillation and fixation losses on log-density maps [N, 1, h, w] (log-softmax over positions).

Why: Theis et al. 2018 train the student with 0.9 x cross-entropy to the teacher's density plus
0.1 x cross-entropy of real fixations. KL(teacher || student) equals the teacher cross-entropy up to a
constant (the teacher's entropy) and reads as 0 for a perfect student.
"""
from __future__ import annotations

import torch

from benchmarks.crop_quality import RATIOS
from smartcrop_core import parse_ratio


def normalise_density(maps: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Turn unnormalised non-negative maps [N, 1, h, w] into densities that sum to 1 per map."""
    maps = maps.clamp_min(0) + eps
    return maps / maps.sum(dim=(1, 2, 3), keepdim=True)


def kl_teacher_student(log_student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of KL(teacher || student); ``teacher`` must already be a density."""
    t = teacher.clamp_min(1e-12)
    return (teacher * (torch.log(t) - log_student)).sum(dim=(1, 2, 3)).mean()


def fixation_nll(log_student: torch.Tensor, cells: list[torch.Tensor]) -> torch.Tensor:
    """Mean negative log-likelihood (nats) of fixation cells.

    ``cells[n]`` is a LongTensor of flat cell indices (y * w + x) for batch item n (may be empty: that
    item has no fixations and does not count). Returns 0 (with grad) if no item has fixations.
    """
    flat = log_student.flatten(1)
    per_item = [-flat[n, idx].mean() for n, idx in enumerate(cells) if idx.numel() > 0]
    if not per_item:
        return flat.sum() * 0.0
    return torch.stack(per_item).mean()


def distillation_loss(log_student: torch.Tensor, teacher: torch.Tensor, cells: list[torch.Tensor],
                      fixation_weight: float = 0.1) -> tuple[torch.Tensor, dict[str, float]]:
    """(1 - w) x KL(teacher || student) + w x fixation NLL; also returns the parts for logging."""
    kl = kl_teacher_student(log_student, teacher)
    fix = fixation_nll(log_student, cells)
    loss = (1.0 - fixation_weight) * kl + fixation_weight * fix
    return loss, {"kl": float(kl.detach()), "fix": float(fix.detach())}


def parity_loss(log_student: torch.Tensor, first: torch.Tensor, second: torch.Tensor,
                group_sign: torch.Tensor) -> tuple[torch.Tensor, dict[str, float]]:
    """Squared batch means of log(mass on the first image / mass on the second) of joined pairs.

    Why batch means and not each pair's square: the audit's share is P(d > 0) for d = log mass ratio,
    about Phi(mean / spread). Squaring each pair would shrink the spread faster than the mean and make a
    small preference more consistent, i.e. worse. The batch holds both orders equally (training.parity),
    so mean(d) is the position preference and mean(d x group_sign) the group preference.
    """
    density = log_student.exp()
    d = torch.log((density * first).sum(dim=(1, 2, 3)) + 1e-8) - torch.log((density * second).sum(dim=(1, 2, 3)) + 1e-8)
    position, group = d.mean(), (d * group_sign).mean()
    return position ** 2 + group ** 2, {"position": float(position.detach()), "group": float(group.detach())}


def face_floor(log_student: torch.Tensor, teacher: torch.Tensor, faces: torch.Tensor) -> torch.Tensor:
    """Mean over items with faces of max(0, log(teacher's mass on faces) - log(student's mass on faces)).

    Why: the human fixations of OSIE pull the map towards text and small bright details; weighted 0.6
    they moved crops off faces the teacher kept (Grace Hopper's eyes cut off, fewer faces kept whole in
    training/faces_kept.py). The floor lets the fixations reshape the map anywhere except by taking mass
    off detected faces below what the teacher gives them. ``faces`` is each cell's face cover (0..1).
    """
    with_faces = faces.sum(dim=(1, 2, 3)) > 0
    if not bool(with_faces.any()):
        return log_student.sum() * 0.0
    student_mass = (log_student.exp() * faces).sum(dim=(1, 2, 3))[with_faces]
    teacher_mass = (teacher * faces).sum(dim=(1, 2, 3))[with_faces]
    return torch.relu(torch.log(teacher_mass + 1e-8) - torch.log(student_mass + 1e-8)).mean()


#: The ratios the crop benchmark scores, as width / height.
CROP_RATIOS = tuple(parse_ratio(ratio) for ratio in RATIOS)


def window_sums(profile: torch.Tensor, size: int) -> torch.Tensor:
    """Sums of every run of ``size`` consecutive entries of a 1-D profile (sliding window, step 1)."""
    total = torch.nn.functional.pad(profile.cumsum(0), (1, 0))
    return total[size:] - total[:-size]


def placement_regret(log_student: torch.Tensor, cells: list[torch.Tensor],
                     sharpness: float = 200.0) -> torch.Tensor:
    """Mean over fixated items and cutting ratios of log(mass of the map's best window) minus
    log(mass of the window holding the most fixations): 0 when the engine would pick the humans' window.

    Why: NSS and the fixation NLL score the map everywhere, but a crop only asks which window holds the
    most mass, and a map can fit fixations well and still rank two windows the wrong way (the teacher's
    own maps reach 96.4% of the oracle on OSIE validation, training/ceiling.py). The windows are the
    largest of each ratio, on the output grid, one cell apart, as the engine's mass window places them;
    the best window's mass is a soft maximum (log-sum-exp at ``sharpness``) so the gradient reaches
    every window that beats the humans' one.
    """
    density = log_student.exp()[:, 0]
    height, width = density.shape[-2:]
    terms = []
    for n, idx in enumerate(cells):
        if idx.numel() == 0:
            continue
        counts = torch.bincount(idx, minlength=height * width).reshape(height, width).to(density.dtype)
        for ratio in CROP_RATIOS:
            if width / height > ratio:  # the crop cuts the width: windows slide along x
                size, mass, fixed = round(height * ratio), density[n].sum(0), counts.sum(0)
            else:
                size, mass, fixed = round(width / ratio), density[n].sum(1), counts.sum(1)
            if size >= len(mass) or size < 1:
                continue
            log_mass = torch.log(window_sums(mass, size) + 1e-8)
            humans = window_sums(fixed, size)
            oracle = log_mass[humans == humans.max()].max()
            best = torch.logsumexp(sharpness * log_mass, 0) / sharpness
            terms.append(best - oracle)
    if not terms:
        return log_student.sum() * 0.0
    return torch.stack(terms).mean()
