"""The CLI on a real full disk (a tiny tmpfs): it reports, stops cleanly and leaves no partial file."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PIL import Image

from tests.core.images import scene


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
