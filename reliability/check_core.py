"""Run every corpus file through ``smartcrop_core.analyze`` and the ``smartcrop`` CLI; count outcomes.

    .venv/bin/python -m reliability.check_core [--seed 0] [--json]

Allowed outcomes: a result, or ``ImageError`` for inputs marked "any". Anything else (another
exception type, a crash, an ImageError for a valid image) is a failure and makes the exit code 1.
Also reports the slowest call and the peak memory of the process (bombs included).
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import smartcrop_core

from .memory import peak_rss_mb
from .corpus import samples


def check_library(seed: int) -> dict:
    outcomes: collections.Counter[str] = collections.Counter()
    failures, slowest = [], (0.0, "")
    for sample in samples(seed):
        start = time.perf_counter()
        try:
            smartcrop_core.analyze(sample.data)
            outcome = "result"
        except smartcrop_core.ImageError as error:
            outcome = "ImageError"
            if sample.expect == "ok":
                failures.append(f"{sample.name}: {error}")
        except Exception as error:  # noqa: BLE001 - any other type is exactly what we look for
            outcome = type(error).__name__
            failures.append(f"{sample.name}: {type(error).__name__}: {error}")
        slowest = max(slowest, (time.perf_counter() - start, sample.name))
        outcomes[f"{sample.kind}: {outcome}"] += 1
    return {
        "files": sum(outcomes.values()),
        "outcomes": dict(sorted(outcomes.items())),
        "failures": failures,
        "slowest_call": {"seconds": round(slowest[0], 3), "file": slowest[1]},
        "peak_rss_mb": peak_rss_mb(),
    }


def check_cli(seed: int, timeout: float = 600) -> dict:
    """The whole corpus as one folder through the CLI: one line per bad file, no traceback, exit 1."""
    with tempfile.TemporaryDirectory() as folder:
        corpus, out = Path(folder) / "corpus", Path(folder) / "out"
        corpus.mkdir()
        files = 0
        for files, sample in enumerate(samples(seed), start=1):
            (corpus / sample.name).write_bytes(sample.data)
        done = subprocess.run([sys.executable, "-m", "smartcrop_core", str(corpus), "-o", str(out), "-r", "1:1",
                               "-w", "64", "-q"], capture_output=True, text=True, timeout=timeout)
        lines = [line for line in done.stderr.splitlines() if line]
        leftovers = [p.name for p in out.rglob("*") if p.name.startswith(".smartcrop-") or p.stat().st_size == 0]
        summary = re.search(r"smartcrop: (\d+) of (\d+) file\(s\) failed", done.stderr)
        failed = int(summary.group(1)) if summary else 0
        return {
            "exit_code": done.returncode,
            "files": files,
            "failed_files": failed,
            "error_lines": len(lines),
            "traceback": "Traceback" in done.stderr,
            "crops_written": sum(1 for _ in out.rglob("*.*")) if out.exists() else 0,
            "leftover_or_empty_files": leftovers,
            "multi_line_errors": [line for line in lines if not line.startswith("smartcrop: ")],
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-cli", action="store_true")
    args = parser.parse_args()
    report = {"library": check_library(args.seed)}
    if not args.no_cli:
        report["cli"] = check_cli(args.seed)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        library = report["library"]
        print(f"{library['files']} files; failures: {len(library['failures'])}; peak RSS {library['peak_rss_mb']} MB; "
              f"slowest {library['slowest_call']}")
        for line, count in library["outcomes"].items():
            print(f"  {count:4d}  {line}")
        for failure in library["failures"]:
            print(f"  FAIL {failure}")
        if "cli" in report:
            print(f"CLI: {report['cli']}")
    cli = report.get("cli")
    cli_ok = cli is None or (not cli["traceback"] and not cli["multi_line_errors"] and not cli["leftover_or_empty_files"]
                             and cli["crops_written"] == cli["files"] - cli["failed_files"])
    return 0 if not report["library"]["failures"] and cli_ok else 1


if __name__ == "__main__":
    sys.exit(main())
