"""Small edits of an exported saliency ONNX file that need no retraining.

Why: two properties of the map can be changed after training and measured on their own:
- calibration: how peaked the map is decides which crop window holds the most mass. ``with_exponent``
  scales the logits before the final log-softmax, i.e. the density becomes p^alpha (renormalised), and
  records alpha as ``smartcrop.map_exponent``. The engine needs no change: the graph does it.
- the learned centre-bias prior (a Gaussian over normalised coordinates, see ``student.CentreBias``):
  ``with_centre`` replaces its vertical mean or scales its weight, to test how much of a position
  preference comes from the prior rather than from the image content.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

# node name -> which centre-bias constant its second input holds (see training.warmstart)
CENTRE_NODES = {"mean_y": "/centre/Sub_2", "sigma_y": "/centre/Div_2", "mean_x": "/centre/Sub_3",
                "sigma_x": "/centre/Div_3"}


def _save(model: onnx.ModelProto, dst: str | Path, meta: dict[str, str]) -> None:
    keep = [p for p in model.metadata_props if p.key not in meta]
    del model.metadata_props[:]
    model.metadata_props.extend(keep)
    for key, value in meta.items():
        model.metadata_props.add(key=key, value=value)
    onnx.checker.check_model(model)
    onnx.save(model, str(dst))


def with_exponent(src: str | Path, dst: str | Path, alpha: float) -> None:
    """Copy of ``src`` whose output density is p^alpha / sum(p^alpha) (alpha > 1 sharpens)."""
    model = onnx.load(str(src))
    graph = model.graph
    node = next(n for n in graph.node if n.op_type == "LogSoftmax")
    scale = numpy_helper.from_array(np.array(alpha, dtype=np.float32), "smartcrop_map_exponent")
    graph.initializer.append(scale)
    scaled = node.input[0] + "_scaled"
    index = list(graph.node).index(node)
    graph.node.insert(index, helper.make_node("Mul", [node.input[0], scale.name], [scaled],
                                              name="/calibration/Mul"))
    node.input[0] = scaled
    _save(model, dst, {"smartcrop.map_exponent": f"{alpha:g}"})


def centre_constants(path: str | Path) -> dict[str, float]:
    """The centre-bias constants of an exported file (mean/sigma per axis, weight)."""
    model = onnx.load(str(path))
    inits = {i.name: i for i in model.graph.initializer}
    nodes = {n.name: n for n in model.graph.node}
    out = {k: float(numpy_helper.to_array(inits[nodes[v].input[1]])) for k, v in CENTRE_NODES.items()}
    out["weight"] = -2.0 * float(numpy_helper.to_array(inits[nodes["/centre/Mul_2"].input[0]]))
    return out


def with_centre(src: str | Path, dst: str | Path, mean_y: float | None = None,
                weight_scale: float = 1.0) -> None:
    """Copy of ``src`` with the prior's vertical mean replaced and/or its weight scaled (0 = no prior)."""
    model = onnx.load(str(src))
    inits = {i.name: i for i in model.graph.initializer}
    nodes = {n.name: n for n in model.graph.node}

    def replace(node_name: str, position: int, value: float) -> None:
        old = inits[nodes[node_name].input[position]]
        old.CopyFrom(numpy_helper.from_array(np.array(value, dtype=np.float32), old.name))

    c = centre_constants(src)
    if mean_y is not None:
        replace(CENTRE_NODES["mean_y"], 1, mean_y)
    replace("/centre/Mul_2", 0, -0.5 * c["weight"] * weight_scale)
    _save(model, dst, {"smartcrop.centre_edit": f"mean_y={mean_y},weight_scale={weight_scale:g}"})
