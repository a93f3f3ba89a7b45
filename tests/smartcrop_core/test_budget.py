"""The decode budget: formats, sides, raw bytes, progressive scans, checked before any pixel is decoded."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest
from PIL import IcoImagePlugin, Image

from reliability.hostile import (gif_frame_larger_than_screen, ico_hiding_png, jpeg2000_tiled, png,
                                 progressive_repeated_scans)
from smartcrop_core import ImageError, ImageTooLargeError
from smartcrop_core.budget import DEFAULT_FORMATS, DecodeBudget, DecodeBudgetError, FormatNotAllowedError, parse_formats
from smartcrop_core.formats import count_jpeg_scans
from smartcrop_core.loading import Source

from testsupport.images import encode, scene


def one_line(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert message and "\n" not in message
    return message


def small_ico() -> bytes:
    return encode(scene(32, 32), "ICO", sizes=[(32, 32)])


def test_formats_outside_the_allow_list_are_refused_with_the_setting_to_change():
    others = [(small_ico(), "ICO"), (jpeg2000_tiled(tiles=2), "JPEG2000"), (encode(scene(32, 32), "PCX"), "PCX")]
    for data, name in others:
        with pytest.raises(FormatNotAllowedError) as caught:
            Source(data).info()
        assert name in one_line(caught) and "SMARTCROP_FORMATS" in str(caught.value)


def test_opted_in_formats_are_read(monkeypatch):
    assert Source(small_ico(), DecodeBudget(formats=DEFAULT_FORMATS | {"ICO"})).load().size == (32, 32)
    monkeypatch.setenv("SMARTCROP_FORMATS", "default,ico")
    assert Source(small_ico()).info().format == "ICO"


def test_formats_setting_syntax():
    assert parse_formats("default, jpeg2000") == DEFAULT_FORMATS | {"JPEG2000"}
    assert parse_formats("PNG") == {"PNG"}
    with pytest.raises(FormatNotAllowedError):
        Source(encode(scene(32, 32), "JPEG"), DecodeBudget(formats=frozenset({"PNG"}))).info()


def test_an_opted_in_ico_hiding_a_huge_png_is_refused_before_pillow_opens_it(monkeypatch):
    def must_not_open(self):
        raise AssertionError("Pillow's ICO reader decodes the embedded PNG: it must not run")

    monkeypatch.setattr(IcoImagePlugin.IcoImageFile, "_open", must_not_open)
    budget = DecodeBudget(max_pixels=1_000_000, formats=DEFAULT_FORMATS | {"ICO"})
    with pytest.raises(ImageTooLargeError) as caught:
        Source(ico_hiding_png(2000), budget).info()
    assert "2000x2000" in one_line(caught) and "1.0 MP" in str(caught.value)


def test_progressive_scans_are_counted_without_decoding():
    baseline = encode(scene(64, 48), "JPEG")
    progressive = encode(scene(64, 48), "JPEG", progressive=True)
    assert count_jpeg_scans(baseline) == 1
    assert count_jpeg_scans(progressive) == 10  # libjpeg's default script for colour images
    assert count_jpeg_scans(progressive_repeated_scans(side=64, repeats=7)) == 6 + 7  # grey: 6 scans


def test_scans_in_an_exif_thumbnail_are_not_counted():
    exif = Image.Exif()
    exif[0x0112] = 1
    thumbnail = encode(scene(32, 24), "JPEG", progressive=True)
    data = encode(scene(64, 48), "JPEG", exif=exif.tobytes() + thumbnail)
    assert count_jpeg_scans(data) == 1


def test_too_many_scans_are_refused_and_the_limit_is_configurable(monkeypatch):
    data = progressive_repeated_scans(side=256, repeats=60)
    with pytest.raises(DecodeBudgetError) as caught:
        Source(data).info()
    assert "66 scans" in one_line(caught) and "SMARTCROP_MAX_SCANS" in str(caught.value)
    assert Source(data, DecodeBudget(max_scans=100)).load().size == (256, 256)
    monkeypatch.setenv("SMARTCROP_MAX_SCANS", "100")
    assert Source(data).info().width == 256


def test_scans_are_counted_once_per_file_version(monkeypatch, tmp_path):
    """analyze opens a file twice (header, then pixels): the whole-file scan count runs once, and again
    only for a file that was replaced in between."""
    import smartcrop_core.loading

    counted = []
    check = smartcrop_core.loading.check_jpeg_scans
    monkeypatch.setattr(smartcrop_core.loading, "check_jpeg_scans", lambda *a: counted.append(1) or check(*a))
    path = tmp_path / "photo.jpg"
    path.write_bytes(encode(scene(320, 240), "JPEG", progressive=True))
    source = Source(path)
    source.info()
    source.load()
    assert len(counted) == 1
    path.write_bytes(progressive_repeated_scans(side=256, repeats=60))  # a new file under the same name
    with pytest.raises(DecodeBudgetError):
        source.load()
    assert len(counted) == 2


def test_sides_over_the_limit_are_refused(monkeypatch):
    with pytest.raises(DecodeBudgetError) as caught:
        Source(png(1, 70_000)).info()
    assert "1x70000" in one_line(caught) and "SMARTCROP_MAX_SIDE" in str(caught.value)
    assert Source(png(1, 60_000)).load().size == (1, 60_000)
    monkeypatch.setenv("SMARTCROP_MAX_SIDE", "1000")
    with pytest.raises(DecodeBudgetError):
        Source(png(1, 2000)).info()


def test_raw_bytes_count_bit_depth():
    sixteen_bit_rgba, eight_bit_rgba = png(100, 100, 16, 6), png(100, 100, 8, 6)
    budget = DecodeBudget(max_bytes=50_000)
    with pytest.raises(DecodeBudgetError) as caught:
        Source(sixteen_bit_rgba, budget).info()  # 8 bytes a pixel: 80 kB
    assert "64-bit" in one_line(caught)
    assert Source(eight_bit_rgba, budget).load().size == (100, 100)  # 4 bytes a pixel: 40 kB


def test_max_bytes_defaults_to_four_bytes_per_allowed_pixel():
    assert DecodeBudget(max_pixels=1000).byte_limit == 4000
    with pytest.raises(DecodeBudgetError):  # 16-bit RGBA at the pixel limit: 8 bytes a pixel
        Source(png(100, 100, 16, 6), DecodeBudget(max_pixels=10_000)).info()


def test_max_pixels_above_pillows_own_guard_works_and_names_the_right_limit():
    huge = png(20_000, 10_000)  # 200 MP: Pillow's own guard refuses over 179 MP
    assert Source(huge, max_pixels=250_000_000).info().width == 20_000
    with pytest.raises(ImageTooLargeError) as caught:
        Source(huge, max_pixels=150_000_000).info()
    assert "over the limit of 150.0 MP" in one_line(caught)


def test_a_gif_frame_larger_than_its_screen_is_refused():
    with pytest.raises(ImageTooLargeError):
        Source(gif_frame_larger_than_screen()).info()


def test_jpeg2000_opted_in_is_decoded_at_a_reduced_resolution_level():
    budget = DecodeBudget(formats=DEFAULT_FORMATS | {"JPEG2000"})
    data = jpeg2000_tiled(tiles=4)  # 1024 x 1024, 5 decomposition levels
    assert Source(data, budget).load(min_size=(64, 64)).size == (64, 64)
    assert Source(data, budget).load(min_size=(300, 200)).size == (512, 512)
    tight = DecodeBudget(max_bytes=1024 * 1024 * 3 * 4 - 1, formats=budget.formats)
    with pytest.raises(DecodeBudgetError) as caught:
        Source(data, tight).load()  # full size: OpenJPEG works in 32-bit samples
    assert "JPEG 2000" in one_line(caught)
    assert Source(data, tight).load(min_size=(300, 200)).size == (512, 512)


def test_mpo_is_decoded_at_reduced_size_like_a_jpeg():
    picture = scene(1600, 1200)
    buffer = io.BytesIO()
    picture.save(buffer, "MPO", save_all=True, append_images=[picture])
    source = Source(buffer.getvalue())
    assert source.info().format == "MPO"
    assert source.load(min_size=(256, 192)).size == (400, 300)


def test_other_formats_are_reduced_before_conversion_but_never_below_three_times_the_request():
    loaded = Source(encode(scene(1600, 1200).convert("P"), "PNG")).load(min_size=(100, 100))
    assert loaded.mode == "RGB" and loaded.size == (400, 300)  # factor 4: 1600 // (3 * 100)


@pytest.mark.parametrize("mode, dtype", [("F", np.float32), ("I", np.int32)])
def test_float_and_32_bit_images_are_scaled_to_their_range(mode, dtype):
    ramp = np.linspace(-50, 950, 64 * 48).reshape(48, 64).astype(dtype)
    if mode == "F":
        ramp[0, :4] = [np.nan, np.inf, -np.inf, np.nan]
    pixels = np.asarray(Source(encode(Image.fromarray(ramp), "TIFF")).load())[..., 0]
    assert pixels[-1, -1] == 255 and pixels[0, 4] <= 2 and pixels[0, :4].max() <= 2  # non-finite: the low end
    assert 100 < pixels.mean() < 155


def test_sixteen_bit_images_reduced_for_analysis_keep_their_scale():
    ramp = (np.linspace(0, 65535, 1200 * 900).reshape(900, 1200)).astype(np.uint16)
    small = np.asarray(Source(encode(Image.fromarray(ramp), "PNG")).load(min_size=(100, 100)))
    assert small.shape[:2] == (300, 400)  # I;16 is converted at full size (8 bits), then reduced by 3
    assert small.max() >= 250 and small.min() <= 5


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    with pytest.raises(ImageError, match="not a regular file"):
        Source(fifo).info()


def test_the_public_api_takes_a_whole_budget_in_max_pixels(shipped_model):
    import smartcrop_core

    data = progressive_repeated_scans(side=256, repeats=60)
    with pytest.raises(smartcrop_core.DecodeBudgetError):
        smartcrop_core.analyze(data)
    result = smartcrop_core.analyze(data, ["1:1"], max_pixels=smartcrop_core.DecodeBudget(max_scans=100))
    assert (result.width, result.height) == (256, 256)
    generous = smartcrop_core.DecodeBudget(max_scans=100)
    assert smartcrop_core.crop(data, "1:1", width=64, max_pixels=generous).size == (64, 64)


@pytest.mark.parametrize("factor, transparent", [(2, False), (3, True), (7, False)])
def test_palette_images_are_converted_band_by_band_with_the_same_result(factor, transparent):
    from smartcrop_core import reduce_in_bands

    palette = scene(1501, 1003).quantize(64)
    if transparent:
        palette.info["transparency"] = 3
    mode = "RGBA" if transparent else "RGB"
    banded = reduce_in_bands(palette, factor, mode)
    assert np.array_equal(np.asarray(banded), np.asarray(palette.convert(mode).reduce(factor)))
