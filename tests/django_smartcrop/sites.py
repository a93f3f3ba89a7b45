"""A site in a folder for tests that run the site in child processes: an SQLite file (migrated once per
module) and a media folder shared by the test, ``manage.py`` commands and Celery workers."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from .images import jpeg, scene

REPO = Path(__file__).resolve().parents[2]
SETTINGS = "testsupport.django_site.subprocess_settings"


def make_template_db(folder: Path) -> Path:
    """An SQLite file with the schema, made by ``migrate`` in a child process."""
    (folder / "media").mkdir(exist_ok=True)
    env = child_env(folder / "db.sqlite3", folder / "media")
    command = [sys.executable, "-m", "django", "migrate", "--run-syncdb", "-v", "0", f"--settings={SETTINGS}"]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return folder / "db.sqlite3"


def child_env(db: Path, media: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "SMARTCROP_TEST_DB": str(db), "SMARTCROP_TEST_MEDIA": str(media), "PYTHONPATH": str(REPO),
           "OMP_NUM_THREADS": "1", "SMARTCROP_THREADS": "1"}
    env.pop("SMARTCROP_MODEL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return {**env, **extra}


class Site:
    """A site in a folder: an SQLite file and a media folder that child processes and the test share."""

    def __init__(self, folder: Path, template: Path) -> None:
        self.db, self.media = folder / "db.sqlite3", folder / "media"
        self.media.mkdir(parents=True)
        shutil.copyfile(template, self.db)

    def add_photos(self, count: int) -> None:
        (self.media / "photos").mkdir(exist_ok=True)
        rows = []
        for index in range(count):
            name = f"photos/p{index:03d}.jpg"
            (self.media / name).write_bytes(jpeg(scene(360, 240, spot=((index % 7 + 1) / 8, (index % 3 + 1) / 4))))
            rows.append((f"p{index}", name))
        with sqlite3.connect(self.db) as connection:
            connection.executemany("INSERT INTO smartcrop_testapp_photo (title, image) VALUES (?, ?)", rows)

    def analysed(self) -> int:
        with sqlite3.connect(self.db, timeout=10) as connection:
            return connection.execute(
                "SELECT count(*) FROM smartcrop_testapp_photo WHERE saliency IS NOT NULL").fetchone()[0]

    def states(self) -> list[dict]:
        with sqlite3.connect(self.db, timeout=10) as connection:
            rows = connection.execute("SELECT image, saliency FROM smartcrop_testapp_photo ORDER BY id").fetchall()
        return [dict(json.loads(value or "null") or {}, file=image) for image, value in rows]

    def crop_rows(self) -> list[str]:
        with sqlite3.connect(self.db, timeout=10) as connection:
            return [name for (name,) in connection.execute("SELECT name FROM django_smartcrop_crop")]

    settings = SETTINGS

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "django", *args, f"--settings={self.settings}"]

    def run(self, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(*args), cwd=REPO, env=child_env(self.db, self.media, **env),
                              capture_output=True, text=True, timeout=timeout)

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        return subprocess.Popen(self.command(*args), cwd=REPO, env=child_env(self.db, self.media, **env),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_for(self, analysed: int, process: subprocess.Popen, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while self.analysed() < analysed:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the command made no progress"
            time.sleep(0.01)
