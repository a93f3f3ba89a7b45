"""The CLI on a real full disk (a tiny tmpfs): it reports, stops cleanly and leaves no partial file."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from PIL import Image

from testsupport.images import scene


@pytest.fixture()
def tiny_disk(tmp_path):
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount_point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=True)


def test_full_disk_stops_the_batch_with_no_partial_files(tmp_path, tiny_disk, shipped_model):
    photos = tmp_path / "photos"
    photos.mkdir()
    for index in range(12):
        scene(640, 480, spot=(0.1 + 0.07 * index, 0.5)).save(photos / f"p{index:02d}.png")
    done = subprocess.run([sys.executable, "-m", "smartcrop_core", str(photos), "-o", str(tiny_disk), "-w", "200", "-q"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "the disk is full" in done.stderr
    lines = done.stderr.strip().splitlines()
    assert all(line.startswith("smartcrop: ") for line in lines)
    failed = int(lines[-1].split()[1])
    assert failed == 1, "the batch must stop at the first full-disk failure"
    written = sorted(tiny_disk.iterdir())
    assert written, "some crops fit before the disk filled up"
    assert not [p for p in written if p.name.startswith(".smartcrop-")]
    for path in written:
        with Image.open(path) as image:
            image.load()  # every file left behind is complete


def _as_unprivileged(command: list[str]) -> list[str]:
    """Run as a user whom file modes bind: root reads any folder whatever its mode."""
    if os.geteuid() != 0:
        return command
    if shutil.which("setpriv") is None:
        pytest.skip("running as root and setpriv is missing: cannot make a folder unreadable")
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]


@pytest.fixture()
def shared_tmp():
    """A temporary folder others may enter (pytest's own is private to its user)."""
    folder = Path(tempfile.mkdtemp(prefix="smartcrop-faults-"))
    folder.chmod(0o777)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o777)
    shutil.rmtree(folder)


def _cli(*args: str, unprivileged: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "smartcrop_core", *args]
    return subprocess.run(_as_unprivileged(command) if unprivileged else command, capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[2])


def test_an_unreadable_subfolder_is_reported_not_skipped_in_silence(shared_tmp):
    photos = shared_tmp / "photos"
    (photos / "private").mkdir(parents=True)
    scene().save(photos / "a.jpg")
    scene().save(photos / "private" / "b.jpg")
    out = shared_tmp / "out"
    out.mkdir(mode=0o777)
    out.chmod(0o777)
    (photos / "private").chmod(0o000)
    done = _cli(str(photos), "-o", str(out), "-r", "1:1", "-q", unprivileged=True)
    assert done.returncode == 1, done.stderr
    assert f"cannot read folder {photos / 'private'}: Permission denied" in done.stderr
    assert "1 folder(s) could not be read" in done.stderr
    assert [p.name for p in out.iterdir()] == ["a_1x1.jpg"]  # the rest of the batch is cropped


def test_an_unreadable_top_level_folder_exits_with_a_message(shared_tmp):
    photos = shared_tmp / "photos"
    photos.mkdir()
    scene().save(photos / "a.jpg")
    photos.chmod(0o000)
    done = _cli(str(photos), "--json", unprivileged=True)
    assert done.returncode == 1
    ours = [line for line in done.stderr.splitlines() if "onnxruntime" not in line]  # its telemetry warns as nobody
    assert ours == [f"smartcrop: cannot read folder {photos}: Permission denied (its images are skipped)",
                                        "smartcrop: 1 folder(s) could not be read"]


@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
def test_a_fifo_or_device_on_the_command_line_is_refused_not_waited_on(tmp_path, special):
    if special == "fifo":
        special = str(tmp_path / "pipe.jpg")
        os.mkfifo(special)  # nobody ever writes to it: reading it would block forever
    good = tmp_path / "a.jpg"
    scene().save(good)
    done = _cli(special, str(good), "--json")  # the timeout above fails the test if it hangs
    assert done.returncode == 1
    assert f"smartcrop: {special}: not a regular file (a FIFO, device or socket): refused" in done.stderr
    assert len(done.stdout.splitlines()) == 1  # the good file is still analysed


def _workers(pid: int) -> list[int]:
    """The CLI's spawned worker processes (not multiprocessing's resource tracker)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(c) for c in children if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]
    except OSError:  # the CLI or a child just exited
        return []


def test_a_killed_worker_costs_no_file(tmp_path):
    """SIGKILL one worker mid-batch (as the kernel's OOM killer would): the files it had in flight are
    retried, the run finishes, and every output equals a one-process run's."""
    photos = tmp_path / "photos"
    photos.mkdir()
    for index in range(60):
        scene(800, 600, spot=(0.1 + 0.013 * index, 0.5)).save(photos / f"p{index:02d}.jpg", quality=90)
    command = [sys.executable, "-m", "smartcrop_core", str(photos), "-r", "1:1", "-r", "16:9", "-q"]
    cli = subprocess.Popen([*command, "-o", str(tmp_path / "two"), "--jobs", "2"], stderr=subprocess.PIPE, text=True)
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and cli.poll() is None and time.monotonic() < deadline:
        workers = _workers(cli.pid)
        if len(workers) == 2 and (tmp_path / "two").is_dir() and len(list((tmp_path / "two").iterdir())) >= 10:
            os.kill(workers[0], signal.SIGKILL)
            killed = workers[0]
        time.sleep(0.01)
    _, err = cli.communicate(timeout=300)
    assert killed is not None, "the batch finished before a worker could be killed"
    assert cli.returncode == 0, err
    one = subprocess.run([*command, "-o", str(tmp_path / "one"), "--jobs", "1"], capture_output=True, timeout=300)
    assert one.returncode == 0
    files = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert len(files) == 120 and sorted(p.name for p in (tmp_path / "two").iterdir()) == files
    for name in files:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
