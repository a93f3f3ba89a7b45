"""Run each costly hostile input (reliability.hostile) in its own process; check time and memory budgets.

    .venv/bin/python -m reliability.check_cost [--seconds 5] [--memory-mb 1024] [--only SUBSTRING] [--json]
    .venv/bin/python -m reliability.check_cost --decoder pillow --cap-mb 8000   # plain Image.open + load
    .venv/bin/python -m reliability.check_cost --decoder vips --cap-mb 8000     # libvips thumbnail (bench extra)
    .venv/bin/python -m reliability.check_cost --root /tmp/before --cap-mb 8000  # another checkout's code

Each child process loads the model first (warm-up on a tiny image), then caps its address space
(RLIMIT_AS) at ``--cap-mb`` and makes one call: ``smartcrop_core.analyze``
or ``smartcrop_core.crop`` as the case says. It reports the outcome, the CPU and wall time of that call
and the peak RSS of the process. A case passes when the outcome is a result or a documented
``ImageError`` (or, for a request that cannot be made, ``RatioError``), within both budgets. The time
budget is on CPU time, which is what the input costs: on a busy CI machine wall time also counts the
wait for a core (a hang is still caught: a child is killed after 4x the budget of wall time). Exit
code 1 if any case fails.

The cap (default: twice the memory budget) is a safety net, not the budget: address space runs ahead
of memory (glibc keeps freed heap mapped; an 89 MP float crop peaks at 771 MB resident but 1.2 GB
mapped). The memory budget is checked on the peak resident set (VmHWM).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .hostile import CostCase, cases

REPO = Path(__file__).resolve().parent.parent

#: What runs in the child. Plain source (not an import of this module), so that ``--root`` can measure
#: a checkout that does not have this file.
CHILD = r"""
import json, resource, sys, time, warnings
path, call, options, cap = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
warnings.simplefilter("ignore")
if call == "pillow":
    from PIL import Image
    def run():
        with Image.open(path) as image:
            image.load()
elif call == "vips":  # libvips' shrink-on-load thumbnail to the model's input, after a header pixel check
    import pyvips
    def run():
        header = pyvips.Image.new_from_file(path, access="sequential", fail=True)
        if header.width * header.height > options.get("max_pixels", 89_478_485):
            raise ValueError(f"{header.width}x{header.height} is over the pixel limit")
        pyvips.Image.thumbnail(path, 256, height=256, size="down", fail_on="error").write_to_memory()
else:
    import smartcrop_core
    from PIL import Image
    smartcrop_core.analyze(Image.new("RGB", (64, 48)))  # the model and runtime are loaded before timing
    kwargs = {"max_pixels": options["max_pixels"]} if "max_pixels" in options else {}
    def run():
        if call == "crop":
            smartcrop_core.crop(path, options["ratio"], width=options.get("width"), **kwargs)
        else:
            smartcrop_core.analyze(path, **kwargs)
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
start, cpu = time.perf_counter(), time.process_time()
try:
    run()
    outcome, message = "result", ""
except BaseException as error:
    outcome, message = type(error).__name__, str(error).replace("\n", " ")[:300]
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
peak = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps({"outcome": outcome, "message": message, "seconds": round(seconds, 3),
                  "cpu_seconds": round(cpu, 3), "peak_rss_mb": round(peak)}))
"""

#: Outcomes that are allowed (a result, or a documented refusal).
ALLOWED = {"result", "ImageError", "ImageTooLargeError", "FormatNotAllowedError", "DecodeBudgetError", "RatioError"}


def run_case(case: CostCase, data: bytes, folder: Path, root: Path, cap_mb: int, decoder: str, timeout: float) -> dict:
    """One case in a fresh process; the child's JSON report plus the case's name and kind."""
    path = folder / case.name
    path.write_bytes(data)
    env = dict(os.environ, PYTHONPATH=str(root), OMP_NUM_THREADS="1", SMARTCROP_THREADS="1", VIPS_CONCURRENCY="1")
    if "formats" in case.options:
        env["SMARTCROP_FORMATS"] = case.options["formats"]
    call = case.call if decoder == "core" else decoder
    command = [sys.executable, "-c", CHILD, str(path), call, json.dumps(case.options), str(cap_mb << 20)]
    report = {"name": case.name, "kind": case.kind, "call": call, "bytes": len(data)}
    try:
        done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return report | {"outcome": "timeout", "message": f"killed after {timeout:.0f} s", "seconds": timeout,
                         "cpu_seconds": None, "peak_rss_mb": None}
    finally:
        path.unlink()
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return report | {"outcome": "crash", "message": tail, "seconds": None, "cpu_seconds": None, "peak_rss_mb": None}
    return report | json.loads(lines[-1])


def check(seconds: float, memory_mb: int, cap_mb: int | None = None, only: str | None = None,
          root: Path = REPO, decoder: str = "core", jobs: int = 2) -> dict:
    """Every case (or those whose name contains ``only``): reports and the list of failures.

    ``jobs`` children run at once: the budgets are per process and on CPU time, so running two side by
    side changes neither, and halves the wall time of the check on a 2-core CI machine.
    """
    cap_mb = cap_mb or 2 * memory_mb
    chosen = [case for case in cases() if not only or only in case.name]
    made: dict[int, tuple[object, bytes]] = {}  # by maker; the maker is kept so that its id stays unique
    for case in chosen:
        if id(case.make) not in made:
            made[id(case.make)] = (case.make, case.make())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="smartcrop-cost-") as folder, ThreadPoolExecutor(jobs) as pool:
        reports = list(pool.map(lambda case: run_case(case, made[id(case.make)][1], Path(folder), root, cap_mb,
                                                      decoder, timeout=4 * seconds + 30), chosen))
    failures = [report["name"] for report in reports if decoder == "core" and (
        report["outcome"] not in ALLOWED or report["cpu_seconds"] > seconds or report["peak_rss_mb"] > memory_mb)]
    return {"budget": {"seconds": seconds, "memory_mb": memory_mb, "cap_mb": cap_mb}, "cases": reports,
            "failures": failures, "total_seconds": round(time.perf_counter() - started, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="CPU-time budget per call (default 5)")
    parser.add_argument("--memory-mb", type=int, default=1024, help="peak RSS budget per process (default 1024)")
    parser.add_argument("--cap-mb", type=int, default=None, help="address-space cap (default: twice the memory budget)")
    parser.add_argument("--only", help="run only the cases whose name contains this")
    parser.add_argument("--jobs", type=int, default=2, help="child processes at once (default 2; 1 for wall times)")
    parser.add_argument("--root", type=Path, default=REPO, help="the checkout whose smartcrop_core is measured")
    parser.add_argument("--decoder", choices=("core", "pillow", "vips"), default="core",
                        help="core: smartcrop_core (checked); pillow / vips: plain decoders, for comparison only")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = check(args.seconds, args.memory_mb, args.cap_mb, args.only, args.root.resolve(), args.decoder, args.jobs)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        for report in result["cases"]:
            mark = "FAIL" if report["name"] in result["failures"] else "ok  "
            print(f"{mark} {report['name']:44s} {report['outcome']:22s} {report['seconds'] or 0:7.2f} s "
                  f"(cpu {report['cpu_seconds'] or 0:6.2f} s) "
                  f"{report['peak_rss_mb'] or 0:6} MB  {report['message'][:110]}")
        print(f"{len(result['failures'])} of {len(result['cases'])} over budget; {result['total_seconds']} s in all")
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
