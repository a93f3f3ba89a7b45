"""Quick validation used for early stopping and the pruning curve: NSS on the OSIE validation split.

Why here and not in evaluate.py: this runs the torch model on cached engine-size inputs during
training; evaluate.py measures the exported ONNX model (what users get) with the full metric set.
NSS is computed as ``evaluate.py --upsampling bilinear``: the density is upsampled (bilinear) to the
original image size, standardised, and read at the (rounded) fixation pixels. It stays bilinear so that
every training log compares with the earlier ones; evaluate.py now defaults to bicubic.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from training.cache import Record


@torch.no_grad()
def validate(model: torch.nn.Module, records: list[Record]) -> dict[str, float]:
    """Mean NSS and mean fixation log-likelihood (nats/fixation, at output resolution) over ``records``."""
    was_training = model.training
    model.eval()
    nss, ll = [], []
    for r in records:
        if r.fixations is None:
            continue
        x = torch.from_numpy(np.array(r.image)).permute(2, 0, 1).float()[None]
        logp = model(x)
        ow, oh = r.orig_size
        dens = F.interpolate(logp.exp(), size=(oh, ow), mode="bilinear", align_corners=False)[0, 0].numpy()
        xs = np.clip(np.round(r.fixations[:, 0]).astype(int), 0, ow - 1)
        ys = np.clip(np.round(r.fixations[:, 1]).astype(int), 0, oh - 1)
        nss.append(float(((dens - dens.mean()) / (dens.std() + 1e-12))[ys, xs].mean()))
        gh, gw = logp.shape[-2:]
        gx = np.clip((r.fixations[:, 0] / ow * gw).astype(int), 0, gw - 1)
        gy = np.clip((r.fixations[:, 1] / oh * gh).astype(int), 0, gh - 1)
        ll.append(float(logp[0, 0].numpy()[gy, gx].mean() + np.log(gh * gw)))
    if was_training:
        model.train()
    return {"nss": float(np.mean(nss)), "ig_uniform": float(np.mean(ll))}
