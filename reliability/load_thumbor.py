"""Load on a real Thumbor 7.8 with the plugin: 50 concurrent /smart/ requests on mixed good and bad
images, answers checked against smartcrop_core, and the IOLoop's responsiveness measured meanwhile.

    OMP_NUM_THREADS=1 SMARTCROP_THREADS=1 .venv/bin/python -m reliability.load_thumbor \
        [--rounds 3] [--requests 50] [--bad 10] [--width 1024] [--height 768] [--pool 2] \
        [--engine-threads 2] [--ramp 0] [--baseline] [--bound-ms 1000] [--json]

Per round, ``--requests`` requests start at once (one client thread and connection each, released
together; or spread over ``--ramp`` seconds) for as many *different* source images (``--bad`` of them broken files
from the fuzz corpus, the rest synthetic JPEG photos of ``--width`` x ``--height``), so every request
runs detection: nothing comes from detector storage, result storage or the plugin's cache. All URLs are ``/unsafe/320x180/smart/<file>``.
Without a ramp, no answer is read before every request of the round has been sent, so all of them are
outstanding at once (by construction, not by timing).
Meanwhile one more client polls ``/healthcheck`` every 50 ms; each poll goes through Thumbor's IOLoop
(accept, parse, answer), so its latency is how long the loop is kept busy. The server is the test
suite's configuration plus ENGINE_THREADPOOL_SIZE (``--engine-threads``), SMARTCROP_THREADPOOL_SIZE
(``--pool``) and the plugin's start-up check (which loads the model before the first request); one
warm-up request precedes the load. ``--baseline`` sends the same load as plain crops (Thumbor alone).

Checked after the load (outside the timed part), for every good image: 200, 320x180, the picture
matches ``smartcrop_core.crop`` of the same image (mean pixel difference < 6, as in the server tests),
and a new size of the image (``/meta/``, 3:2) shows exactly the focal points ``thumbor_plugin.points``
derives from ``smartcrop_core.analyze`` and crops exactly its 3:2 box, from the analysis stored during the load. Bad images may get any 4xx/5xx or a 200
image. Reported: wrong answers, throughput, p50/p99/max of the request latencies, p50/p99/max of the
healthcheck latencies against ``--bound-ms``. Exit code 1 on any wrong answer or a healthcheck over
the bound. Loopback only; every loop is bounded (requests, rounds, a timeout per request).
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

from .corpus import samples

SIZE = (320, 180)  # 16:9
URL = "/unsafe/320x180/smart/{}"
BASELINE_URL = "/unsafe/320x180/{}"  # --baseline: the same load with Thumbor alone (no detection)
#: The stated bound for every /healthcheck poll during the load: the IOLoop never stalls for a second.
#: Measured on 2 cores: the worst poll was 60-260 ms with smartcrop and up to 322 ms for Thumbor alone
#: (--baseline); Thumbor's default ENGINE_THREADPOOL_SIZE = 0 gives 0.5-1 s, the model on the loop 0.9-1.3 s.
#: Whether the model runs on the loop is tested exactly (tests/thumbor_plugin/test_engine.py), not by timing.
HEALTHCHECK_BOUND_MS = 1000.0
#: Kinds of broken corpus files mixed into the load, taken in turn.
BAD_KINDS = ["truncated", "flipped header bytes", "flipped data bytes", "decompression bomb", "random bytes",
             "document named as image", "magic + garbage", "animated, broken later frame", "broken EXIF", "empty"]


@dataclass(frozen=True)
class Timed:
    name: str
    good: bool
    status: int | None
    body: bytes
    seconds: float
    error: str = ""


@dataclass
class LoadReport:
    requests: int = 0
    good: int = 0
    bad: int = 0
    wrong: list[str] = field(default_factory=list)  # good images answered wrongly
    bad_outcomes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0  # wall time of the load (all rounds)
    throughput_rps: float = 0.0
    latency_ms: dict[str, float] = field(default_factory=dict)  # p50 / p99 / max over all requests
    healthcheck_ms: dict[str, float] = field(default_factory=dict)  # count / p50 / p99 / max
    healthcheck_failures: int = 0
    bound_ms: float = HEALTHCHECK_BOUND_MS
    server_alive: bool = True
    peak_rss_mb: float = 0.0


def percentiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"count": 0}
    ordered = sorted(values)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    return {"count": len(ordered), "p50": round(pick(0.5) * 1000, 1), "p99": round(pick(0.99) * 1000, 1),
            "max": round(ordered[-1] * 1000, 1), "mean": round(statistics.fmean(ordered) * 1000, 1)}


def make_images(folder: Path, count: int, width: int, height: int, seed: int = 0, prefix: str = "good") -> list[str]:
    """``count`` different synthetic photos (JPEG, quality 90), the salient object somewhere else in each."""
    from testsupport.images import target_scene

    names = []
    for index in range(count):
        spot = (0.15 + 0.7 * ((index * 37) % 100) / 100, 0.15 + 0.7 * ((index * 61) % 100) / 100)
        name = f"{prefix}{seed}-{index:03d}.jpg"
        target_scene(width, height, 1000 * seed + index, spot=spot).save(folder / name, quality=90)
        names.append(name)
    return names


def bad_files(folder: Path, count: int, round_index: int = 0) -> list[str]:
    """``count`` broken files from the corpus (seed 0), one kind after another, different ones each round."""
    by_kind: dict[str, list] = {kind: [] for kind in BAD_KINDS}
    for sample in samples(0):
        if sample.kind in by_kind:
            by_kind[sample.kind].append(sample)
    names = []
    for index in range(count):
        members = by_kind[BAD_KINDS[index % len(BAD_KINDS)]]
        sample = members[(round_index * count + index) // len(BAD_KINDS) % len(members)]
        (folder / sample.name).write_bytes(sample.data)
        names.append(sample.name)
    return names


def _fetch(base: str, name: str, good: bool, start: threading.Barrier, sent: threading.Barrier | None,
           delay: float, timeout: float, url: str) -> Timed:
    """One request on its own connection; with ``sent``, its answer is read only once every request is sent."""
    start.wait(timeout=timeout)
    time.sleep(delay)
    address = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=timeout)
    began = time.perf_counter()
    try:
        try:
            connection.request("GET", url.format(name))
        finally:
            if sent is not None:
                sent.wait(timeout=timeout)
        reply = connection.getresponse()
        return Timed(name, good, reply.status, reply.read(), time.perf_counter() - began)
    except Exception as error:  # noqa: BLE001 - no answer is a wrong answer, reported below
        return Timed(name, good, None, b"", time.perf_counter() - began, type(error).__name__)
    finally:
        connection.close()


class HealthPoller:
    """Polls /healthcheck every ``interval`` seconds in a thread until stopped; records latencies."""

    def __init__(self, base: str, interval: float = 0.05, timeout: float = 5.0, limit: int = 20_000) -> None:
        self.base, self.interval, self.timeout, self.limit = base, interval, timeout, limit
        self.latencies: list[float] = []
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="healthcheck-poller", daemon=True)

    def __enter__(self) -> "HealthPoller":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.timeout + 1)

    def _run(self) -> None:
        while not self._stop.is_set() and len(self.latencies) + self.failures < self.limit:
            began = time.perf_counter()
            try:
                with urllib.request.urlopen(self.base + "/healthcheck", timeout=self.timeout) as reply:
                    reply.read()
                    ok = reply.status == 200
            except Exception:  # noqa: BLE001
                ok = False
            elapsed = time.perf_counter() - began
            if ok:
                self.latencies.append(elapsed)
            else:
                self.failures += 1
            self._stop.wait(max(0.0, self.interval - elapsed))


def load_round(base: str, good: Sequence[str], bad: Sequence[str], timeout: float = 60.0, url: str = URL,
               ramp: float = 0.0) -> tuple[list[Timed], float]:
    """All requests concurrently, one thread each, the i-th sent ``i * ramp / n`` s after the start
    (``ramp`` 0: all in the same instant, and no answer read before all are sent): answers, wall time."""
    jobs = [(name, True) for name in good] + [(name, False) for name in bad]
    jobs = jobs[::2] + jobs[1::2]  # interleave good and bad
    barrier = threading.Barrier(len(jobs) + 1)
    sent = threading.Barrier(len(jobs)) if ramp == 0 else None
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [pool.submit(_fetch, base, name, is_good, barrier, sent, index * ramp / len(jobs), timeout, url)
                   for index, (name, is_good) in enumerate(jobs)]
        barrier.wait(timeout=timeout)
        began = time.perf_counter()
        answers = [future.result(timeout=timeout + 5) for future in futures]
        wall = time.perf_counter() - began
    return answers, wall


def verify_good(server, images: Path, answers: Sequence[Timed], model_path: Path) -> list[str]:
    """Wrong answers: for good images status, size, picture and stored focal points; for broken files
    a 200 that is not a 320x180 image."""
    import io

    import smartcrop_core
    from PIL import Image

    from testsupport.thumbor_server import as_box, assert_same_picture, crop_operation, expected_points, upright_analysis

    wrong = []
    for answer in answers:
        if not answer.good:
            if answer.status == 200:  # allowed for a broken file, but then it must be a proper answer
                try:
                    with Image.open(io.BytesIO(answer.body)) as served:
                        served.load()
                        if served.size != SIZE:
                            wrong.append(f"{answer.name} (broken file): a 200 of {served.size}")
                except Exception as error:  # noqa: BLE001
                    wrong.append(f"{answer.name} (broken file): a 200 that is not an image ({error})")
            continue
        if answer.status != 200:
            wrong.append(f"{answer.name}: status {answer.status} {answer.error}".strip())
            continue
        try:
            served = Image.open(io.BytesIO(answer.body))
            served.load()
        except Exception as error:  # noqa: BLE001
            wrong.append(f"{answer.name}: not an image ({error})")
            continue
        if served.size != SIZE:
            wrong.append(f"{answer.name}: {served.size[0]}x{served.size[1]}, not {SIZE[0]}x{SIZE[1]}")
            continue
        analysis = upright_analysis(images / answer.name, model_path)
        try:
            assert_same_picture(served, smartcrop_core.crop(images / answer.name, "16:9", SIZE[0], analysis=analysis))
        except AssertionError as error:
            wrong.append(f"{answer.name}: not the core's crop (mean difference {error})")
            continue
        meta = server.get("/unsafe/meta/300x200/smart/" + answer.name)  # another size, from the stored analysis
        if meta.status != 200 or meta.json()["thumbor"]["focal_points"] != expected_points(analysis):
            wrong.append(f"{answer.name}: the stored focal points are not the core's")
        elif as_box(crop_operation(meta.json())) != analysis.box("3:2").as_pil():
            wrong.append(f"{answer.name}: a new size of a stored image is not the core's 3:2 box")
    return wrong


def run_load(server, images: Path, rounds: Sequence[tuple[list[str], list[str]]], model_path: Path,
             bound_ms: float = HEALTHCHECK_BOUND_MS, timeout: float = 60.0, baseline: bool = False, ramp: float = 0.0) -> LoadReport:
    """Each round's (good, bad) names at once, polled meanwhile; then every good answer verified
    (with ``baseline``, plain Thumbor crops and only status and size are checked)."""
    from reliability.check_thumbor import vm_status

    report = LoadReport(bound_ms=bound_ms)
    answers: list[Timed] = []
    wall = 0.0
    warm = make_images(images, 1, 320, 240, seed=999, prefix="warm")[0]
    server.get((BASELINE_URL if baseline else URL).format(warm), timeout=timeout)  # not counted
    with HealthPoller(server.base) as poller:
        time.sleep(0.2)  # a few idle polls first: the baseline is part of the distribution
        for good, bad in rounds:
            round_answers, seconds = load_round(server.base, good, bad, timeout=timeout,
                                                      url=BASELINE_URL if baseline else URL, ramp=ramp)
            answers += round_answers
            wall += seconds
    report.requests = len(answers)
    report.good = sum(a.good for a in answers)
    report.bad = report.requests - report.good
    report.seconds = round(wall, 2)
    report.throughput_rps = round(report.requests / wall, 1) if wall else 0.0
    report.latency_ms = percentiles([a.seconds for a in answers])
    report.healthcheck_ms = percentiles(poller.latencies)
    report.healthcheck_failures = poller.failures
    outcomes: dict[str, int] = {}
    for answer in answers:
        if not answer.good:
            key = "no answer" if answer.status is None else f"{answer.status // 100}xx"
            outcomes[key] = outcomes.get(key, 0) + 1
    report.bad_outcomes = dict(sorted(outcomes.items()))
    report.server_alive = server.process is None or server.process.poll() is None
    if server.process is not None and report.server_alive:
        report.peak_rss_mb = vm_status(server.process.pid)["VmHWM"]
    if baseline:
        report.wrong = [f"{a.name}: status {a.status}" for a in answers if a.good and a.status != 200]
    else:
        report.wrong = verify_good(server, images, answers, model_path)
    report.wrong += [f"{a.name}: no answer ({a.error})" for a in answers if not a.good and a.status is None]
    return report


def conf_extra(pool: int, engine_threads: int) -> str:
    """The load's additions to the test configuration: pool sizes, and the start-up check (loads the model)."""
    return (f"SMARTCROP_THREADPOOL_SIZE = {pool}\nENGINE_THREADPOOL_SIZE = {engine_threads}\n"
            "from thumbor.handler_lists import BUILTIN_HANDLERS\n"
            "HANDLER_LISTS = BUILTIN_HANDLERS + ['thumbor_plugin.startup']\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=50, help="concurrent requests per round")
    parser.add_argument("--bad", type=int, default=10, help="broken files among them")
    parser.add_argument("--width", type=int, default=1024)
    parser.add_argument("--height", type=int, default=768)
    parser.add_argument("--pool", type=int, default=2, help="SMARTCROP_THREADPOOL_SIZE")
    parser.add_argument("--engine-threads", type=int, default=2,
                        help="Thumbor's ENGINE_THREADPOOL_SIZE (default 2; Thumbor's own default, 0, runs its "
                             "image operations on the IOLoop)")
    parser.add_argument("--bound-ms", type=float, default=HEALTHCHECK_BOUND_MS, help="healthcheck latency bound")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    parser.add_argument("--baseline", action="store_true", help="the same load as plain crops (Thumbor alone)")
    parser.add_argument("--ramp", type=float, default=0.0,
                        help="seconds over which a round's requests are sent (default 0: all at the same instant)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not 0 <= args.bad < args.requests <= 200 or not 1 <= args.rounds <= 20:
        parser.error("need 0 <= --bad < --requests <= 200 and 1 <= --rounds <= 20")

    from testsupport.thumbor_server import model_file, running_thumbor, server_conf

    with tempfile.TemporaryDirectory(prefix="smartcrop-thumbor-load-") as folder:
        root = Path(folder)
        images = root / "images"
        images.mkdir()
        rounds = [(make_images(images, args.requests - args.bad, args.width, args.height, seed=r),
                   bad_files(images, args.bad, r)) for r in range(args.rounds)]
        conf = server_conf(root, images) + conf_extra(args.pool, args.engine_threads)
        with running_thumbor(conf, root, model_file()) as server:
            report = run_load(server, images, rounds, model_file(), bound_ms=args.bound_ms, timeout=args.timeout,
                              baseline=args.baseline, ramp=args.ramp)
    if args.json:
        print(json.dumps(asdict(report), indent=1))
    else:
        print(f"{args.rounds} round(s) of {args.requests} concurrent {'plain' if args.baseline else '/smart/'} requests ({report.good} good "
              f"{args.width}x{args.height} JPEGs, {report.bad} broken files); SMARTCROP_THREADPOOL_SIZE="
              f"{args.pool}, ENGINE_THREADPOOL_SIZE={args.engine_threads}")
        print(f"wrong answers for good images: {len(report.wrong)}; broken files: {report.bad_outcomes}")
        print(f"throughput {report.throughput_rps} requests/s over {report.seconds} s; latency ms {report.latency_ms}")
        print(f"healthcheck ms {report.healthcheck_ms} (bound {args.bound_ms:g} ms), failed polls "
              f"{report.healthcheck_failures}; Thumbor alive: {report.server_alive}; peak RSS {report.peak_rss_mb} MB")
        for line in report.wrong:
            print(f"  WRONG {line}")
    ok = (not report.wrong and report.server_alive and not report.healthcheck_failures
          and report.healthcheck_ms.get("max", 0) <= args.bound_ms)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
