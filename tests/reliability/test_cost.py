"""Small hostile files must not cost seconds or gigabytes (issue 13): each in its own capped process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from reliability.hostile import cases
from tests.conftest import REPO

#: What each kind must give: refused before decoding, or a result within the budget.
REFUSED_BEFORE_DECODING = {
    "progressive-500-repeated-scans.jpg": "DecodeBudgetError",
    "progressive-500-repeated-scans-crop64.jpg": "DecodeBudgetError",
    "progressive-200-scans-truncated.jpg": "DecodeBudgetError",
    "png-16bit-rgba-at-limit.png": "DecodeBudgetError",
    "jpeg2000-9216x9216.j2k": "FormatNotAllowedError",
    "jpeg2000-9216x9216-opted-in-crop-full.j2k": "DecodeBudgetError",
    "png-1x89478485.png": "DecodeBudgetError",
    "png-1x89478485-crop.png": "DecodeBudgetError",
    "ico-hiding-179mp-png.ico": "FormatNotAllowedError",
    "ico-hiding-179mp-png-opted-in.ico": "ImageTooLargeError",
    "webp-lossless-at-limit.webp": "DecodeBudgetError",
    "crop-1x50-width-10000.png": "RatioError",
}
ANALYSED = ["progressive-32-scans-at-limit.jpg", "png-16bit-rgba-at-the-byte-limit.png", "png-16bit-grey-at-limit.png",
            "tiff-float32-at-limit.tif", "tiff-float32-at-limit-crop-full.tif",
            "jpeg2000-9216x9216-opted-in.j2k", "mpo-48mp.jpg", "png-8bit-grey-at-limit.png", "gif-at-limit.gif"]


@pytest.fixture(scope="module")
def report(shipped_model) -> dict:
    done = subprocess.run([sys.executable, "-m", "reliability.check_cost", "--json"], cwd=REPO,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode in (0, 1), f"the cost check crashed: {done.returncode}\n{done.stderr[-2000:]}"
    return json.loads(done.stdout)


def test_every_hostile_input_is_within_5_cpu_seconds_and_1_gb(report):
    assert report["budget"] == {"seconds": 5.0, "memory_mb": 1024, "cap_mb": 2048}
    assert len(report["cases"]) == len(list(cases()))
    over = [(c["name"], c["outcome"], c["cpu_seconds"], c["peak_rss_mb"], c["message"]) for c in report["cases"]
            if c["name"] in report["failures"]]
    assert over == []


def test_each_kind_is_refused_cleanly_or_analysed(report):
    by_name = {c["name"]: c for c in report["cases"]}
    for name, outcome in REFUSED_BEFORE_DECODING.items():
        assert by_name[name]["outcome"] == outcome, by_name[name]
        assert by_name[name]["peak_rss_mb"] < 200, by_name[name]  # nothing was decoded
    for name in ANALYSED:
        assert by_name[name]["outcome"] == "result", by_name[name]


def test_refusals_are_one_line_and_name_the_setting(report):
    for case in report["cases"]:
        if case["outcome"] in ("DecodeBudgetError", "FormatNotAllowedError", "ImageTooLargeError"):
            assert "\n" not in case["message"] and case["name"] in case["message"]
            assert "SMARTCROP_" in case["message"] or "max_pixels" in case["message"] or "Pillow" in case["message"]
