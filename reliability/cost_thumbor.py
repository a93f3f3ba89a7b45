"""The costly hostile files (reliability.hostile) through a real Thumbor: plain resize and ``/smart/``.

    OMP_NUM_THREADS=1 .venv/bin/python -m reliability.cost_thumbor [--only SUBSTRING] [--json]

For comparison with ``reliability.check_cost`` (the core), not a CI check. Each file gets two fresh
servers, one per URL (``/unsafe/300x300/NAME`` and ``/unsafe/300x300/smart/NAME``), so that each
server's peak RSS (VmHWM of the Thumbor process) is that request's alone; reported: HTTP status, wall
time of the request, the server's peak RSS before and after it.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from PIL import Image

from .hostile import cases
from .memory import peak_rss_mb
from testsupport.thumbor_server import model_file, running_thumbor, server_conf


def measure(name: str, data: bytes, smart: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="smartcrop-cost-thumbor-") as folder:
        root, images = Path(folder), Path(folder) / "images"
        images.mkdir()
        (images / name).write_bytes(data)
        Image.new("RGB", (64, 48), (90, 120, 60)).save(images / "warm.png")
        with running_thumbor(server_conf(root, images), root, model_file()) as server:
            assert server.process is not None
            server.get("/unsafe/8x8/smart/warm.png")  # the plugin's model is loaded before measuring
            before = peak_rss_mb(server.process.pid)
            start = time.perf_counter()
            reply = server.get(f"/unsafe/300x300/{'smart/' if smart else ''}{name}", timeout=300)
            seconds = time.perf_counter() - start
            return {"status": reply.status, "seconds": round(seconds, 2), "rss_before_mb": before,
                    "rss_peak_mb": peak_rss_mb(server.process.pid)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = []
    for case in cases():
        if case.call != "analyze" or case.options or (args.only and args.only not in case.name):
            continue
        data = case.make()
        row = {"name": case.name, "plain": measure(case.name, data, False), "smart": measure(case.name, data, True)}
        results.append(row)
        if not args.json:
            print(row, flush=True)
    if args.json:
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
