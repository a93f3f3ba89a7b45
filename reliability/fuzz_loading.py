"""Coverage-guided fuzzing (atheris) of the image-loading entry point, for a bounded time.

    .venv/bin/python -m reliability.fuzz_loading [-max_total_time=120] [-rss_limit_mb=2048] [CORPUS_DIR]

Seeds come from the reliability corpus. Any exception other than ``smartcrop_core.ImageError`` is a
finding: atheris stops and writes the input as ``crash-*``; turn it into a regression test in
tests/reliability/test_fuzz_regressions.py.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from smartcrop_core import ImageError
    from smartcrop_core.loading import Source

from .corpus import samples


def one_input(data: bytes) -> None:
    try:
        source = Source(data, max_pixels=50_000_000)
        source.info()
        source.load(min_size=(256, 192))
    except ImageError:
        pass


def main() -> None:
    args = list(sys.argv)
    if not any(arg.startswith("-max_total_time") for arg in args):
        args.append("-max_total_time=60")
    if not any(not arg.startswith("-") for arg in args[1:]):
        seeds = Path(tempfile.mkdtemp(prefix="smartcrop-fuzz-"))
        for index, sample in enumerate(samples()):
            if index % 5 == 0 and len(sample.data) < 100_000:
                (seeds / f"{index:05d}").write_bytes(sample.data)
        args.append(str(seeds))
    atheris.Setup(args, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
