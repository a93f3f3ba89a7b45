"""smartcrop_recompute --enqueue on real Celery workers: a real redis-server on a free port, two real
``celery worker`` processes, real SQLite shared with them. Every row is analysed exactly once (counted
by a ledger written in the transaction that stores each analysis), a worker killed with SIGKILL loses
no row (its job is redelivered after the visibility timeout), and the result equals a single-process
recompute."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from testsupport.ports import free_port

from .sites import REPO, Site, child_env, make_template_db

pytest.importorskip("celery")
redis = pytest.importorskip("redis")
REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed (apt-get install redis-server)")

COUNT = 200
CHUNK = 4
VISIBILITY = 7  # seconds, as in celery_settings; above its job time limit (5 s)


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    """A private redis-server (no persistence) in a temp folder; its URL."""
    port, folder = free_port(), tmp_path_factory.mktemp("redis")
    server = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
                               "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 20
    try:
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=20)


class CelerySite(Site):
    settings = "testsupport.django_site.celery_settings"

    def __init__(self, folder: Path, template: Path, broker: str) -> None:
        super().__init__(folder, template)
        self.broker, self.workers, self.logs = broker, [], []
        redis.Redis.from_url(broker).flushdb()

    def env(self, **extra: str) -> dict[str, str]:
        return child_env(self.db, self.media, SMARTCROP_TEST_BROKER=self.broker, SMARTCROP_TEST_LEDGER="1",
                         SMARTCROP_TEST_DB_TIMEOUT="30", **extra)

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(*args), cwd=REPO, env=self.env(), capture_output=True, text=True, timeout=120)

    def start_worker(self, name: str, **env: str) -> subprocess.Popen:
        log = self.db.parent / f"{name}.log"
        command = [sys.executable, "-m", "celery", "-A", "testsupport.django_site.celery_app", "worker",
                   "--pool", "prefork", "--concurrency", "1", "-n", f"{name}@%h", "--without-gossip",
                   "--without-mingle", "--without-heartbeat", "--loglevel", "INFO", "--logfile", str(log)]
        worker = subprocess.Popen(command, cwd=REPO, env=self.env(**env), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.STDOUT, start_new_session=True)  # its own process group
        self.workers.append(worker)
        self.logs.append(log)
        return worker

    def stop_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)

    def query(self, sql: str) -> list[tuple]:
        with sqlite3.connect(self.db, timeout=30) as connection:
            return connection.execute(sql).fetchall()

    def ledger(self) -> list[tuple[str, int]]:
        return self.query("SELECT row_pk, pid FROM smartcrop_testapp_analysisrecord")

    def wait(self, condition, what: str, timeout: float = 75) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                logs = "\n".join(log.read_text()[-3000:] for log in self.logs if log.exists())
                pytest.fail(f"timed out waiting for {what}\n{logs}")
            time.sleep(0.1)

    def done(self) -> bool:
        left = self.query("SELECT count(*) FROM django_smartcrop_analysisjob")[0][0]
        ok = self.query("SELECT count(*) FROM smartcrop_testapp_photo WHERE json_extract(saliency, '$.status') = 'ok'")
        return left == 0 and ok[0][0] == COUNT


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    return make_template_db(tmp_path_factory.mktemp("celery-site"))


@pytest.fixture
def site(tmp_path, template_db, broker):
    site = CelerySite(tmp_path / "site", template_db, broker)
    yield site
    site.stop_workers()


def _comparable(states: list[dict]) -> list[dict]:
    return [{k: v for k, v in state.items() if k != "computed"} for state in states]


def test_enqueue_on_two_workers_survives_a_killed_worker_and_equals_one_process(site, tmp_path):
    site.add_photos(COUNT)
    first = site.manage("smartcrop_recompute", "--enqueue", "--chunk-size", str(CHUNK))
    assert first.returncode == 0, first.stderr
    assert f"enqueued {COUNT} in {COUNT // CHUNK} job(s)" in first.stdout
    again = site.manage("smartcrop_recompute", "--enqueue", "--chunk-size", str(CHUNK))  # safe to run twice
    assert f"enqueued 0 in 0 job(s) (0 whose earlier job died), {COUNT} already queued" in again.stdout, again.stdout
    status = site.manage("smartcrop_recompute", "--status")
    assert f"{COUNT} pending ({COUNT} queued by --enqueue)" in status.stdout, status.stdout

    victim = site.start_worker("victim")
    site.start_worker("survivor")
    site.wait(lambda: len(site.ledger()) >= 40, "40 analyses")
    os.killpg(victim.pid, signal.SIGKILL)  # the worker and its pool process, mid-run
    victim.wait(timeout=10)
    killed_at = len(site.ledger())
    assert killed_at < COUNT, "the workers finished before the kill: make the test images larger"
    # As a supervisor (systemd's RestartSec, Kubernetes) would: a replacement worker, a little later.
    # kombu's Redis transport puts a dead worker's unacknowledged job back in the queue once it is older
    # than the visibility timeout, in a sweep every worker makes when it starts (then about every 100 s).
    time.sleep(VISIBILITY + 0.5)
    site.start_worker("replacement")

    site.wait(site.done, "every row analysed after the kill")
    ledger = site.ledger()
    per_row = {}
    for row_pk, pid in ledger:
        per_row[row_pk] = per_row.get(row_pk, 0) + 1
    assert len(per_row) == COUNT and set(per_row.values()) == {1}, "a row was analysed twice or never"
    assert len({pid for _, pid in ledger}) >= 2  # both workers did work
    status = site.manage("smartcrop_recompute", "--status")
    assert f"{COUNT} row(s) with files: {COUNT} ok, 0 failed, 0 pending" in status.stdout, status.stdout
    distributed = _comparable(site.states())

    # The same rows recomputed in one process, from scratch, on a copy of the site.
    alone = Site(tmp_path / "alone", site.db)
    shutil.rmtree(alone.media)
    shutil.copytree(site.media, alone.media)
    with sqlite3.connect(alone.db) as connection:
        connection.execute("UPDATE smartcrop_testapp_photo SET saliency = NULL")
    done = alone.run("smartcrop_recompute")
    assert done.returncode == 0, done.stderr
    assert _comparable(alone.states()) == distributed


def test_jobs_lost_with_the_broker_are_sent_again_by_the_next_enqueue(site):
    site.add_photos(20)
    first = site.manage("smartcrop_recompute", "--enqueue", "--chunk-size", "10")
    assert "enqueued 20 in 2 job(s)" in first.stdout, first.stdout
    redis.Redis.from_url(site.broker).flushdb()  # the messages are lost (a broker without persistence restarted)
    kept = site.manage("smartcrop_recompute", "--enqueue", "--chunk-size", "10")
    assert "enqueued 0 in 0 job(s)" in kept.stdout and "20 already queued" in kept.stdout  # still young: not lost
    resent = site.manage("smartcrop_recompute", "--enqueue", "--chunk-size", "10", "--requeue-after", "0")
    assert "enqueued 20 in 2 job(s) (20 whose earlier job died)" in resent.stdout, resent.stdout
    site.start_worker("only")
    site.wait(lambda: not site.query("SELECT count(*) FROM django_smartcrop_analysisjob")[0][0], "the jobs")
    assert sorted(int(pk) for pk, _ in site.ledger()) == list(range(1, 21))  # each once


def test_status_lists_failures_and_bad_images_are_not_retried(site):
    site.add_photos(4)
    (site.media / "photos" / "p001.jpg").write_bytes(b"not an image")
    assert site.manage("smartcrop_recompute", "--enqueue").returncode == 0
    site.start_worker("only")
    site.wait(lambda: not site.query("SELECT count(*) FROM django_smartcrop_analysisjob")[0][0], "the jobs")
    assert len(site.ledger()) == 4  # the broken file once, like the others
    status = site.manage("smartcrop_recompute", "--status")
    assert "3 ok, 1 failed, 0 pending" in status.stdout, status.stdout
    assert "1 file(s) failed:" in status.stdout and "photos/p001.jpg: ImageError" in status.stdout
    log = "".join(path.read_text() for path in site.logs)
    assert "; retrying" not in log and " retry: " not in log
    assert [state["status"] for state in site.states()] == ["ok", "error", "ok", "ok"]


def test_storage_errors_are_retried_with_backoff(site):
    site.add_photos(3)
    assert site.manage("smartcrop_recompute", "--enqueue").returncode == 0
    site.start_worker("only", SMARTCROP_TEST_FLAKY="photos/p001.jpg", SMARTCROP_TEST_FLAKY_TIMES="2")
    site.wait(lambda: not site.query("SELECT count(*) FROM django_smartcrop_analysisjob")[0][0], "the jobs")
    assert [state["status"] for state in site.states()] == ["ok", "ok", "ok"]
    assert sorted(pk for pk, _ in site.ledger()) == ["1", "2", "3"]  # each once, the flaky one after 2 retries
    log = site.logs[0].read_text()
    assert log.count("; retrying") == 2 and "retry: Retry in 1s" in log and "retry: Retry in 2s" in log


def test_a_row_slower_than_the_time_limit_fails_and_the_rest_of_its_job_goes_on(site):
    site.add_photos(4)
    assert site.manage("smartcrop_recompute", "--enqueue").returncode == 0  # one job of 4 rows
    site.start_worker("only", SMARTCROP_TEST_SLOW="photos/p001.jpg", SMARTCROP_TEST_SLOW_SECONDS="30")
    site.wait(lambda: not site.query("SELECT count(*) FROM django_smartcrop_analysisjob")[0][0], "the jobs")
    states = site.states()
    assert [state["status"] for state in states] == ["ok", "error", "ok", "ok"]
    assert "took longer than the job time limit (5 s)" in states[1]["error"]
    assert sorted(pk for pk, _ in site.ledger()) == ["1", "3", "4"]
    log = site.logs[0].read_text()
    assert "Hard time limit" not in log and "WorkerLostError" not in log  # the soft limit handled it
