"""Example figure for the model card: validation images with fixations, our map, the teacher, FastGaze.

    python -m training.figures --data /work/shared/data --fastgaze /work/shared/anchors/fastgaze.onnx \
        --png docs/examples.png
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from training.evaluate import SHIPPED, load_fixations
from training.predictors import FastGaze, OnnxStudent, TeacherMaps

DEFAULT_IDS = ["1603.jpg", "1622.jpg", "1647.jpg", "1671.jpg", "1694.jpg"]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--model", type=Path, default=SHIPPED)
    ap.add_argument("--fastgaze", type=Path, required=True)
    ap.add_argument("--ids", nargs="*", default=DEFAULT_IDS, help="OSIE validation images")
    ap.add_argument("--png", type=Path, default=Path("docs/examples.png"))
    args = ap.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fix = load_fixations(args.data / "osie" / "fixations.json")
    preds = [("ours", OnnxStudent(args.model)), ("teacher", TeacherMaps(args.data)),
             ("FastGaze", FastGaze(args.fastgaze))]
    fig, axes = plt.subplots(len(args.ids), 4, figsize=(10, 1.9 * len(args.ids)), dpi=90)
    for row, name in zip(axes, args.ids):
        path = args.data / "osie" / "stimuli" / name
        img = np.asarray(Image.open(path).convert("RGB"))
        row[0].imshow(img)
        row[0].scatter(fix[name][:, 0], fix[name][:, 1], s=3, c="lime")
        row[0].set_title(f"{name} + fixations", fontsize=8)
        for ax, (label, pred) in zip(row[1:], preds):
            ax.imshow(img)
            ax.imshow(pred(path), cmap="inferno", alpha=0.65)
            ax.set_title(label, fontsize=8)
        for ax in row:
            ax.axis("off")
    fig.tight_layout()
    args.png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.png)
    print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
