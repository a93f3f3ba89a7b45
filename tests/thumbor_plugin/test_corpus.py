"""A bounded slice of the fuzz corpus through a real Thumbor: every request answered, the server stays up.

The whole corpus (1,093 files) runs in ``reliability/check_thumbor.py``; here every "ok" file and 7
files of every other kind (every bomb), about 150 files x 3 URLs, through one fresh server.
"""

from __future__ import annotations

import pytest

pytest.importorskip("thumbor", reason="Thumbor is not installed (pip install .[thumbor])")

import collections
import io
from pathlib import Path

import numpy as np
from PIL import Image

from reliability import check_thumbor
from reliability.check_thumbor import BOMB_KIND, PLUGIN_URLS, Report
from reliability.corpus import Sample, samples

from testsupport.thumbor_server import running_thumbor, server_conf

#: "ok" files that Thumbor 7.8 itself cannot serve, with or without the plugin: its PIL engine writes
#: the result in the source's format and Pillow cannot save CMYK or 32-bit float TIFFs as PNG.
THUMBOR_CANNOT_SERVE = {"mode-cmyk.tif", "mode-float.tif"}


@pytest.fixture(scope="module")
def corpus_run(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Sample], Report]:
    files = check_thumbor.subset(samples(0))
    ordered, stages = check_thumbor.ordered_for_run(files, [])
    root = tmp_path_factory.mktemp("corpus")
    images = root / "images"
    images.mkdir()
    for sample in ordered:
        (images / sample.name).write_bytes(sample.data)
    with running_thumbor(server_conf(root, images), root, model_path) as server:
        report, _ = check_thumbor.check(server, ordered, concurrency=4, timeout=30, time_limit=120, stages=stages)
        assert server.process is not None and server.process.poll() is None, "Thumbor died during the corpus"
    return ordered, report


def test_the_subset_covers_every_kind_and_every_ok_file(corpus_run: tuple[list[Sample], Report]) -> None:
    ordered, report = corpus_run
    kinds = collections.Counter(s.kind for s in ordered)
    all_kinds = {s.kind for s in samples(0)}
    assert set(kinds) == all_kinds and min(kinds.values()) >= 3, kinds
    assert {s.name for s in ordered} >= {s.name for s in samples(0) if s.expect == "ok"}
    assert 120 <= len(ordered) <= 180
    assert report.not_run == 0 and report.requests == 3 * len(ordered)


def test_every_request_is_answered_and_the_server_keeps_answering(corpus_run: tuple[list[Sample], Report]) -> None:
    _, report = corpus_run
    assert report.failures == []
    assert report.healthchecks >= report.files // 32  # /healthcheck 200 after every batch
    labels = {label.split(": ", 1)[1] for counts in report.outcomes.values() for label in counts}
    assert labels <= {"200 image", "4xx", "5xx"}, labels
    assert report.log["tracebacks_raised_in_plugin"] == 0


def test_ok_files_are_served_at_the_requested_size(corpus_run: tuple[list[Sample], Report]) -> None:
    ordered, report = corpus_run
    ok_kinds = {s.kind for s in ordered if s.expect == "ok"}
    for kind in ok_kinds:
        ok_files = sum(1 for s in ordered if s.kind == kind)
        limited = sum(1 for s in ordered if s.kind == kind and s.name in THUMBOR_CANNOT_SERVE)
        for url in PLUGIN_URLS:
            assert report.outcomes[kind].get(f"{url}: 200 image", 0) == ok_files - limited, (kind, report.outcomes[kind])
    limited_names = {line.split(" [", 1)[0] for line in report.thumbor_limitations}
    assert limited_names == THUMBOR_CANNOT_SERVE  # and Thumbor alone fails them too (checked by judge)


def test_bombs_are_refused_without_memory_growth(corpus_run: tuple[list[Sample], Report]) -> None:
    ordered, report = corpus_run
    bombs = sum(1 for s in ordered if s.kind == BOMB_KIND)
    assert bombs == 8
    assert report.outcomes[BOMB_KIND] == {f"{url}: 4xx": bombs for url in ("filter", "plain", "smart")}
    growth = report.peak_rss_mb["after the bombs"] - report.peak_rss_mb["after warm-up"]
    assert growth < 50, report.peak_rss_mb


def test_a_large_image_costs_the_plugin_little_memory_beyond_thumbor_s_own(model_path: Path, tmp_path: Path) -> None:
    # 24 MP, 72 MB decoded: before the plugin analysed a reduced copy, /smart/ added two full copies.
    images = tmp_path / "images"
    images.mkdir()
    Image.new("RGB", (6000, 4000), (90, 120, 60)).save(images / "large.png")
    valid = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 40, 40)).save(valid, "PNG")
    (images / "valid.png").write_bytes(valid.getvalue())
    extra = check_thumbor.extra_peak(tmp_path / "servers", images, "large.png")
    decoded_mb = 6000 * 4000 * 3 / 2**20
    assert extra["plain"] > decoded_mb / 2, extra  # the measurement sees Thumbor's own decode
    for url in PLUGIN_URLS:
        assert extra[url] < extra["plain"] + decoded_mb / 2, extra


@pytest.mark.parametrize("mode", ["I;16", "LA", "P"])
def test_no_pixel_mode_makes_smart_copy_the_image_at_full_size(mode: str, tmp_path: Path) -> None:
    # 6000x6000: before, /smart/ copied I;16 and P images at full size and Image.reduce premultiplied LA
    # at full size (+100 to +200 MB over plain Thumbor); the target is at most 1.2x plain Thumbor.
    images = tmp_path / "images"
    images.mkdir()
    if mode == "I;16":
        ramp = Image.linear_gradient("L").resize((6000, 6000))
        Image.frombytes("I;16", ramp.size, (np.asarray(ramp, dtype="<u2") * 257).tobytes()).save(images / "big.png")
    else:
        Image.linear_gradient("L").resize((6000, 6000)).convert(mode).save(images / "big.png")
    Image.new("RGB", (320, 240), (200, 40, 40)).save(images / "valid.png")
    extra = check_thumbor.extra_peak(tmp_path / "servers", images, "big.png", urls=("plain", "smart"))
    assert extra["plain"] > 6000 * 6000 / 2**20, extra  # the measurement sees Thumbor's own decode
    assert extra["smart"] <= 1.2 * extra["plain"], extra
