"""Export a (pruned) student checkpoint to the ONNX file the engine ships.

Why each step: masked channels are removed physically first (``Student.pruned_copy``) so the file is
smaller and faster; dynamic H/W because the engine feeds the image's own aspect ratio; onnxruntime
output is compared with torch (assert) so the shipped graph computes what we evaluated; onnxsim folds
BatchNorm and shape arithmetic; the metadata tells the engine the input size and stride.

    python -m training.export --checkpoint /work/cache/smartcrop/prune/final.pt \
        --out smartcrop_core/models/saliency.onnx --input-long-side 256 --version 1.0.0
"""
from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

from training.student import Student, pad_widths
from training.train import load_student

STRIDE = 8


def export_onnx(model: Student, path: Path, opset: int = 17) -> None:
    """torch -> ONNX with dynamic height/width (input ``image``, output ``log_saliency``)."""
    model.eval()
    dummy = torch.rand(1, 3, 192, 256) * 255
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (dummy,), str(path), input_names=["image"], output_names=["log_saliency"],
                          opset_version=opset, dynamo=False, do_constant_folding=True,
                          dynamic_axes={"image": {2: "height", 3: "width"},
                                        "log_saliency": {2: "height_8", 3: "width_8"}})


def simplify(path: Path) -> None:
    """onnxsim in place (keeps the dynamic axes)."""
    import onnxsim

    model = onnx.load(str(path))
    simple, ok = onnxsim.simplify(model)
    if not ok:
        raise RuntimeError("onnxsim check failed")
    onnx.save(simple, str(path))


def set_metadata(path: Path, meta: dict[str, str]) -> None:
    """Write ``smartcrop.*`` metadata_props (replacing existing keys)."""
    model = onnx.load(str(path))
    keep = [p for p in model.metadata_props if p.key not in meta]
    del model.metadata_props[:]
    model.metadata_props.extend(keep)
    for k, v in meta.items():
        model.metadata_props.add(key=k, value=v)
    model.producer_name = "smartcrop-training"
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def check_against_torch(model: Student, path: Path, sizes: list[tuple[int, int]], tol: float = 2e-3) -> float:
    """Max |onnxruntime - torch| of the log-density over ``sizes`` (H, W); asserts it is below ``tol``."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    worst = 0.0
    gen = torch.Generator().manual_seed(0)
    for h, w in sizes:
        x = torch.rand(1, 3, h, w, generator=gen) * 255
        with torch.no_grad():
            ref = model(x).numpy()
        out = sess.run(["log_saliency"], {"image": x.numpy()})[0]
        assert out.shape == (1, 1, h // STRIDE, w // STRIDE), out.shape
        assert abs(float(np.exp(out).sum()) - 1.0) < 1e-3
        worst = max(worst, float(np.abs(out - ref).max()))
    assert worst < tol, f"onnxruntime differs from torch by {worst}"
    return worst


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=Path("smartcrop_core/models/saliency.onnx"))
    ap.add_argument("--input-long-side", type=int, default=256)
    ap.add_argument("--name", default="smartcrop-saliency")
    ap.add_argument("--version", default="1.0.0", help="bump on every retrain")
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--no-simplify", action="store_true")
    ap.add_argument("--channel-multiple", type=int, default=8,
                    help="round pruned widths up to this multiple (zero-weight channels; faster kernels)")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)

    masked = load_student(args.checkpoint).eval()
    model = pad_widths(masked.pruned_copy(), args.channel_multiple).eval()
    with torch.no_grad():  # physical pruning (and width rounding) must not change the function
        x = torch.rand(1, 3, 192, 256, generator=torch.Generator().manual_seed(1)) * 255
        gap = float((model(x) - masked(x)).abs().max())
    assert gap < 1e-3, f"pruned copy differs from the masked model by {gap}"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.onnx"
        export_onnx(model, path, args.opset)
        if not args.no_simplify:
            simplify(path)
        set_metadata(path, {"smartcrop.name": args.name, "smartcrop.version": args.version,
                            "smartcrop.input_long_side": str(args.input_long_side),
                            "smartcrop.stride": str(STRIDE)})
        diff = check_against_torch(model, path, [(192, 256), (256, 192), (224, 320), (32, 64)])
        args.out.write_bytes(path.read_bytes())
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB), widths {model.widths}, "
          f"max |ort - torch| = {diff:.2e}, |pruned - masked| = {gap:.2e}")


if __name__ == "__main__":
    main()
