"""The README's first command works on a fresh clone: it crops the sample photos shipped in samples/.

No ../shared data is used here: a new user has none.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image

from smartcrop_core.files import IMAGE_SUFFIXES

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
DEFAULT_RATIOS = ("16x9", "1x1", "4x5", "9x16")


def first_command() -> str:
    """The shell line of the first code block of README's "Two commands" section."""
    section = REPO.joinpath("README.md").read_text(encoding="utf-8").split("## Two commands", 1)[1]
    return re.search(r"```sh\n(.*?)\n```", section, re.S).group(1).strip()


def smartcrop_part() -> list[str]:
    """The ``smartcrop ...`` step of the first command, as arguments (without the program)."""
    step = next(part for part in first_command().split("&&") if "bin/smartcrop" in part)
    return shlex.split(step)[1:]


def sample_images() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def test_readme_first_command_sets_up_django_and_crops_the_shipped_samples():
    command = first_command()
    assert "pip install -e " in command and ".[django]" in command  # the example site runs after it
    arguments = smartcrop_part()
    assert arguments[0].rstrip("/") == "samples" and (REPO / arguments[0]).is_dir()
    assert "../shared" not in command


def test_samples_are_about_ten_small_images_each_with_a_licence():
    images = sample_images()
    assert 8 <= len(images) <= 15
    assert sum(p.stat().st_size for p in images) < 5_000_000
    licences = (SAMPLES / "LICENCES.md").read_text(encoding="utf-8")
    for image in images:
        row = next((line for line in licences.splitlines() if line.startswith(f"| `{image.name}` |")), None)
        assert row is not None, f"{image.name} has no row in samples/LICENCES.md"
        assert re.search(r"public domain|CC0|no known copyright", row.split("|")[-2], re.I), row


def test_readme_smartcrop_command_crops_every_sample(tmp_path):
    """The command exactly as README prints it, run in a folder holding only a copy of samples/."""
    shutil.copytree(SAMPLES, tmp_path / "samples")
    program = Path(sys.executable).with_name("smartcrop")
    command = [str(program)] if program.exists() else [sys.executable, "-m", "smartcrop_core"]
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "SMARTCROP_THREADS": "1"}
    result = subprocess.run(command + smartcrop_part(), cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env=environment)
    assert result.returncode == 0, result.stderr[-2000:]
    crops = tmp_path / "crops"
    for image in sample_images():
        written = {p.name.removeprefix(image.stem + "_").rsplit(".", 1)[0]: p
                   for p in crops.iterdir() if p.name.startswith(image.stem + "_")}
        assert set(written) == {*DEFAULT_RATIOS, "debug"}, (image.name, sorted(written))
        for label in DEFAULT_RATIOS:
            across, down = map(int, label.split("x"))
            with Image.open(written[label]) as crop:
                assert abs(crop.width / crop.height - across / down) < 0.02, (image.name, label, crop.size)
        with Image.open(image) as source, Image.open(written["debug"]) as debug:
            assert abs(debug.width / debug.height - source.width / source.height) < 0.02  # the whole image


def test_readme_says_how_to_add_an_extra_and_keep_the_editable_install():
    section = REPO.joinpath("README.md").read_text(encoding="utf-8").split("## Two commands", 1)[1].split("\n## ", 1)[0]
    assert '.venv/bin/pip install -e ".[thumbor]"' in section and "Keep the `-e`" in section
