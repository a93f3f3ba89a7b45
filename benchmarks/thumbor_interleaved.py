"""What /smart/ adds to a plain crop, measured interleaved on one Thumbor, next to ``analyze()``.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/thumbor_interleaved.py [--images 24] [--megapixels 0.5 3]

benchmarks/thumbor_latency.py runs each scenario on its own server one after the other, which is right
on an idle machine; on a busy one, load that comes and goes between scenarios shows up as a difference.
Here one server (smartcrop's detector, file storage, no result storage, one request at a time) gets, per
image pair, a plain crop of image A and a ``/smart/`` crop of image B in turn, first cold (B detected),
then three new sizes of each (B cut from its stored analysis), and this process times
``smartcrop_core.analyze()`` of B's decoded pixels right after (one thread). Printed: medians in ms and
the ratio (first /smart/ minus plain) / analyze(). Bounded: 2 x images x 4 requests per size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from thumbor_latency import SIZES, Scenario, fetch, make_images, started_server  # noqa: E402

SMART = Scenario("interleaved", ["thumbor_plugin.detector"], "smart/")


def measure(images: Path, names: list[str], work: Path) -> dict[str, float]:
    import smartcrop_core

    model = smartcrop_core.get_model(None, 1)
    times: dict[str, list[float]] = {"plain cold": [], "smart cold": [], "plain new size": [], "smart new size": [],
                                     "analyze": []}
    with started_server(SMART, images, work) as base:
        fetch(f"{base}/unsafe/{SIZES[1]}/smart/{names[0]}")  # warm-up: imports, model load
        pairs = list(zip(names[1::2], names[2::2]))
        for plain, smart in pairs:
            times["plain cold"].append(fetch(f"{base}/unsafe/{SIZES[1]}/{plain}")[0])
            times["smart cold"].append(fetch(f"{base}/unsafe/{SIZES[1]}/smart/{smart}")[0])
            with Image.open(images / smart) as image:
                pixels = image.convert("RGB")
            start = time.perf_counter()
            smartcrop_core.analyze(pixels, model=model)
            times["analyze"].append(time.perf_counter() - start)
        for size in SIZES[2:] + SIZES[:1]:
            for plain, smart in pairs:
                times["plain new size"].append(fetch(f"{base}/unsafe/{size}/{plain}")[0])
                times["smart new size"].append(fetch(f"{base}/unsafe/{size}/smart/{smart}")[0])
    return {key: statistics.median(values) * 1000 for key, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=24, help="image pairs are images // 2")
    parser.add_argument("--megapixels", type=float, nargs="+", default=[0.5, 3.0])
    args = parser.parse_args()
    print("| image | plain cold | /smart/ cold | analyze() | (smart - plain) / analyze | plain new size | /smart/ new size |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for megapixels in args.megapixels:
            images = work / f"images{megapixels:g}"
            images.mkdir()
            names = make_images(images, max(3, args.images + 1), megapixels)
            m = measure(images, names, work)
            ratio = (m["smart cold"] - m["plain cold"]) / m["analyze"]
            print(f"| {megapixels:g} MP | {m['plain cold']:.1f} | {m['smart cold']:.1f} | {m['analyze']:.1f} | "
                  f"{ratio:.2f}x | {m['plain new size']:.1f} | {m['smart new size']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
