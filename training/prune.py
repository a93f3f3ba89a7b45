"""Fisher pruning with fine-tuning in between (Theis et al. 2018), logging the NSS-vs-FLOPs curve.

Loop: train on the distillation loss while accumulating the Fisher signal on every gate; every
``--steps-per-round`` steps remove ``--remove-per-round`` maps (greedy, lowest Delta - beta * DeltaC,
FLOPs recomputed after each removal; the paper removes one map every 10 steps, we allow a few per round
to fit a CPU time budget); every ``--eval-every`` rounds measure validation NSS and save a checkpoint of
that point. Stops at ``--target-flops`` (fraction of the start) or ``--max-minutes``.

    python -m training.prune --init /work/cache/smartcrop/run1/best.pt \
        --train-cache /work/cache/smartcrop/cache_320.pkl --val-cache /work/cache/smartcrop/cache_256.pkl \
        --out /work/cache/smartcrop/prune --target-flops 0.4 --max-minutes 45
    python -m training.prune --plot /work/cache/smartcrop/prune/curve.json --png docs/pruning_curve.png
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from training.data import AugmentConfig, BatchSampler
from training.fisher import FisherAccumulator, auto_beta, choose_and_remove
from training.losses import distillation_loss
from training.student import Student, count_params, flops
from training.train import load_student, save_checkpoint, set_frozen_bn_eval, split_records
from training.validate import validate

EVAL_SIZE = (192, 256)  # FLOPs are reported at the engine's OSIE input size (800x600 -> 256x192)


def point(model: Student, val: list, step: int, removed: int) -> dict:
    """One curve point: FLOPs / params of the physically pruned net and validation NSS."""
    widths = model.alive()
    m = validate(model, val)
    return {"step": step, "removed": removed, "flops": flops(widths, *EVAL_SIZE),
            "params": count_params(Student(widths)), "nss": m["nss"], "ig": m["ig_uniform"], "widths": widths}


def plot_curve(curve_path: Path, png: Path, mark: int | None = None) -> None:
    """NSS vs GFLOPs (at 256x192) of the pruning run; ``mark`` = number of removed maps to highlight."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pts = json.loads(curve_path.read_text())
    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    ax.plot([p["flops"] / 1e9 for p in pts], [p["nss"] for p in pts], "o-", ms=3)
    for p in pts:
        if mark is not None and p["removed"] == mark:
            ax.plot([p["flops"] / 1e9], [p["nss"]], "o", ms=9, mfc="none", mec="red")
            ax.annotate(f"shipped point ({mark} maps removed)", (p["flops"] / 1e9, p["nss"]),
                        textcoords="offset points", xytext=(-170, -4), color="red", fontsize=8)
    ax.set_xlabel("GFLOPs per image at 256x192 (2 x multiply-adds)")
    ax.set_ylabel("NSS, OSIE validation (1601-1700)")
    ax.set_title("Fisher pruning of the student")
    ax.invert_xaxis()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png)
    print(f"wrote {png}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--init", type=Path, help="trained (unpruned) checkpoint")
    ap.add_argument("--train-cache", type=Path)
    ap.add_argument("--val-cache", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--height", type=int, default=192)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--fixation-weight", type=float, default=0.1)
    ap.add_argument("--steps-per-round", type=int, default=10)
    ap.add_argument("--remove-per-round", type=int, default=4)
    ap.add_argument("--beta", type=float, default=None, help="FLOP weight; default: auto (median ratio)")
    ap.add_argument("--beta-scale", type=float, default=1.0, help="multiplies the auto beta")
    ap.add_argument("--eval-every", type=int, default=10, help="rounds between curve points")
    ap.add_argument("--target-flops", type=float, default=0.4, help="stop at this fraction of start FLOPs")
    ap.add_argument("--max-minutes", type=float, default=45.0)
    ap.add_argument("--max-rounds", type=int, default=None)
    ap.add_argument("--resume", action="store_true", help="continue from <out>/last.pt")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--plot", type=Path, default=None, help="only plot this curve.json to --png")
    ap.add_argument("--png", type=Path, default=Path("docs/pruning_curve.png"))
    ap.add_argument("--mark", type=int, default=None, help="highlight the point with this many maps removed")
    args = ap.parse_args(argv)
    if args.plot:
        plot_curve(args.plot, args.png, args.mark)
        return

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    train, val = split_records(args.train_cache, args.val_cache)
    sampler = BatchSampler(train, args.batch_size, (args.height, args.width), AugmentConfig(), args.seed)
    last = args.out / "last.pt"
    ck_path = last if args.resume and last.exists() else args.init
    model = load_student(ck_path)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    state = {"step": 0, "round": 0, "removed": 0, "beta": args.beta, "curve": [],
             "start_flops": flops(model.alive(), *EVAL_SIZE), "log": []}
    if ck_path == last:
        ck = torch.load(last, map_location="cpu", weights_only=False)
        opt.load_state_dict(ck["opt"])
        state = ck["state"]
        sampler.rng.seed(args.seed + state["step"])
        print(f"resumed at round {state['round']}, {state['removed']} maps removed", flush=True)
    if not state["curve"]:
        state["curve"].append(point(model, val, 0, 0))
        print("start", json.dumps({k: v for k, v in state["curve"][0].items() if k != "widths"}), flush=True)

    fisher = FisherAccumulator(model)
    fisher.record(True)
    model.train()
    set_frozen_bn_eval(model, 2)
    t0 = time.time()
    total = state["start_flops"]
    train_flops_size = (args.height, args.width)
    while True:
        for _ in range(args.steps_per_round):
            batch = sampler.sample()
            loss, _ = distillation_loss(model(batch.images), batch.teacher, batch.cells, args.fixation_weight)
            opt.zero_grad()
            loss.backward()
            fisher.update(len(batch.images))
            opt.step()
            state["step"] += 1
        delta = fisher.delta()
        if state["beta"] is None:
            state["beta"] = auto_beta(model, delta, *train_flops_size, total) * args.beta_scale
            print(f"beta = {state['beta']:.4g}", flush=True)
        removed = choose_and_remove(model, delta, state["beta"], args.remove_per_round, *EVAL_SIZE, total)
        fisher.reset()
        state["removed"] += len(removed)
        state["round"] += 1
        state["log"].extend([list(r) for r in removed])
        done = (flops(model.alive(), *EVAL_SIZE) <= args.target_flops * total
                or (time.time() - t0) / 60 >= args.max_minutes
                or (args.max_rounds is not None and state["round"] >= args.max_rounds))
        if state["round"] % args.eval_every == 0 or done:
            fisher.record(False)
            p = point(model, val, state["step"], state["removed"])
            fisher.record(True)
            set_frozen_bn_eval(model, 2)
            state["curve"].append(p)
            print(json.dumps({k: v for k, v in p.items() if k != "widths"}), flush=True)
            save_checkpoint(args.out / f"point_{state['removed']:05d}.pt", model, opt, state)
            save_checkpoint(last, model, opt, state)
            (args.out / "curve.json").write_text(json.dumps(state["curve"], indent=1))
        if done:
            break
    print("done", model.alive(), flush=True)


if __name__ == "__main__":
    main()
