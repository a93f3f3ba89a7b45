"""Images per second for ``smartcrop_recompute``: in one process, and with 1 and 2 real Celery workers.

    .venv/bin/python benchmarks/recompute_speed.py [--images 500] [--chunk-size 50] [--workers 1 2]

Builds a throw-away site in a temp folder (SQLite, the example site's Photo model, a private
redis-server on a free port; SQLite in WAL mode) with the same photos for every run (BSDS500 from ../shared/data, 481x321;
``--images`` of them). Each run starts from rows without analysis:

- in-process: ``recompute.run(mode="all")`` in this process, timed from the first row to the last;
- Celery: N ``celery worker --pool prefork --concurrency 1`` processes, started and ready (model
  loaded) before the clock starts; timed from ``smartcrop_recompute --enqueue --all`` until no job is
  left and every row is analysed.

Needs redis-server (apt-get install redis-server) and celery (pip install ".[celery]").
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from testsupport.ports import free_port  # noqa: E402

SHARED = Path(os.environ.get("SMARTCROP_SHARED_DATA", REPO.parent / "shared" / "data"))

SETTINGS = '''
import os
SECRET_KEY = "benchmark-only"
USE_TZ = True
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "django_smartcrop", "example_site.gallery"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["BENCH_DB"],
                         "OPTIONS": {"timeout": 60, "transaction_mode": "IMMEDIATE"}}}
MEDIA_ROOT = os.environ["BENCH_MEDIA"]
MEDIA_URL = "/media/"
ROOT_URLCONF = "django_smartcrop.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SILENCED_SYSTEM_CHECKS = ["django_smartcrop.W020", "django_smartcrop.W021"]
SMARTCROP_TASK_BACKEND = "celery"
CELERY_BROKER_URL = os.environ["BENCH_BROKER"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
from bench_celery import app  # noqa: E402,F401
'''
CELERY_APP = '''
import os
from celery import Celery
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_settings")
app = Celery("bench")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
'''


class Bench:
    def __init__(self, folder: Path, photos: list[Path]) -> None:
        self.folder, self.db, self.media = folder, folder / "db.sqlite3", folder / "media"
        (self.media / "gallery").mkdir(parents=True)
        (folder / "bench_settings.py").write_text(SETTINGS)
        (folder / "bench_celery.py").write_text(CELERY_APP)
        self.port = free_port()
        self.env = {**os.environ, "BENCH_DB": str(self.db), "BENCH_MEDIA": str(self.media),
                    "BENCH_BROKER": f"redis://127.0.0.1:{self.port}/0", "DJANGO_SETTINGS_MODULE": "bench_settings",
                    "PYTHONPATH": os.pathsep.join([str(folder), str(REPO)]), "OMP_NUM_THREADS": "1",
                    "SMARTCROP_THREADS": "1"}
        os.environ.update({k: v for k, v in self.env.items() if k != "PYTHONPATH"})
        sys.path[:0] = [str(folder), str(REPO)]
        subprocess.run([sys.executable, "-m", "django", "migrate", "-v", "0"], env=self.env, check=True, cwd=folder)
        names = []
        for index, photo in enumerate(photos):
            name = f"gallery/{index:04d}-{photo.name}"
            shutil.copyfile(photo, self.media / name)
            names.append((f"photo {index}", name))
        with sqlite3.connect(self.db) as connection:
            connection.execute("PRAGMA journal_mode=WAL")  # readers (the progress poll) never block the writers
            connection.executemany("INSERT INTO gallery_photo (title, image, uploaded) VALUES (?, ?, datetime('now'))",
                                   names)
        self.count = len(names)
        self.workers: list[subprocess.Popen] = []
        self.redis = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
                                       str(folder), "--save", "", "--appendonly", "no"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # last: close() stops it

    def reset(self) -> None:
        with sqlite3.connect(self.db, timeout=60) as connection:
            connection.execute("UPDATE gallery_photo SET saliency = NULL")
            connection.execute("DELETE FROM django_smartcrop_analysisjob")

    def analysed(self) -> int:
        with sqlite3.connect(self.db, timeout=60) as connection:
            left = connection.execute("SELECT count(*) FROM django_smartcrop_analysisjob").fetchone()[0]
            done = connection.execute("SELECT count(*) FROM gallery_photo WHERE saliency IS NOT NULL").fetchone()[0]
        return done if left == 0 else min(done, self.count - 1)

    def start_workers(self, count: int) -> None:
        for index in range(count):
            log = self.folder / f"worker{index}-{count}.log"
            self.workers.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "bench_celery", "worker", "--pool", "prefork", "--concurrency",
                 "1", "-n", f"bench{index}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "--loglevel", "WARNING", "--logfile", str(log)],
                cwd=self.folder, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                start_new_session=True))
        # Ready: every worker answers a ping; then a moment for the pool processes to load the model.
        deadline = time.monotonic() + 60
        from celery import current_app

        while time.monotonic() < deadline:
            replies = current_app.control.ping(timeout=0.5) or []
            if len(replies) >= count:
                time.sleep(2)  # the pool processes load the model at start
                return
        raise RuntimeError("the workers did not start")

    def stop_workers(self) -> None:
        for worker in self.workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in self.workers:
            worker.wait(timeout=60)
        self.workers = []

    def close(self) -> None:
        if self.workers:
            self.stop_workers()
        self.redis.terminate()
        self.redis.wait(timeout=30)


def in_process(bench: Bench) -> float:
    from django_smartcrop import recompute

    bench.reset()
    recompute.current_model_label()  # load the model before the clock starts
    targets = recompute.find_targets(["gallery"])
    start = time.perf_counter()
    report = recompute.run(targets, mode="all")
    elapsed = time.perf_counter() - start
    assert report.recomputed == bench.count and not report.failures, report
    return bench.count / elapsed


def with_workers(bench: Bench, count: int, chunk_size: int) -> float:
    from io import StringIO

    from django.core.management import call_command

    bench.reset()
    bench.start_workers(count)
    try:
        start = time.perf_counter()
        call_command("smartcrop_recompute", "gallery", "--enqueue", "--all", "--chunk-size", str(chunk_size),
                     stdout=StringIO())
        while bench.analysed() < bench.count:
            time.sleep(0.1)
        elapsed = time.perf_counter() - start
    finally:
        bench.stop_workers()
    return bench.count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--chunk-size", type=int, default=50)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    source = SHARED / "photos" / "bsds500"
    if not source.is_dir():
        sys.exit(f"recompute_speed: the photos are missing: {source} (set SMARTCROP_SHARED_DATA)")
    if shutil.which("redis-server") is None:
        sys.exit("recompute_speed: redis-server is not installed (apt-get install redis-server)")
    photos = sorted(source.glob("*.jpg"))[: args.images]
    with tempfile.TemporaryDirectory(prefix="smartcrop-recompute-bench-") as folder:
        bench = Bench(Path(folder), photos)
        try:
            import django

            django.setup()
            rows = [("in-process (one process, one thread), first", in_process(bench))]
            for count in args.workers:
                rows.append((f"Celery, {count} worker process{'es' if count > 1 else ''}",
                             with_workers(bench, count, args.chunk_size)))
            rows.append(("in-process again, last (the load of a shared machine drifts)", in_process(bench)))
        finally:
            bench.close()
    print(f"{len(photos)} photos (BSDS500, 481x321), chunk size {args.chunk_size}, {os.cpu_count()} cores\n")
    print("| how | images/s | x in-process | a million images, 1 machine like this (arithmetic) |")
    print("|---|---:|---:|---:|")
    base = rows[0][1]
    for name, rate in rows:
        print(f"| {name} | {rate:.1f} | {rate / base:.2f} | {1e6 / rate / 3600:.1f} h |")


if __name__ == "__main__":
    main()
