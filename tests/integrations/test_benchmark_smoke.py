"""benchmarks/integrations_quality.py: every library's crop runs on a small image and gives a box of the
asked ratio inside the image, so the benchmark cannot rot (run in its own process: it configures Django)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from testsupport.images import scene

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import json, sys
sys.argv = ["integrations_quality"]
sys.path.insert(0, "benchmarks")
import integrations_quality as bench
path = sys.stdin.readline().strip()
print(json.dumps({name: decide(path, bench.RATIOS) for name, decide in bench.DECIDERS.items()}))
"""


def test_every_decider_gives_a_box_of_the_ratio(tmp_path):
    for module in ("pilkit", "easy_thumbnails", "sorl", "wagtail", "cv2"):
        pytest.importorskip(module)
    path = tmp_path / "scene.jpg"
    scene(320, 240, spot=(0.8, 0.3)).save(path, quality=90)
    env = dict(os.environ, OMP_NUM_THREADS="1", SMARTCROP_THREADS="1")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, input=f"{path}\n",
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    boxes = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(boxes) == 6
    for name, per_ratio in boxes.items():
        for ratio, (left, top, width, height) in per_ratio.items():
            w, h = (int(v) for v in ratio.split(":"))
            assert left >= 0 and top >= 0 and left + width <= 320 and top + height <= 240, (name, ratio)
            assert abs(width / height - w / h) < 0.02, (name, ratio, width, height)
