"""pixels.py: the analysis copy of every pixel mode is reduced without a full-size temporary."""

from __future__ import annotations

import pytest

pytest.importorskip("thumbor", reason="Thumbor is not installed (pip install .[thumbor])")

import subprocess
import sys

import numpy as np
from PIL import Image

from thumbor_plugin.pixels import reduce_in_strips

from testsupport.thumbor_server import REPO


def noisy(mode: str, size: tuple[int, int] = (203, 157)) -> Image.Image:
    rng = np.random.default_rng(3)
    if mode.startswith("I;16"):
        values = rng.integers(0, 65536, size[::-1], dtype=np.uint16)
        return Image.frombytes(mode, size, values.astype(">u2" if mode == "I;16B" else "<u2").tobytes())
    return Image.fromarray(rng.integers(0, 256, (*size[::-1], 4), dtype=np.uint8), "RGBA").convert(mode)


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA", "CMYK", "F", "I", "YCbCr"])
def test_strips_equal_reducing_the_whole_image(mode: str) -> None:
    image = noisy(mode)
    whole = np.asarray(image.reduce(3))
    assert np.array_equal(np.asarray(reduce_in_strips(image, 3, strip_bytes=203 * 4 * 7)), whole)


@pytest.mark.parametrize("mode, expected", [("P", "RGB"), ("1", "L"), ("PA", "RGBA"), ("I;16", "I;16"), ("I;16B", "I;16")])
def test_modes_reduce_cannot_take_are_averaged_in_a_mode_that_keeps_their_meaning(mode: str, expected: str) -> None:
    image = noisy(mode)
    reduced = reduce_in_strips(image, 4, strip_bytes=203 * 4 * 9)
    assert reduced.mode == expected and reduced.size == (51, 40)
    if mode.startswith("I;16"):  # 16-bit values averaged as 16-bit values, not clipped to 8 bits
        reference = np.asarray(image.convert("I").reduce(4))
        assert np.array_equal(np.asarray(reduced.convert("I")), reference) and reference.max() > 255


def test_an_8000_by_8000_rgba_image_is_reduced_in_a_few_mb() -> None:
    code = (
        "from PIL import Image; from reliability.memory import peak_rss_mb\n"
        "from thumbor_plugin.pixels import reduce_in_strips\n"
        "image = Image.new('RGBA', (8000, 8000), (1, 2, 3, 4))\n"
        "before = peak_rss_mb()\n"
        "small = reduce_in_strips(image, 4)\n"
        "print(int(peak_rss_mb() - before), small.size)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    growth_mb, size = result.stdout.split(maxsplit=1)
    assert size.strip() == "(2000, 2000)"
    assert int(growth_mb) < 64, result.stdout  # Image.reduce alone: +256 MB (premultiplied full-size copy)


def test_an_image_within_the_analysis_size_is_read_in_place_without_its_metadata() -> None:
    from types import SimpleNamespace

    from thumbor_plugin.pixels import engine_image

    image = noisy("RGB")
    image.info["exif"] = b"Exif\x00\x00"
    view = engine_image(SimpleNamespace(image=image, size=image.size), long_side=2048)
    assert view.im is image.im  # no full-size copy per request
    assert view.info == {} and image.info["exif"] == b"Exif\x00\x00"  # the engine keeps its metadata
