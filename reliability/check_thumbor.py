"""Every corpus file through a real Thumbor 7.8 with the plugin; outcome counts, server health, peak RSS.

    OMP_NUM_THREADS=1 SMARTCROP_THREADS=1 .venv/bin/python -m reliability.check_thumbor \
        [--seed 0] [--concurrency 4] [--time-limit 900] [--no-large] [--json]

One ``python -m thumbor.server`` on 127.0.0.1 (the test suite's configuration: file loader over a temp
folder holding the corpus, file storage and result storage, our detector and filters), and for each
file three URLs:

- ``smart``:  ``/unsafe/300x200/smart/<file>``                 (our detector)
- ``filter``: ``/unsafe/300x200/filters:smartcrop()/<file>``   (our exact-box filter)
- ``plain``:  ``/unsafe/300x200/<file>``                       (Thumbor alone: the baseline)

Allowed: 200 with a decodable 300x200 image, or a 4xx/5xx for that request. Failures (exit code 1):
no answer within the per-request timeout, a 200 that is not a 300x200 image, the server dead or its
``/healthcheck`` not 200 after a batch, a file marked "ok" that the plugin URLs do not serve as a
300x200 image although Thumbor alone does, any plugin URL failing where the plain URL is served, or a
traceback in the server log that ends in plugin code. "ok" files that Thumbor itself cannot serve
(the plain URL fails too) are listed as Thumbor limitations, not plugin failures.

The decompression bombs go first, right after a warm-up request, so the server's VmHWM (peak RSS, from
/proc/<pid>/status) after them is their cost. Unless ``--no-large``, two real images just under
Thumbor's MAX_PIXELS (75 MP) follow (an image Thumbor accepts, 222 MB decoded), and afterwards the
extra peak RSS of one such request is measured per URL on a fresh server each (after a warm-up):
Thumbor alone against /smart/ and the filter, i.e. what the plugin adds to Thumbor's own decode.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import re
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from PIL import Image

from .memory import vm_status
from .corpus import Sample, samples

SIZE = (300, 200)
URLS = {
    "smart": "/unsafe/300x200/smart/{}",
    "filter": "/unsafe/300x200/filters:smartcrop()/{}",
    "plain": "/unsafe/300x200/{}",
}
PLUGIN_URLS = ("smart", "filter")
BOMB_KIND = "decompression bomb"
LARGE_KIND = "large, under Thumbor's MAX_PIXELS"


@dataclass(frozen=True)
class Answer:
    """One request's outcome."""

    sample: str
    kind: str
    expect: str
    url: str  # a key of URLS
    status: int | None  # None: no HTTP answer
    size: tuple[int, int] | None  # the decoded image's size for a 200
    seconds: float
    error: str = ""

    @property
    def label(self) -> str:
        if self.status is None:
            return f"no answer ({self.error})"
        if self.status == 200:
            if self.size is None:
                return "200 not an image"
            return "200 image" if self.size == SIZE else f"200 image {self.size[0]}x{self.size[1]}"
        return f"{self.status // 100}xx"

    @property
    def served(self) -> bool:
        return self.status == 200 and self.size == SIZE


@dataclass
class Report:
    files: int = 0
    requests: int = 0
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> "url: label" -> count
    failures: list[str] = field(default_factory=list)
    thumbor_limitations: list[str] = field(default_factory=list)  # "ok" files Thumbor alone cannot serve
    not_run: int = 0
    healthchecks: int = 0
    peak_rss_mb: dict[str, float] = field(default_factory=dict)  # stage -> VmHWM after it
    large_image_extra_peak_mb: dict[str, float] = field(default_factory=dict)  # url -> VmHWM growth
    rss_mb: dict[str, float] = field(default_factory=dict)  # stage -> VmRSS after it
    slowest: dict[str, object] = field(default_factory=dict)
    seconds: float = 0.0
    log: dict[str, int] = field(default_factory=dict)


def large_samples() -> list[Sample]:
    """Real, valid images just under Thumbor's 75 MP limit (flat PNGs: a few hundred kB, 222 MB decoded)."""
    found = []
    for width, height, name in [(8600, 8600, "large-74mp.png"), (15000, 4900, "large-wide-74mp.png")]:
        buffer = io.BytesIO()
        Image.new("RGB", (width, height), (90, 120, 60)).save(buffer, "PNG")
        found.append(Sample(name, buffer.getvalue(), "ok", LARGE_KIND))
    return found


def subset(all_samples: Iterable[Sample], per_kind: int = 7) -> list[Sample]:
    """A deterministic slice for the test run: every "ok" file, and ``per_kind`` evenly spaced files of
    every other kind (all of a kind when it has fewer, and every bomb)."""
    everything = list(all_samples)
    by_kind: dict[str, list[Sample]] = collections.defaultdict(list)
    for sample in everything:
        if sample.expect != "ok":
            by_kind[sample.kind].append(sample)
    chosen = {s.name for s in everything if s.expect == "ok"}
    for kind, members in by_kind.items():
        count = len(members) if kind == BOMB_KIND else min(per_kind, len(members))
        step = len(members) / count
        chosen.update(members[int(i * step)].name for i in range(count))
    return [s for s in everything if s.name in chosen]


def fetch(base: str, sample: Sample, url: str, timeout: float) -> Answer:
    path = URLS[url].format(sample.name)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as reply:
            status, body = reply.status, reply.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, b""
    except Exception as error:  # noqa: BLE001 - timeout, refused, reset: all "no answer"
        return Answer(sample.name, sample.kind, sample.expect, url, None, None, time.perf_counter() - start,
                      type(error).__name__)
    seconds = time.perf_counter() - start
    size = None
    if status == 200:
        try:
            with Image.open(io.BytesIO(body)) as image:
                image.load()
                size = image.size
        except Exception:  # noqa: BLE001 - a 200 that is not an image is reported, not raised
            size = None
    return Answer(sample.name, sample.kind, sample.expect, url, status, size, seconds)


def healthy(server, timeout: float = 5.0) -> str:
    """'' when the process is alive and /healthcheck answers 200, else what is wrong."""
    if server.process is not None and server.process.poll() is not None:
        return f"the Thumbor process exited with code {server.process.returncode}"
    try:
        status = server.get("/healthcheck", timeout=timeout).status
    except Exception as error:  # noqa: BLE001
        return f"/healthcheck did not answer: {type(error).__name__}: {error}"
    return "" if status == 200 else f"/healthcheck answered {status}"


def judge(answers: Sequence[Answer]) -> tuple[list[str], list[str]]:
    """(failures, Thumbor limitations) for all answers of one sample."""
    failures, limitations = [], []
    by_url = {a.url: a for a in answers}
    for answer in answers:
        if answer.status is None:
            failures.append(f"{answer.sample} [{answer.url}]: no answer ({answer.error})")
        elif answer.status == 200 and not answer.served:
            failures.append(f"{answer.sample} [{answer.url}]: {answer.label}")
        elif not (answer.status == 200 or 400 <= answer.status < 600):
            failures.append(f"{answer.sample} [{answer.url}]: status {answer.status}")
    plain = by_url.get("plain")
    for url in PLUGIN_URLS:
        answer = by_url.get(url)
        if answer is None or answer.served or answer.status is None:
            continue
        if plain is not None and plain.served:
            failures.append(f"{answer.sample} [{url}]: {answer.label}, but Thumbor alone serves it")
        elif answer.expect == "ok":
            if plain is not None and not plain.served:
                limitations.append(f"{answer.sample} [{url}]: {answer.label}; Thumbor alone: {plain.label}")
            else:
                failures.append(f"{answer.sample} [{url}]: an 'ok' file answered {answer.label}")
    return failures, limitations


def log_summary(log_text: str) -> dict[str, int]:
    """Counts from the server log: tracebacks, those whose innermost frame is plugin code, plugin lines."""
    tracebacks = re.split(r"Traceback \(most recent call last\):\n", log_text)[1:]
    in_plugin = 0
    for block in tracebacks:
        frames = re.findall(r'^  File "([^"]+)"', block, flags=re.MULTILINE)
        if frames and "/thumbor_plugin/" in frames[-1]:
            in_plugin += 1
    plugin_lines = [line for line in log_text.splitlines() if " thumbor_plugin:" in line]
    return {
        "tracebacks": len(tracebacks),
        "tracebacks_raised_in_plugin": in_plugin,
        "plugin_log_lines": len(plugin_lines),
        "plugin_error_lines": sum(":ERROR" in line for line in plugin_lines),
    }


def check(server, ordered: Sequence[Sample], *, urls: Sequence[str] = tuple(URLS), concurrency: int = 4,
          batch: int = 32, timeout: float = 30.0, time_limit: float = 900.0,
          stages: dict[str, str] | None = None) -> tuple[Report, dict[str, list[Answer]]]:
    """Send ``ordered`` (already in the loader's folder) through ``server`` in batches.

    ``stages`` maps a sample name to a stage label: the peak RSS is recorded after the batch that ends
    with it (so put a stage's samples in their own batch, see ``run``).
    """
    report = Report(files=len(ordered))
    answers: dict[str, list[Answer]] = collections.defaultdict(list)
    counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    deadline = time.monotonic() + time_limit
    start = time.monotonic()
    pid = server.process.pid if server.process is not None else None
    batches = _batches(ordered, batch, stages or {})
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for index, (members, stage) in enumerate(batches):
            if time.monotonic() > deadline:
                report.not_run = sum(len(m) for m, _ in batches[index:])
                report.failures.append(f"time limit of {time_limit:.0f} s reached: {report.not_run} files not run")
                break
            jobs = [(sample, url) for sample in members for url in urls]
            for answer in pool.map(lambda job: fetch(server.base, job[0], job[1], timeout), jobs):
                answers[answer.sample].append(answer)
                counts[answer.kind][f"{answer.url}: {answer.label}"] += 1
                report.requests += 1
                if answer.seconds > float(report.slowest.get("seconds", 0.0)):
                    report.slowest = {"seconds": round(answer.seconds, 3), "file": answer.sample, "url": answer.url}
            problem = healthy(server)
            if problem:
                report.failures.append(f"after batch {index + 1} ({members[-1].name}): {problem}")
                break
            report.healthchecks += 1
            if stage and pid is not None:
                status = vm_status(pid)
                report.peak_rss_mb[stage] = status["VmHWM"]
                report.rss_mb[stage] = status["VmRSS"]
    for sample in ordered:
        failures, limitations = judge(answers.get(sample.name, []))
        report.failures.extend(failures)
        report.thumbor_limitations.extend(limitations)
    report.outcomes = {kind: dict(sorted(c.items())) for kind, c in sorted(counts.items())}
    report.seconds = round(time.monotonic() - start, 1)
    report.log = log_summary(server.log.read_text(errors="replace"))
    if report.log["tracebacks_raised_in_plugin"]:
        report.failures.append(f"{report.log['tracebacks_raised_in_plugin']} traceback(s) raised in plugin code")
    return report, answers


def _batches(ordered: Sequence[Sample], size: int, stages: dict[str, str]) -> list[tuple[list[Sample], str]]:
    """Consecutive batches of at most ``size``; a batch also ends at every sample named in ``stages``."""
    batches: list[tuple[list[Sample], str]] = []
    current: list[Sample] = []
    for sample in ordered:
        current.append(sample)
        stage = stages.get(sample.name, "")
        if stage or len(current) == size:
            batches.append((current, stage))
            current = []
    if current:
        batches.append((current, ""))
    return batches


def ordered_for_run(corpus: Sequence[Sample], large: Sequence[Sample]) -> tuple[list[Sample], dict[str, str]]:
    """Warm-up, then the bombs, then the large images, then the rest; and the stage after each group."""
    warm = [s for s in corpus if s.name == "valid.png"]
    bombs = [s for s in corpus if s.kind == BOMB_KIND]
    rest = [s for s in corpus if s.kind != BOMB_KIND and s.name != "valid.png"]
    ordered = warm + bombs + list(large) + rest
    stages = {warm[-1].name: "after warm-up"} if warm else {}
    if bombs:
        stages[bombs[-1].name] = "after the bombs"
    if large:
        stages[large[-1].name] = "after the large images"
    if rest:
        stages[rest[-1].name] = "at the end"
    return ordered, stages


def run(seed: int = 0, *, files: Sequence[Sample] | None = None, with_large: bool = True, concurrency: int = 4,
        time_limit: float = 900.0, timeout: float = 30.0) -> Report:
    """Write the corpus to a temp folder, start Thumbor on it, check every file; stop the server."""
    from testsupport.thumbor_server import model_file, running_thumbor, server_conf

    corpus = list(files) if files is not None else list(samples(seed))
    large = large_samples() if with_large else []
    ordered, stages = ordered_for_run(corpus, large)
    with tempfile.TemporaryDirectory(prefix="smartcrop-thumbor-corpus-") as folder:
        root = Path(folder)
        images = root / "images"
        images.mkdir()
        for sample in ordered:
            (images / sample.name).write_bytes(sample.data)
        with running_thumbor(server_conf(root, images), root, model_file()) as server:
            report, _ = check(server, ordered, concurrency=concurrency, timeout=timeout, time_limit=time_limit,
                              stages=stages)
        if large:
            report.large_image_extra_peak_mb = extra_peak(root / "memory", images, large[0].name, timeout=timeout)
    return report


def extra_peak(root: Path, images: Path, name: str, urls: Sequence[str] = tuple(URLS), timeout: float = 60.0,
               warm_up: str = "valid.png") -> dict[str, float]:
    """Per URL, on a fresh server each: VmHWM growth (MB) of one request for ``name``, after a warm-up
    /smart/ request for ``warm_up`` (so the model is loaded in every case)."""
    from testsupport.thumbor_server import model_file, running_thumbor, server_conf

    extra = {}
    for url in urls:
        folder = root / url
        folder.mkdir(parents=True)
        with running_thumbor(server_conf(folder, images), folder, model_file()) as server:
            assert server.process is not None
            warm = server.get(URLS["smart"].format(warm_up), timeout=timeout)
            if warm.status != 200:
                raise RuntimeError(f"warm-up request for {warm_up} answered {warm.status}")
            before = vm_status(server.process.pid)["VmHWM"]
            answer = server.get(URLS[url].format(name), timeout=timeout)
            if answer.status != 200:
                raise RuntimeError(f"{url} request for {name} answered {answer.status}")
            extra[url] = round(vm_status(server.process.pid)["VmHWM"] - before, 1)
    return extra


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight (default 4)")
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds for the whole run")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--subset", action="store_true", help="the test suite's subset (~150 files)")
    parser.add_argument("--no-large", action="store_true", help="skip the two 74 MP images")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    files = subset(samples(args.seed)) if args.subset else None
    report = run(args.seed, files=files, with_large=not args.no_large, concurrency=args.concurrency,
                 time_limit=args.time_limit, timeout=args.timeout)
    if args.json:
        print(json.dumps(asdict(report), indent=1))
    else:
        print(f"{report.files} files, {report.requests} requests in {report.seconds} s; "
              f"failures: {len(report.failures)}; healthchecks passed: {report.healthchecks}; "
              f"slowest: {report.slowest}")
        print(f"Thumbor peak RSS (VmHWM, MB): {report.peak_rss_mb}; RSS now: {report.rss_mb}")
        if report.large_image_extra_peak_mb:
            print(f"one 74 MP request, extra peak RSS over a warm server (MB): {report.large_image_extra_peak_mb}")
        print(f"server log: {report.log}")
        for kind, counts in report.outcomes.items():
            print(f"  {kind}:")
            for label, count in counts.items():
                print(f"    {count:4d}  {label}")
        for line in report.thumbor_limitations:
            print(f"  THUMBOR LIMITATION {line}")
        for line in report.failures:
            print(f"  FAIL {line}")
    return 0 if not report.failures else 1


if __name__ == "__main__":
    sys.exit(main())
