"""Distil the teacher ensemble into the student (KL to teacher maps + fixation NLL on OSIE train).

Why: ~2,100 images with teacher maps (all photos + OSIE training split) and 600 images with real
fixations; the teacher term carries most of the signal (0.9), the fixation term (0.1) anchors the
student to human data, as in Theis et al. 2018. The OSIE validation split (training/splits.py) is only
used for early stopping (best checkpoint by validation NSS). ``--parity-set`` adds the parity term of
training/parity.py (joined portraits of the training half of the people must hold equal saliency) and
logs the held-out half's preferences every epoch. ``--crop-weight`` adds the placement regret of
losses.placement_regret on the images with fixations: the map's best crop window should be the humans'.
``--face-weight`` adds losses.face_floor: the map may not hold less mass on detected faces (OpenCV's
frontal cascade, training.faces_kept) than the teacher does, on the images without human fixations
(where the fixations say otherwise, they win) or, with ``--face-images all``, on every image.

    python -m training.train --train-cache /work/cache/smartcrop/cache_320.pkl \
        --val-cache /work/cache/smartcrop/cache_256.pkl --out /work/cache/smartcrop/run1 --epochs 12
"""
from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import torch

from training.cache import Record, load_cache
from training.data import AugmentConfig, BatchSampler
from training.faces_kept import face_mask
from training.losses import distillation_loss, face_floor, parity_loss, placement_regret
from training.parity import PairSampler, heldout_preferences
from training.student import Student, load_pretrained_lite0
from training.validate import validate


def split_records(train_cache: Path, val_cache: Path | None) -> tuple[list[Record], list[Record]]:
    """Training records (never OSIE validation) and validation records (OSIE validation only)."""
    train = [r for r in load_cache(train_cache) if not r.is_val]
    val = [r for r in load_cache(val_cache) if r.is_val] if val_cache else []
    return train, val


def attach_faces(records: list[Record], which: str) -> int:
    """Give the face floor its masks: the cache's (``cache --faces``), else detected now; only on the
    images ``which`` names ("all", or "without-fixations"). Returns how many records have a face."""
    cached = any(r.faces is not None for r in records)
    for record in records:
        if which == "without-fixations" and record.fixations is not None:
            record.faces = None
        elif not cached:
            record.faces = face_mask(record.image)
    return sum(r.faces is not None for r in records)


def freeze_early(model: Student, n_blocks: int) -> None:
    """Freeze the stem and the first ``n_blocks`` blocks (high-resolution, generic edge features)."""
    if n_blocks <= 0:
        return
    modules = [model.stem, model.stem_bn] + list(model.blocks[:n_blocks])
    for m in modules:
        for p in m.parameters():
            p.requires_grad_(False)


def set_frozen_bn_eval(model: Student, n_blocks: int, all_bn: bool = False) -> None:
    """Keep BatchNorm statistics of frozen layers (or of all layers) fixed; call after every ``train()``.

    ``all_bn`` is for warm starts from a folded ONNX file (``training.warmstart``): its BatchNorms are
    identities carrying the folded biases, and batch statistics would change the function.
    """
    if all_bn:
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.eval()
    if n_blocks <= 0:
        return
    for m in [model.stem_bn] + list(model.blocks[:n_blocks]):
        m.eval()


def save_checkpoint(path: Path, model: Student, opt: torch.optim.Optimizer, state: dict) -> None:
    """Atomic save (write then rename) so an interrupted run never leaves a broken checkpoint."""
    tmp = path.with_suffix(".tmp")
    torch.save({"widths": model.widths, "model": model.state_dict(), "opt": opt.state_dict(),
                "state": state}, tmp)
    tmp.replace(path)


def load_student(path: str | Path) -> Student:
    """Rebuild a Student (possibly pruned / masked) from a checkpoint."""
    ck = torch.load(path, map_location="cpu", weights_only=False)
    model = Student(ck["widths"])
    model.load_state_dict(ck["model"])
    return model


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train-cache", type=Path, required=True)
    ap.add_argument("--val-cache", type=Path, default=None, help="cache at the engine's input size")
    ap.add_argument("--out", type=Path, required=True, help="checkpoint folder (outside the repo)")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--height", type=int, default=192, help="landscape crop height (portrait: swapped)")
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--fixation-weight", type=float, default=0.1)
    ap.add_argument("--freeze-blocks", type=int, default=2, help="freeze stem + first N blocks")
    ap.add_argument("--steps-per-epoch", type=int, default=None, help="default: len(train) / batch")
    ap.add_argument("--max-steps", type=int, default=None, help="stop after this many steps (smoke test)")
    ap.add_argument("--save-every", type=int, default=60, help="also checkpoint every N steps")
    ap.add_argument("--patience", type=int, default=4, help="early stop after N epochs without val gain")
    ap.add_argument("--init", type=Path, default=None, help="start from this checkpoint's weights")
    ap.add_argument("--bn-frozen", action="store_true",
                    help="never update BatchNorm statistics (warm starts from training.warmstart)")
    ap.add_argument("--no-pretrained", action="store_true", help="random init (tests only)")
    ap.add_argument("--resume", action="store_true", help="continue from <out>/last.pt")
    ap.add_argument("--parity-set", nargs=2, action="append", default=[], metavar=("DIR", "COLUMN"),
                    help="labelled face set (DIR/labels.csv) and group column for the parity term; repeatable")
    ap.add_argument("--parity-weight", type=float, default=0.0, help="weight of the parity term")
    ap.add_argument("--crop-weight", type=float, default=0.0,
                    help="weight of the placement regret on fixated images (losses.placement_regret)")
    ap.add_argument("--face-weight", type=float, default=0.0,
                    help="weight of the face floor (losses.face_floor); face masks from cache --faces, else detected at start")
    ap.add_argument("--face-images", choices=("without-fixations", "all"), default="without-fixations",
                    help="the images the face floor applies to")
    ap.add_argument("--parity-pairs", type=int, default=8, help="joined pairs per step (even)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    train, val = split_records(args.train_cache, args.val_cache)
    if args.face_weight > 0:
        found = attach_faces(train, args.face_images)
        print(f"faces found in {found} of {len(train)} images", flush=True)
    else:  # a cache built with --faces: no face cover to resize for every batch item
        for record in train:
            record.faces = None
    sampler = BatchSampler(train, args.batch_size, (args.height, args.width), AugmentConfig(), args.seed)
    steps_per_epoch = args.steps_per_epoch or sampler.epoch_batches()
    total_steps = steps_per_epoch * args.epochs

    # a pruned (masked) checkpoint is fine-tuned with its masked channels physically removed: faster
    model = load_student(args.init).pruned_copy() if args.init else Student()
    if not args.init and not args.no_pretrained:
        load_pretrained_lite0(model)
    freeze_early(model, args.freeze_blocks)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=1e-4)
    state = {"step": 0, "epoch": 0, "best_nss": -1.0, "bad_epochs": 0, "history": []}
    last = args.out / "last.pt"
    if args.resume and last.exists():
        ck = torch.load(last, map_location="cpu", weights_only=False)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        state = ck["state"]
        sampler.rng.seed(args.seed + state["step"])
        print(f"resumed at step {state['step']} epoch {state['epoch']}", flush=True)

    parity_sets = [(Path(d), c) for d, c in args.parity_set]
    pairs = PairSampler(parity_sets, args.parity_pairs, args.seed + state["step"]) if parity_sets else None
    heldout = PairSampler(parity_sets, args.parity_pairs, heldout=True) if parity_sets else None

    model.train()
    set_frozen_bn_eval(model, args.freeze_blocks, args.bn_frozen)
    t0, seen = time.time(), 0
    while state["epoch"] < args.epochs:
        step = state["step"]
        lr = args.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, step / max(1, total_steps))))
        for g in opt.param_groups:
            g["lr"] = lr
        batch = sampler.sample()
        log_maps = model(batch.images)
        loss, parts = distillation_loss(log_maps, batch.teacher, batch.cells, args.fixation_weight)
        if args.crop_weight > 0:
            regret = placement_regret(log_maps, batch.cells)
            loss = loss + args.crop_weight * regret
            parts["regret"] = float(regret.detach())
        if args.face_weight > 0:
            floor = face_floor(log_maps, batch.teacher, batch.faces)
            loss = loss + args.face_weight * floor
            parts["face"] = float(floor.detach())
        if pairs and args.parity_weight > 0:
            joins = pairs.sample()
            fair, fair_parts = parity_loss(model(joins.images), joins.first, joins.second, joins.group_sign)
            loss = loss + args.parity_weight * fair
            parts.update(fair_parts)
        opt.zero_grad()
        loss.backward()
        opt.step()
        state["step"] += 1
        seen += len(batch.images)
        if state["step"] % 20 == 0:
            rate = seen / (time.time() - t0)
            print(f"step {state['step']} ep {state['epoch']} loss {loss.item():.4f} kl {parts['kl']:.4f} "
                  f"fix {parts['fix']:.3f} regret {parts.get('regret', 0):.4f} face {parts.get('face', 0):.4f} group {parts.get('group', 0):+.3f} position {parts.get('position', 0):+.3f} "
                  f"lr {lr:.2e} {rate:.1f} img/s", flush=True)
        if state["step"] % args.save_every == 0:
            save_checkpoint(last, model, opt, state)
        if args.max_steps and state["step"] >= args.max_steps:
            save_checkpoint(last, model, opt, state)
            break
        if state["step"] % steps_per_epoch == 0:
            state["epoch"] += 1
            metrics = validate(model, val) if val else {"nss": float("nan"), "ig_uniform": float("nan")}
            if heldout:
                metrics.update(heldout_preferences(model, heldout))
            set_frozen_bn_eval(model, args.freeze_blocks, args.bn_frozen)
            state["history"].append({"epoch": state["epoch"], "step": state["step"], **metrics})
            print(f"epoch {state['epoch']} val {json.dumps(metrics)}", flush=True)
            if val and metrics["nss"] > state["best_nss"]:
                state["best_nss"], state["bad_epochs"] = metrics["nss"], 0
                save_checkpoint(args.out / "best.pt", model, opt, state)
            else:
                state["bad_epochs"] += 1
            save_checkpoint(last, model, opt, state)
            save_checkpoint(args.out / f"epoch_{state['epoch']:02d}.pt", model, opt, state)
            if val and state["bad_epochs"] >= args.patience:
                print("early stop", flush=True)
                break
    if not (args.out / "best.pt").exists():
        save_checkpoint(args.out / "best.pt", model, opt, state)
    (args.out / "history.json").write_text(json.dumps(state["history"], indent=1))


if __name__ == "__main__":
    main()
