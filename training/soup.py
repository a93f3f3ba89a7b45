"""Average the weights of fine-tuned runs that share one starting point (a "model soup").

Why: runs that start from the same checkpoint and differ in their data mix or loss weights land in one
basin, and their average often generalises better than each of them (Wortsman et al. 2022); it costs no
training and no latency. BatchNorm statistics are averaged with the weights (with ``--bn-frozen`` they
are the shared start's anyway). Integer buffers (counters) are taken from the first run.

    python -m training.soup --out /work/cache/smartcrop/soup.pt \
        /work/cache/smartcrop/par40h/last.pt /work/cache/smartcrop/par40i/last.pt
"""
from __future__ import annotations

import argparse
from pathlib import Path

import torch


def soup(paths: list[Path]) -> dict:
    """A checkpoint whose float tensors are the mean of the given checkpoints' (same widths required)."""
    checkpoints = [torch.load(p, map_location="cpu", weights_only=False) for p in paths]
    first = checkpoints[0]
    if any(ck["widths"] != first["widths"] for ck in checkpoints):
        raise ValueError("checkpoints differ in widths: only runs from one starting point can be averaged")
    averaged = {}
    for name, tensor in first["model"].items():
        if tensor.is_floating_point():
            averaged[name] = torch.stack([ck["model"][name] for ck in checkpoints]).mean(0)
        else:
            averaged[name] = tensor.clone()
    return {"widths": first["widths"], "model": averaged, "state": {"soup": [str(p) for p in paths]}}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoints", type=Path, nargs="+")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    torch.save(soup(args.checkpoints), args.out)
    print(f"averaged {len(args.checkpoints)} checkpoints -> {args.out}")


if __name__ == "__main__":
    main()
