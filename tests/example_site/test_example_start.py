"""The one command in the README starts the site: migrations applied once, pages served on 127.0.0.1;
without Django installed it says exactly what to install."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from testsupport.ports import free_port

REPO = Path(__file__).resolve().parents[2]
RUN = REPO / "example_site" / "run.py"


def test_run_script_migrates_once_and_serves(tmp_path):
    port = free_port()
    env = {**os.environ, "EXAMPLE_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen([sys.executable, str(RUN), str(port)], env=env, stdout=output,
                                  stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        body = ""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.3)
        text = log.read_text()
        assert "smartcrop example" in body, text
        assert (tmp_path / "db.sqlite3").is_file()
        # the autoreloader's child process must not migrate a second time
        assert text.count("Operations to perform") == 1, text
    finally:
        os.killpg(server.pid, 15)  # runserver's reloader child too
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()


def test_run_script_without_django_says_what_to_install():
    """As right after a core-only install: Django cannot be imported."""
    code = ("import runpy, sys; sys.modules['django'] = None; sys.argv = ['run.py'];"
            f" runpy.run_path({str(RUN)!r}, run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == ('example_site/run.py: the example site needs Django: run  .venv/bin/pip install '
                                     '-e ".[django]"  in the checkout')


def test_readme_gives_this_start_command_after_the_setup():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    two_commands = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    assert "`.venv/bin/python example_site/run.py`" in two_commands
    example = readme.split("### Example site", 1)[1].split("\n### ", 1)[0]
    assert ".venv/bin/python example_site/run.py" in example and "docs/example-site.png" in example
    assert (REPO / "docs" / "example-site.png").is_file()
