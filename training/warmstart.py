"""Recover a trainable Student from a shipped ONNX file (BatchNorm folded) to warm-start the next model.

Why: the previous session's checkpoints are gone, but the shipped ``saliency.onnx`` holds every weight.
onnxsim folded each BatchNorm into the convolution before it (weight scaled, bias added), and the graph's
convolutions come in the Student's own module order, so each one maps back onto a (conv, BatchNorm) pair:
the folded weight goes into the conv and the BatchNorm becomes the identity plus the folded bias (mean 0,
var 1 - eps, gamma 1, beta = bias). Such a model must be trained with frozen BatchNorm statistics
(``train --bn-frozen``). The centre-bias parameters are read from the constants of its subgraph.
Optionally the widths grow back (``--grow-to-full``): the new channels start silent (zero outgoing
weights, :func:`training.student.grow_widths`), so the start point is exactly the shipped function.

    python -m training.warmstart --onnx smartcrop_core/models/saliency.onnx \
        --out /work/cache/smartcrop/v1_warm.pt --grow-to-full
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper
from torch import nn

from training.graph_edit import centre_constants
from training.student import BN_EPS, LITE0_BLOCKS, Student, default_widths, grow_widths


def conv_pairs(model: Student) -> list[tuple[nn.Conv2d, nn.BatchNorm2d | None]]:
    """Every convolution of the Student in forward order, with the BatchNorm that follows it."""
    pairs: list[tuple[nn.Conv2d, nn.BatchNorm2d | None]] = [(model.stem, model.stem_bn)]
    for block in model.blocks:
        if block.expand:
            pairs.append((block.expand_conv, block.bn0))
        pairs += [(block.dw, block.bn1), (block.project, block.bn2)]
    pairs += [(model.dec16[0], model.dec16[1]), (model.dec8[0], model.dec8[1]),
              (model.mix[0], model.mix[1]), (model.mix[3], model.mix[4]), (model.readout, None)]
    return pairs


def _graph_convs(graph: onnx.GraphProto) -> list[tuple[np.ndarray, np.ndarray]]:
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    return [(inits[n.input[1]].copy(), inits[n.input[2]].copy()) for n in graph.node if n.op_type == "Conv"]


def student_from_onnx(path: str | Path) -> Student:
    """The Student computing the same function as the ONNX file (BatchNorms as folded identities)."""
    graph = onnx.load(str(path)).graph
    convs = _graph_convs(graph)
    widths = {f"b{i}": int(convs[0][0].shape[0]) if i == 0 else 0 for i in range(len(LITE0_BLOCKS))}
    k = 1 + 2  # stem, block 0 (dw, project)
    for i in range(1, len(LITE0_BLOCKS)):
        widths[f"b{i}"] = int(convs[k][0].shape[0])
        k += 3
    widths.update(dec16=int(convs[k][0].shape[0]), dec8=int(convs[k + 1][0].shape[0]),
                  mix=int(convs[k + 2][0].shape[0]))
    model = Student(widths)
    pairs = conv_pairs(model)
    if len(pairs) != len(convs):
        raise ValueError(f"{path}: {len(convs)} convolutions, the Student has {len(pairs)}")
    with torch.no_grad():
        for (conv, bn), (weight, bias) in zip(pairs, convs):
            conv.weight.copy_(torch.from_numpy(weight))
            if bn is None:
                conv.bias.copy_(torch.from_numpy(bias))
                continue
            bn.weight.fill_(1.0)
            bn.bias.copy_(torch.from_numpy(bias))
            bn.running_mean.zero_()
            bn.running_var.fill_(1.0 - bn.eps)
        c = centre_constants(path)
        model.centre.mean.copy_(torch.tensor([c["mean_x"], c["mean_y"]]))
        model.centre.log_sigma.copy_(torch.log(torch.tensor([c["sigma_x"], c["sigma_y"]])))
        model.centre.weight.fill_(c["weight"])
    return model.eval()


def max_gap_to_onnx(model: Student, path: str | Path, sizes: list[tuple[int, int]]) -> float:
    """Max |torch - onnxruntime| of the log-density over random images of the given (H, W) sizes."""
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    gen = torch.Generator().manual_seed(0)
    worst = 0.0
    for h, w in sizes:
        x = torch.rand(1, 3, h, w, generator=gen) * 255
        with torch.no_grad():
            ref = model.eval()(x).numpy()
        worst = max(worst, float(np.abs(sess.run(None, {"image": x.numpy()})[0] - ref).max()))
    return worst


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnx", type=Path, default=Path("smartcrop_core/models/saliency.onnx"))
    ap.add_argument("--out", type=Path, required=True, help="checkpoint for train --init (outside the repo)")
    ap.add_argument("--grow-to-full", action="store_true", help="widths back to the unpruned Lite0 widths")
    ap.add_argument("--decoder", default=None, help="decoder widths dec16,dec8,mix to grow to")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    model = student_from_onnx(args.onnx)
    gap = max_gap_to_onnx(model, args.onnx, [(192, 256), (256, 192)])
    assert gap < 2e-3, f"recovered model differs from {args.onnx} by {gap}"
    target = default_widths() if args.grow_to_full else dict(model.widths)
    if args.decoder:
        target.update(zip(("dec16", "dec8", "mix"), (int(v) for v in args.decoder.split(","))))
    grown = grow_widths(model, target).eval()
    gap_grown = max_gap_to_onnx(grown, args.onnx, [(192, 256), (256, 192)])
    assert gap_grown < 2e-3, f"grown model differs from {args.onnx} by {gap_grown}"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"widths": grown.widths, "model": grown.state_dict(), "state": {"source": str(args.onnx)}},
               args.out)
    print(f"wrote {args.out}: widths {grown.widths}; |torch - onnx| {gap:.1e} (recovered), "
          f"{gap_grown:.1e} (grown); BN eps {BN_EPS}")


if __name__ == "__main__":
    main()
