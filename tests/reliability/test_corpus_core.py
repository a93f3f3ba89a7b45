"""The fuzz corpus through the library and the CLI, in a child process (so a crash or hang is caught)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def test_every_corpus_file_gives_a_result_or_the_documented_error(shipped_model):
    done = subprocess.run([sys.executable, "-m", "reliability.check_core", "--json"], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), f"the checker crashed: {done.returncode}\n{done.stderr[-2000:]}"
    report = json.loads(done.stdout)
    library, cli = report["library"], report["cli"]
    assert library["files"] >= 1000
    assert library["failures"] == []
    assert library["slowest_call"]["seconds"] < 10
    assert library["peak_rss_mb"] < 1024  # bombs are refused before decoding
    assert not cli["traceback"] and cli["multi_line_errors"] == [] and cli["leftover_or_empty_files"] == []
    assert cli["exit_code"] == 1 and cli["failed_files"] > 0
    assert cli["crops_written"] == cli["files"] - cli["failed_files"]
    assert done.returncode == 0


def test_corpus_is_reproducible():
    from reliability.corpus import samples

    first = [(s.name, s.data) for s in samples(3)][:200]
    again = [(s.name, s.data) for s in samples(3)][:200]
    assert first == again
    assert first != [(s.name, s.data) for s in samples(4)][:200]
