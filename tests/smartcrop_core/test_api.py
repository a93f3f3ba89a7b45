"""analyze / saliency_map / crop with the shipped model, on real and generated images."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image

import smartcrop_core
from smartcrop_core import Analysis, ImageError, ModelError, SaliencyModel, parse_ratio

from testsupport.images import encode, scene, with_orientation
from .test_loading import BAD_INPUTS, png_declaring

RATIOS = ["16:9", "1:1", "4:5", "9:16"]


@pytest.fixture(scope="module")
def osie_image(shared_data):
    return shared_data / "osie" / "stimuli" / "1650.jpg"


def test_analyze_returns_grid_points_and_a_box_per_ratio(osie_image):
    result = smartcrop_core.analyze(osie_image, RATIOS)
    assert (result.width, result.height) == (800, 600)
    assert result.grid.dtype == np.float32 and result.grid.ndim == 2
    assert result.grid.sum() == pytest.approx(1.0, abs=1e-4)
    assert 1 <= len(result.points) <= 5 and result.points[0].score == 1.0
    assert all(0 <= p.x <= 1 and 0 <= p.y <= 1 for p in result.points)
    assert result.model.startswith("smartcrop-saliency@")
    for label in RATIOS:
        box = result.boxes[label]
        assert 0 <= box.left and box.right <= 800 and 0 <= box.top and box.bottom <= 600
        assert box.width == 800 or box.height == 600
        assert abs(box.width / box.height - parse_ratio(label)) <= 1 / min(box.width, box.height)


def test_inputs_of_every_kind_give_the_same_analysis(osie_image):
    data = osie_image.read_bytes()
    expected = smartcrop_core.analyze(osie_image).to_json()
    assert smartcrop_core.analyze(str(osie_image)).to_json() == expected
    assert smartcrop_core.analyze(data).to_json() == expected
    assert smartcrop_core.analyze(io.BytesIO(data)).to_json() == expected
    with Image.open(osie_image) as image:
        pil = smartcrop_core.analyze(image)
    assert pil.boxes == Analysis.from_json(expected).boxes


def test_saliency_map_is_a_2d_float_map(osie_image):
    grid = smartcrop_core.saliency_map(osie_image)
    assert grid.dtype == np.float32 and grid.ndim == 2 and np.all(np.isfinite(grid)) and grid.min() >= 0
    assert grid.shape[1] > grid.shape[0]  # a landscape image gives a landscape map


@pytest.mark.parametrize("ratio, width, size", [("16:9", 800, (800, 450)), ("1:1", 300, (300, 300)), ("9:16", 90, (90, 160))])
def test_crop_has_the_exact_ratio_and_width(osie_image, ratio, width, size):
    assert smartcrop_core.crop(osie_image, ratio, width=width).size == size


def test_crop_without_size_is_the_box_itself(osie_image):
    result = smartcrop_core.analyze(osie_image, ["4:5"])
    box = result.boxes["4:5"]
    with Image.open(osie_image) as image:
        expected = np.asarray(image.convert("RGB").crop(box.as_pil()))
    cropped = smartcrop_core.crop(osie_image, "4:5", analysis=result)
    assert np.array_equal(np.asarray(cropped), expected)


def test_crop_with_a_stored_analysis_never_loads_the_model(osie_image):
    stored = smartcrop_core.analyze(osie_image).to_json()
    image = smartcrop_core.crop(osie_image, "1:1", width=100, analysis=Analysis.from_json(stored), model="/no/such/model.onnx")
    assert image.size == (100, 100)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_boxes_and_points_are_in_the_upright_image(orientation):
    upright = scene(480, 320, spot=(0.85, 0.5), radius=0.12)
    result = smartcrop_core.analyze(with_orientation(upright, orientation), ["9:16"])
    assert (result.width, result.height) == (480, 320)
    assert abs(result.top_point.x - 0.85) < 0.15 and abs(result.top_point.y - 0.5) < 0.2
    box = result.boxes["9:16"]
    assert box.left <= 0.85 * 480 <= box.right


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_inputs_raise_image_error(name):
    with pytest.raises(ImageError):
        smartcrop_core.analyze(BAD_INPUTS[name])


def test_bomb_is_refused(monkeypatch):
    with pytest.raises(smartcrop_core.ImageTooLargeError):
        smartcrop_core.analyze(png_declaring(50000, 50000))


def _animated(image_format: str) -> bytes:
    buffer = io.BytesIO()
    frames = [scene(120, 90), scene(120, 90, spot=(0.2, 0.2))]
    frames[0].save(buffer, image_format, save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


ODD_IMAGES = {
    "cmyk": lambda: encode(scene().convert("CMYK"), "JPEG"),
    "16-bit": lambda: encode(Image.fromarray((np.asarray(scene().convert("L"), dtype=np.uint16) * 257)), "PNG"),
    "palette+transparency": lambda: encode(scene().convert("P"), "PNG", transparency=0),
    "LA": lambda: encode(scene().convert("LA"), "PNG"),
    "RGBA": lambda: encode(scene().convert("RGBA"), "PNG"),
    "1x1": lambda: encode(Image.new("RGB", (1, 1), (200, 10, 10)), "PNG"),
    "20000x10": lambda: encode(Image.new("RGB", (20000, 10), (90, 90, 90)), "PNG"),
    "10x20000": lambda: encode(Image.new("RGB", (10, 20000), (90, 90, 90)), "PNG"),
    "animated gif": lambda: _animated("GIF"),
    "animated webp": lambda: _animated("WEBP"),
}


@pytest.mark.parametrize("name", sorted(ODD_IMAGES))
def test_odd_but_valid_images_are_analysed(name):
    result = smartcrop_core.analyze(ODD_IMAGES[name](), RATIOS)
    for label, box in result.boxes.items():
        assert box.width >= 1 and box.height >= 1
        assert box.right <= result.width and box.bottom <= result.height, label


def test_concurrent_calls_share_one_model_and_agree(osie_image):
    data = osie_image.read_bytes()
    expected = smartcrop_core.analyze(data).to_json()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: smartcrop_core.analyze(data).to_json(), range(16)))
    assert set(results) == {expected}


def test_missing_model_names_the_path_and_the_setting(tmp_path, osie_image):
    with pytest.raises(ModelError, match="SMARTCROP_MODEL") as caught:
        smartcrop_core.analyze(osie_image, model=tmp_path / "missing.onnx")
    assert "missing.onnx" in str(caught.value)


def test_corrupt_model_is_a_model_error(tmp_path, osie_image):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"\x08\x01garbage" * 100)
    with pytest.raises(ModelError, match="broken.onnx"):
        SaliencyModel(broken)


def test_environment_variable_selects_the_model(monkeypatch, tmp_path, osie_image):
    monkeypatch.setenv("SMARTCROP_MODEL", str(tmp_path / "elsewhere.onnx"))
    with pytest.raises(ModelError, match="elsewhere.onnx"):
        smartcrop_core.analyze(osie_image)


def test_model_reads_its_contract_from_metadata(shipped_model):
    model = SaliencyModel(shipped_model)
    assert model.input_long_side % 32 == 0 and model.stride == 8
    assert model.input_size(800, 600)[0] == model.input_long_side
    assert all(side % 32 == 0 for side in model.input_size(4000, 1000))


@pytest.mark.parametrize("ratio, size", [
    ("1:100", {"width": 10000}), ("1:100", {"width": 2000}), ("100:1", {"height": 200}),
    ("16:9", {"width": 0}), ("16:9", {"width": -1}), ("16:9", {"height": 0}), ("16:9", {"width": 10001}),
    ("16:9", {"width": True}), ("16:9", {"width": 1.5}), ("16:9", {"width": "wide"}),
])
def test_output_sizes_are_checked_on_both_sides_before_any_decode_or_model_run(ratio, size):
    # Neither the image nor the model can be used: only a RatioError, raised first, passes.
    with pytest.raises(smartcrop_core.RatioError):
        smartcrop_core.crop(b"not an image", ratio, **size, model="/no/such/model.onnx")


def test_output_size_bounds_the_computed_side():
    from smartcrop_core.api import MAX_OUTPUT_SIDE, output_size

    assert output_size(parse_ratio("1:100"), 100, None) == (100, 10000)
    assert output_size(parse_ratio("16:9"), MAX_OUTPUT_SIDE, None) == (MAX_OUTPUT_SIDE, 5625)
    with pytest.raises(smartcrop_core.RatioError, match="10000 x 1000000"):
        output_size(parse_ratio("1:100"), 10000, None)
    with pytest.raises(smartcrop_core.RatioError):
        output_size(parse_ratio("16:9"), None, MAX_OUTPUT_SIDE)  # 17778 x 10000
