"""Loading whatever users upload: odd modes, EXIF orientation, and bad files that must fail cleanly."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from smartcrop_core import ImageError, ImageTooLargeError
from smartcrop_core.loading import Source

from testsupport.images import encode, scene, with_orientation


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size: a decompression bomb's calling card."""
    raw = encode(Image.new("L", (1, 1)), "PNG")
    header = struct.pack(">II", width, height) + raw[24:29]
    chunk = b"IHDR" + header
    return raw[:12] + chunk + struct.pack(">I", zlib.crc32(chunk)) + raw[33:]


BAD_INPUTS = {
    "empty": b"",
    "whitespace": b"  \n\t ",
    "text named jpg": b"hello, this is not an image\n",
    "html": b"<!doctype html><html><body>hi</body></html>",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
    "pdf": b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF",
    "truncated jpeg": encode(scene(), "JPEG")[:3000],
    "truncated png": encode(scene(), "PNG")[:2000],
    "jpeg header only": encode(scene(), "JPEG")[:200],
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_raises_one_error_type_with_a_one_line_message(name):
    with pytest.raises(ImageError) as caught:
        Source(BAD_INPUTS[name]).load()
    message = str(caught.value)
    assert message and "\n" not in message and "<bytes>" in message


def test_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(ImageTooLargeError, match="over the limit"):
        Source(png_declaring(30000, 30000)).info()


def test_pixel_limit_is_configurable(monkeypatch):
    data = encode(scene(400, 300), "PNG")
    with pytest.raises(ImageTooLargeError):
        Source(data, max_pixels=100_000).load()
    monkeypatch.setenv("SMARTCROP_MAX_PIXELS", "100000")
    with pytest.raises(ImageTooLargeError):
        Source(data).load()
    assert Source(data, max_pixels=120_000).load().size == (400, 300)


def test_missing_file_and_folder_are_clean_errors(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        Source(tmp_path / "nope.jpg").info()
    with pytest.raises(ImageError, match="folder"):
        Source(tmp_path).info()


def test_unsupported_object_is_a_clean_error():
    with pytest.raises(ImageError):
        Source(12345)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "mode, image_format, expected_mode",
    [("CMYK", "JPEG", "RGB"), ("L", "PNG", "RGB"), ("LA", "PNG", "RGBA"), ("RGBA", "PNG", "RGBA"),
     ("1", "PNG", "RGB"), ("RGB", "TIFF", "RGB"), ("RGB", "BMP", "RGB")],
)
def test_modes_become_rgb_or_rgba(mode, image_format, expected_mode):
    image = scene(64, 48).convert(mode)
    loaded = Source(encode(image, image_format)).load()
    assert loaded.mode == expected_mode and loaded.size == (64, 48)


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_transparent_rgba_keeps_alpha(image_format):
    image = scene(64, 48).convert("RGBA")
    image.putalpha(Image.linear_gradient("L").resize((64, 48)))
    assert Source(encode(image, image_format)).load().mode == "RGBA"


def test_palette_with_transparency_keeps_alpha():
    image = scene(64, 48).convert("P")
    image.info["transparency"] = 0
    loaded = Source(encode(image, "PNG", transparency=0)).load()
    assert loaded.mode == "RGBA"


def test_16_bit_images_are_scaled_not_clipped():
    ramp = (np.linspace(0, 65535, 64 * 48).reshape(48, 64)).astype(np.uint16)
    loaded = Source(encode(Image.fromarray(ramp), "PNG")).load()
    pixels = np.asarray(loaded)
    assert pixels.max() >= 250 and pixels.min() <= 5 and 100 < pixels.mean() < 155


@pytest.mark.parametrize("image_format", ["GIF", "WEBP"])
def test_animated_images_use_the_first_frame(image_format):
    frames = [Image.new("RGB", (40, 30), colour) for colour in ((255, 0, 0), (0, 0, 255), (0, 255, 0))]
    buffer = io.BytesIO()
    frames[0].save(buffer, image_format, save_all=True, append_images=frames[1:], duration=100, loop=0)
    loaded = Source(buffer.getvalue()).load()
    red, green, blue = loaded.convert("RGB").getpixel((20, 15))
    assert red > 200 and blue < 60


def test_animated_gif_with_a_broken_later_frame_still_loads():
    frames = [scene(40, 30), scene(40, 30, spot=(0.2, 0.2))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    data = buffer.getvalue()
    assert Source(data[: len(data) - 40]).load().size == (40, 30)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_made_upright(orientation):
    upright = scene(120, 80, spot=(0.8, 0.3))
    loaded = Source(with_orientation(upright, orientation)).load()
    assert loaded.size == (120, 80)
    info = Source(with_orientation(upright, orientation)).info()
    assert (info.width, info.height, info.orientation) == (120, 80, orientation)
    red = np.asarray(loaded)[..., 0].astype(int) - np.asarray(loaded)[..., 1]
    y, x = np.unravel_index(np.argmax(red), red.shape)
    assert abs(x / 120 - 0.8) < 0.1 and abs(y / 80 - 0.3) < 0.1


def test_broken_exif_block_is_ignored_not_fatal():
    data = encode(scene(64, 48), "JPEG", exif=b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\xff\xff\x01")
    assert Source(data).load().size == (64, 48)


def test_extreme_sizes_load():
    assert Source(encode(Image.new("RGB", (1, 1)), "PNG")).load().size == (1, 1)
    assert Source(encode(Image.new("RGB", (20000, 10)), "PNG")).load().size == (20000, 10)


def test_jpeg_is_decoded_at_reduced_size_when_allowed():
    data = encode(scene(1600, 1200), "JPEG")
    small = Source(data).load(min_size=(256, 192))
    assert small.size == (400, 300)  # 1/4 is the largest DCT scale that still gives >= 256 x 192


def test_file_object_position_is_preserved():
    stream = io.BytesIO(encode(scene(64, 48), "PNG"))
    stream.seek(10)
    Source(stream).load()
    assert stream.tell() == 10


@pytest.mark.parametrize("image_format", ["AVIF", "HEIF"])
def test_modern_formats_when_pillow_supports_them(image_format):
    if image_format not in Image.SAVE:
        pytest.skip(f"this Pillow build cannot write {image_format}")
    assert Source(encode(scene(64, 48), image_format)).load().size == (64, 48)
