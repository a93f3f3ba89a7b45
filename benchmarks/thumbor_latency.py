"""Latency and throughput of a real Thumbor 7.8 on loopback: plain crop, Thumbor's face detector,
our detector, our filter, in one run.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/thumbor_latency.py [--images 12] [--megapixels 0.5 3]
        [--concurrency 4] [--time-limit 120]

Each scenario gets its own ``python -m thumbor.server`` on 127.0.0.1 (fresh file storage, no result
storage, so every request is processed) serving the same JPEGs: OSIE photos from ../shared/data
(upscaled to each --megapixels; nothing is committed), or synthetic pictures when that folder is
absent. Per image the first request ("cold") runs detection (or, for the filter, the analysis); the
next three sizes of the same image ("warm", none of them a ratio of SMARTCROP_RATIOS) are cut from
smartcrop's stored analysis (or the filter's in-process cache). Requests go out ``--concurrency`` at
a time while one more client polls ``/healthcheck`` every 50 ms (its worst answer is how long the
IOLoop was kept busy). Printed, as Markdown: per scenario the median and p95 latency per phase,
requests per second over the whole scenario and the worst healthcheck; then, per image size, what
the first /smart/ request adds to a plain crop next to what ``smartcrop_core.analyze()`` needs for
the same images' pixels already decoded (in this process, one thread, same run). Everything is
bounded: images x 4 sizes requests per scenario, and a time limit per scenario.

Thumbor's face detector needs OpenCV < 5 (CascadeClassifier), from the project's ``bench`` extra; the
face scenario is skipped when cv2 is missing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SHARED_STIMULI = Path(os.environ.get("SMARTCROP_SHARED_DATA", REPO.parent / "shared" / "data")) / "osie" / "stimuli"
SIZES = ["320x180", "300x200", "200x300", "420x180"]  # 16:9, then 3:2, 2:3, 21:9: not in SMARTCROP_RATIOS


@dataclass(frozen=True)
class Scenario:
    name: str
    detectors: list[str]
    url_options: str  # between the size and the image path


SCENARIOS = [
    Scenario("plain crop (no detection)", [], ""),
    Scenario("/smart/ with Thumbor's face detector (OpenCV)", ["thumbor.detectors.face_detector"], "smart/"),
    Scenario("/smart/ with smartcrop's detector", ["thumbor_plugin.detector"], "smart/"),
    Scenario("filters:smartcrop() (exact box)", [], "filters:smartcrop()/"),
]


def make_images(folder: Path, count: int, megapixels: float) -> list[str]:
    """JPEGs of about ``megapixels`` MP in ``folder``; returns their names."""
    photos = sorted(SHARED_STIMULI.glob("*.jpg"))[:count] if SHARED_STIMULI.is_dir() else []
    names = []
    for index in range(count):
        if index < len(photos):
            picture = Image.open(photos[index]).convert("RGB")
        else:
            picture = synthetic(800, 600, index)
        scale = (megapixels * 1e6 / (picture.width * picture.height)) ** 0.5
        picture = picture.resize((round(picture.width * scale), round(picture.height * scale)), Image.LANCZOS)
        name = f"img{index:03d}_{megapixels:g}mp.jpg"
        picture.save(folder / name, quality=90)
        names.append(name)
    return names


def synthetic(width: int, height: int, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    image = Image.fromarray(rng.integers(60, 140, (height, width, 3), dtype=np.uint8))
    draw = ImageDraw.Draw(image)
    x, y = rng.uniform(0.2, 0.8) * width, rng.uniform(0.2, 0.8) * height
    draw.ellipse([x - 60, y - 60, x + 60, y + 60], fill=(230, 40, 40))
    return image


@contextmanager
def started_server(scenario: Scenario, images: Path, work: Path, engine_threads: int = 0) -> Iterator[str]:
    """A real Thumbor for one scenario (testsupport's launcher, no access log); yields its base URL."""
    from testsupport.thumbor_server import model_file, running_thumbor

    root = Path(tempfile.mkdtemp(dir=work))
    conf = (
        "from thumbor.filters import BUILTIN_FILTERS\n"
        f"LOADER = 'thumbor.loaders.file_loader'\nFILE_LOADER_ROOT_PATH = {str(images)!r}\n"
        f"STORAGE = 'thumbor.storages.file_storage'\nFILE_STORAGE_ROOT_PATH = {str(root / 'storage')!r}\n"
        "RESULT_STORAGE = None\nRESPECT_ORIENTATION = True\nALLOW_UNSAFE_URL = True\n"
        f"DETECTORS = {scenario.detectors!r}\n"
        "FILTERS = BUILTIN_FILTERS + ['thumbor_plugin.filters.smartcrop']\n"
        "SMARTCROP_THREADPOOL_SIZE = 1\n"
        f"ENGINE_THREADPOOL_SIZE = {engine_threads}\n"
    )
    with running_thumbor(conf, root, model_file(), log_level="warning") as server:
        yield server.base


def fetch(url: str) -> tuple[float, bool]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as reply:
            ok = reply.status == 200 and len(reply.read()) > 0
    except (urllib.error.URLError, OSError):
        ok = False
    return time.perf_counter() - start, ok


def run_phase(urls: list[str], concurrency: int, deadline: float) -> tuple[list[float], int, float]:
    """Latencies of the requests that finished before the deadline, errors, wall time."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(lambda u=u: fetch(u) if time.monotonic() < deadline else (0.0, False)) for u in urls]
        results = [f.result() for f in futures]
    latencies = [seconds for seconds, ok in results if ok]
    return latencies, len(results) - len(latencies), time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1000 if values else float("nan")


def bench(scenario: Scenario, images: Path, names: list[str], concurrency: int, time_limit: float, work: Path,
          engine_threads: int = 0) -> dict:
    from reliability.load_thumbor import HealthPoller

    with started_server(scenario, images, work, engine_threads) as base:
        deadline = time.monotonic() + time_limit
        fetch(f"{base}/unsafe/{SIZES[0]}/{scenario.url_options}{names[0]}")  # warm-up: imports, model load
        cold = [f"{base}/unsafe/{SIZES[i % 4]}/{scenario.url_options}{name}" for i, name in enumerate(names[1:], 1)]
        warm = [f"{base}/unsafe/{SIZES[(i + k) % 4]}/{scenario.url_options}{name}"
                for k in (1, 2, 3) for i, name in enumerate(names[1:], 1)]
        with HealthPoller(base) as poller:
            cold_latencies, cold_errors, cold_wall = run_phase(cold, concurrency, deadline)
            warm_latencies, warm_errors, warm_wall = run_phase(warm, concurrency, deadline)
    done = len(cold_latencies) + len(warm_latencies)
    return {
        "cold_p50": percentile(cold_latencies, 50), "cold_p95": percentile(cold_latencies, 95),
        "warm_p50": percentile(warm_latencies, 50), "warm_p95": percentile(warm_latencies, 95),
        "rps": done / (cold_wall + warm_wall), "requests": done, "errors": cold_errors + warm_errors,
        "health_max": max(poller.latencies, default=float("nan")) * 1000,
    }


def analyze_decoded_ms(images: Path, names: list[str]) -> float:
    """Median ``smartcrop_core.analyze()`` time (ms, one thread) for these images' decoded pixels."""
    import smartcrop_core

    model = smartcrop_core.get_model(None, 1)
    timings = []
    for name in names[1:]:
        with Image.open(images / name) as image:
            pixels = image.convert("RGB")
        smartcrop_core.analyze(pixels, model=model)  # the first call of a size warms caches
        start = time.perf_counter()
        smartcrop_core.analyze(pixels, model=model)
        timings.append(time.perf_counter() - start)
    return float(np.median(timings)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=12, help="distinct images per size (the first is warm-up)")
    parser.add_argument("--megapixels", type=float, nargs="+", default=[0.5, 3.0])
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=120, help="seconds per scenario and size")
    parser.add_argument("--engine-threads", type=int, default=0,
                        help="Thumbor's ENGINE_THREADPOOL_SIZE (0, Thumbor's default: its image work runs on the IOLoop)")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        import cv2  # noqa: F401

        has_cv = hasattr(cv2, "CascadeClassifier")
    except ImportError:
        has_cv = False

    rows = []
    analyze_ms: dict[float, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        images = work / "images"
        images.mkdir()
        for megapixels in args.megapixels:
            names = make_images(images, max(2, args.images), megapixels)
            analyze_ms[megapixels] = analyze_decoded_ms(images, names)
            for scenario in SCENARIOS:
                if "face" in scenario.name and not has_cv:
                    print(f"skipped: {scenario.name} (needs opencv-python-headless < 5)", file=sys.stderr)
                    continue
                result = bench(scenario, images, names, args.concurrency, args.time_limit, work, args.engine_threads)
                rows.append((megapixels, scenario.name, result))
                print(f"done: {megapixels:g} MP, {scenario.name}", file=sys.stderr)

    print(f"\nThumbor 7.8 on 127.0.0.1, 1 process, ENGINE_THREADPOOL_SIZE {args.engine_threads}, "
          f"concurrency {args.concurrency}, {os.cpu_count()} cores, "
          f"{max(2, args.images) - 1} images x {len(SIZES)} sizes per row (latencies in ms)\n")
    print("| image | scenario | cold p50 | cold p95 | warm p50 | warm p95 | req/s | worst /healthcheck | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for megapixels, name, r in rows:
        print(f"| {megapixels:g} MP | {name} | {r['cold_p50']:.0f} | {r['cold_p95']:.0f} | {r['warm_p50']:.0f} | "
              f"{r['warm_p95']:.0f} | {r['rps']:.1f} | {r['health_max']:.0f} | {r['errors']} |")
    print("\n| image | first /smart/ minus plain crop (p50) | analyze() of the decoded pixels | ratio | "
          "new size minus plain (p50) | req/s vs plain |")
    print("|---|---:|---:|---:|---:|---:|")
    for megapixels, analysed in analyze_ms.items():
        by_name = {name: r for mp, name, r in rows if mp == megapixels}
        plain, smart = by_name.get(SCENARIOS[0].name), by_name.get(SCENARIOS[2].name)
        if plain and smart:
            added = smart["cold_p50"] - plain["cold_p50"]
            print(f"| {megapixels:g} MP | {added:.1f} ms | {analysed:.1f} ms | {added / analysed:.2f}x | "
                  f"{smart['warm_p50'] - plain['warm_p50']:.1f} ms | {smart['rps'] / plain['rps']:.2f}x |")


if __name__ == "__main__":
    main()
