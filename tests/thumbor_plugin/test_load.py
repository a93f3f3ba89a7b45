"""50 concurrent /smart/ requests on a real Thumbor: no wrong answer, and the IOLoop stays responsive.

One round of reliability/load_thumbor.py: 40 different 1024x768 photos and 10 broken corpus files,
all 50 requests sent before any answer is read, while /healthcheck is polled every 50 ms.

The bound, load_thumbor.HEALTHCHECK_BOUND_MS (1 s for every poll), is a liveness guarantee with room
for a busy CI machine: Thumbor alone under this load has a worst poll of up to 322 ms here. That the model
never runs on the loop is asserted exactly, without timing, in test_engine.py.
"""

from __future__ import annotations

import pytest

pytest.importorskip("thumbor", reason="Thumbor is not installed (pip install .[thumbor])")

from pathlib import Path

from reliability import load_thumbor
from reliability.load_thumbor import HEALTHCHECK_BOUND_MS, LoadReport

from testsupport.thumbor_server import running_thumbor, server_conf

REQUESTS, BAD = 50, 10


@pytest.fixture(scope="module")
def load_report(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> LoadReport:
    root = tmp_path_factory.mktemp("load")
    images = root / "images"
    images.mkdir()
    rounds = [(load_thumbor.make_images(images, REQUESTS - BAD, 1024, 768), load_thumbor.bad_files(images, BAD))]
    conf = server_conf(root, images) + load_thumbor.conf_extra(pool=2, engine_threads=2)
    with running_thumbor(conf, root, model_path) as server:
        return load_thumbor.run_load(server, images, rounds, model_path, bound_ms=HEALTHCHECK_BOUND_MS, timeout=60)


def test_fifty_concurrent_smart_requests_on_mixed_images_give_no_wrong_answer(load_report: LoadReport) -> None:
    assert load_report.requests == REQUESTS and load_report.good == REQUESTS - BAD
    assert load_report.wrong == []  # 200, 320x180, the core's crop and the core's focal points
    assert sum(load_report.bad_outcomes.values()) == BAD and "no answer" not in load_report.bad_outcomes
    assert load_report.bad_outcomes.get("4xx", 0) > 0  # the broken files did reach Thumbor and fail there
    assert load_report.server_alive


def test_the_ioloop_answers_healthchecks_within_the_bound_during_the_load(load_report: LoadReport) -> None:
    health = load_report.healthcheck_ms
    assert load_report.healthcheck_failures == 0
    assert health["count"] >= 10, health  # polled all through the load
    assert health["max"] <= HEALTHCHECK_BOUND_MS, health
