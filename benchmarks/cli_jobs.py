"""Images per second for ``smartcrop --jobs 1`` and ``--jobs 2`` on the same photos, in one run.

    python benchmarks/cli_jobs.py [--images 500] [--jobs 1 2] [--repeats 1]

Each run is the real command in a fresh process (start-up and model load included), cropping the first
N OSIE photos of ../shared to the default four ratios at full size. The outputs of every run are
compared byte for byte with those of the first. Skips (exit 0, one line) when ../shared is absent.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STIMULI = Path(os.environ.get("SMARTCROP_SHARED_DATA", REPO.parent / "shared" / "data")) / "osie" / "stimuli"


def tree(folder: Path) -> dict[str, str]:
    """Every file's SHA-256, by relative name."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run(inputs: Path, out: Path, jobs: int) -> float:
    """Wall seconds of one ``smartcrop`` run."""
    command = [sys.executable, "-m", "smartcrop_core", str(inputs), "-o", str(out), "-q", "--jobs", str(jobs)]
    start = time.perf_counter()
    subprocess.run(command, check=True, env={**os.environ, "SMARTCROP_THREADS": "1", "OMP_NUM_THREADS": "1"})
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=1, help="runs per setting, alternating; the best counts")
    args = parser.parse_args()
    if not STIMULI.is_dir():
        print(f"skipped: {STIMULI} not found (the OSIE photos of ../shared)")
        return 0
    photos = sorted(STIMULI.glob("*.jpg"))[: args.images]
    best: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as work:
        inputs = Path(work) / "in"
        inputs.mkdir()
        for photo in photos:
            (inputs / photo.name).symlink_to(photo)
        reference = None
        for repeat in range(args.repeats):
            for jobs in args.jobs:
                out = Path(work) / f"out-{jobs}-{repeat}"
                seconds = run(inputs, out, jobs)
                best[jobs] = min(best.get(jobs, seconds), seconds)
                outputs = tree(out)
                reference = outputs if reference is None else reference
                assert outputs == reference, f"--jobs {jobs} wrote different files"
                subprocess.run(["rm", "-rf", str(out)], check=True)
    print(f"{len(photos)} OSIE photos (800x600), 4 ratios at full size, {os.cpu_count()} cores, best of {args.repeats}; "
          "outputs byte-identical across runs")
    base = best[args.jobs[0]]
    for jobs, seconds in best.items():
        print(f"--jobs {jobs}: {len(photos) / seconds:6.1f} images/s ({seconds:5.1f} s wall, "
              f"{base / seconds:4.2f}x --jobs {args.jobs[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
