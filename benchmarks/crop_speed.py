"""How long the whole crop decision takes (decode + saliency + 4 boxes), ours against the peers.

    .venv/bin/python benchmarks/crop_speed.py [--sizes 0.3 2 12] [--threads 1 2] [--repeats 7]

Test JPEGs of 0.3, 2 and 12 MP are made by upscaling a photo from ../shared/data (nothing is
committed). Every method runs on the same files in the same process, interleaved, and the table
reports median wall time, median CPU time and the ratio to libvips' fastest attention path measured
in the same run. Peak memory per method comes from a fresh subprocess each (``--memory``).
"""

from __future__ import annotations

import argparse
import inspect
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from PIL import Image  # noqa: E402

import methods  # noqa: E402

RATIOS = ["16:9", "1:1", "4:5", "9:16"]
REFERENCE = "libvips thumbnail 512 + attention"
SIZES_MP = {0.3: (640, 480), 2.0: (1632, 1224), 12.0: (4000, 3000)}
SLOW = {"smartcrop.py", "libvips attention, full image", "libvips entropy, full image"}


def make_images(folder: Path, photo: Path, sizes: list[float]) -> dict[float, Path]:
    source = Image.open(photo).convert("RGB")
    paths = {}
    for megapixels in sizes:
        width, height = SIZES_MP[megapixels]
        path = folder / f"photo_{megapixels:g}MP.jpg"
        source.resize((width, height), Image.LANCZOS).save(path, "JPEG", quality=90)
        paths[megapixels] = path
    return paths


def set_threads(threads: int) -> None:
    """The thread count of the libraries that have their own pools (libvips, OpenCV)."""
    try:
        import pyvips

        pyvips.concurrency_set(threads)
        pyvips.cache_set_max(0)  # no operation cache: every run does the work
    except (ImportError, OSError):
        pass
    try:
        import cv2

        cv2.setNumThreads(threads)
    except ImportError:
        pass


def time_method(decide, path: Path, threads: int, repeats: int) -> tuple[float, float]:
    """(median wall ms, median CPU ms) after one warm-up call."""
    call = (lambda: decide(str(path), RATIOS, threads=threads)) if _takes_threads(decide) else (lambda: decide(str(path), RATIOS))
    call()
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def _takes_threads(decide) -> bool:
    """Whether the method has a thread setting (the model-based ones); the others run as they are."""
    return "threads" in inspect.signature(decide).parameters


def peak_memory_mb(name: str, path: Path) -> float:
    """Peak RSS of a fresh process that imports everything and runs one method once."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent through fork + exec.
    code = (
        "import sys; sys.path.insert(0, %r); import methods; "
        "methods.available()[%r](%r, %r); "
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    ) % (str(Path(__file__).parent), name, str(path), RATIOS)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "OMP_NUM_THREADS": "1", "VIPS_CONCURRENCY": "1"})
    return int(output.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.3, 2.0, 12.0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--memory", action="store_true", help="also measure peak RSS per method (12 MP)")
    args = parser.parse_args()

    photo = sorted((args.data / "photos" / "bsds500").glob("*.jpg"))[0]
    deciders = methods.available()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        images = make_images(Path(folder), photo, args.sizes)
        for threads in args.threads:
            set_threads(threads)
            for megapixels, path in images.items():
                results = {}
                for name, decide in deciders.items():
                    repeats = max(1, args.repeats // 3) if name in SLOW else args.repeats
                    results[name] = time_method(decide, path, threads, repeats)
                reference = results.get(REFERENCE, (float("nan"),))[0]
                for name, (wall, cpu) in results.items():
                    rows.append((threads, megapixels, name, wall, cpu, wall / reference))
                print(f"done: {megapixels:g} MP, {threads} thread(s)", file=sys.stderr)
        memory = {}
        if args.memory:
            largest = images[max(images)]
            memory = {name: peak_memory_mb(name, largest) for name in deciders}

    print(f"\nCrop decision for {len(RATIOS)} ratios ({', '.join(RATIOS)}), JPEG input, median of {args.repeats} runs.")
    print(f"Ratio = wall time / '{REFERENCE}' wall time in the same run (lower is faster).\n")
    print("| threads | image | method | wall ms | CPU ms | vs libvips thumbnail |")
    print("|---|---|---|---|---|---|")
    for threads, megapixels, name, wall, cpu, ratio in rows:
        print(f"| {threads} | {megapixels:g} MP | {name} | {wall:.1f} | {cpu:.1f} | {ratio:.2f}x |")
    if memory:
        print("\nPeak RSS of a fresh process running one 12 MP decision (includes the Python runtime and imports):\n")
        print("| method | peak RSS MB |\n|---|---|")
        for name, megabytes in memory.items():
            print(f"| {name} | {megabytes:.0f} |")


if __name__ == "__main__":
    main()
