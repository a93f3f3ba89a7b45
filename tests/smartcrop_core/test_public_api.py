"""The public core API of issue 18: options=, Analysis.resized, crop_box, resolve_model, ModelError fields,
one_line, and every name the adapters import being public."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import smartcrop_core
from smartcrop_core import (Box, CropOptions, ImageError, ModelError, RatioError, analyze, crop, crop_box,
                            crop_many, one_line, resolve_model)

from testsupport.images import encode, scene

ROOT = Path(__file__).resolve().parents[2]
ADAPTERS = ("thumbor_plugin", "django_smartcrop")


def imported_core_names(package: str) -> set[tuple[str, str]]:
    """(module, name) for every ``from smartcrop_core[.x] import name`` in a package."""
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "smartcrop_core":
                found.update((node.module, alias.name) for alias in node.names)
    return found


@pytest.mark.parametrize("package", ADAPTERS)
def test_every_name_the_adapters_import_has_a_public_name(package):
    names = imported_core_names(package)
    assert names, f"{package} imports nothing from smartcrop_core?"
    missing = sorted(f"{module}.{name}" for module, name in names if name not in smartcrop_core.__all__)
    assert not missing, f"not public: {missing}"


def test_every_public_name_exists():
    for name in smartcrop_core.__all__:
        assert hasattr(smartcrop_core, name), name


@pytest.fixture(scope="module")
def photo() -> bytes:
    return encode(scene(400, 300, spot=(0.85, 0.5)))


OPTION_CASES = [
    CropOptions(),
    CropOptions(strategy="twitter"),
    CropOptions(closeness=0.6, min_mass=0.8),
    CropOptions(strategy="centre"),
]


@pytest.mark.parametrize("options", OPTION_CASES)
def test_options_place_every_box_and_crop(photo, options):
    default = analyze(photo, ["16:9", "1:1"])
    placed = analyze(photo, ["16:9", "1:1"], options=options)
    assert placed.options == options
    assert placed.boxes == {label: default.box(label, options) for label in ("16:9", "1:1")}
    assert crop(photo, "1:1", width=50, options=options).tobytes() == \
        crop(photo, "1:1", width=50, analysis=default, options=options).tobytes()


@pytest.mark.parametrize("call", [
    lambda photo: analyze(photo, strategy="mass"),
    lambda photo: crop(photo, "1:1", closeness=0.5),
    lambda photo: crop_many(photo, [("1:1", 10, None)], min_mass=0.5),
])
def test_placement_keywords_are_not_a_second_way(photo, call):
    with pytest.raises(TypeError, match="unexpected keyword"):
        call(photo)


@pytest.mark.parametrize("size", [(800, 600), (200, 150), (400, 301), (37, 1000)])
def test_resized_is_the_analysis_computed_at_that_size(photo, size):
    analysis = analyze(photo, ["16:9", "1:1", "9:16"])
    resized = analysis.resized(*size)
    assert (resized.width, resized.height) == size
    assert np.array_equal(resized.grid, analysis.grid) and resized.points == analysis.points
    assert set(resized.boxes) == set(analysis.boxes) and resized.options == analysis.options
    again = type(analysis)(size[0], size[1], analysis.grid, analysis.points, analysis.symmetry, analysis.model,
                           options=analysis.options)
    for label, box in resized.boxes.items():
        assert box == again.box(label)
        assert box.right <= size[0] and box.bottom <= size[1]
    assert resized.resized(400, 300).to_json() == analysis.to_json()


@pytest.mark.parametrize("bad", [(0, 10), (10, -1), (1.5, 10), (True, 10)])
def test_resized_refuses_bad_sizes(photo, bad):
    with pytest.raises(ValueError):
        analyze(photo, ["1:1"]).resized(*bad)


CROP_BOX_CASES = [  # box, size, expected output size
    (Box(10, 20, 200, 100), None, (200, 100)),
    (Box(10, 20, 200, 100), (100, None), (100, 50)),
    (Box(10, 20, 200, 100), (None, 25), (50, 25)),
    (Box(0, 0, 400, 300), (40, 40), (40, 40)),  # both sides: scaled to exactly that, as asked
    (Box(399, 299, 1, 1), (3, None), (3, 3)),
]


@pytest.mark.parametrize("box, size, expected", CROP_BOX_CASES)
def test_crop_box_cuts_and_scales(box, size, expected):
    picture = scene(400, 300, spot=(0.85, 0.5))
    result = crop_box(encode(picture, "PNG"), box, size)
    assert result.size == expected
    reference = picture.crop(box.as_pil()).resize(expected, Image.LANCZOS, reducing_gap=3.0)
    assert np.abs(np.asarray(result, int) - np.asarray(reference, int)).mean() < 2


def test_crop_box_equals_crop_of_the_same_box(photo):
    analysis = analyze(photo, ["16:9"])
    assert (crop_box(photo, analysis.boxes["16:9"], (160, None)).tobytes()
            == crop(photo, "16:9", width=160, analysis=analysis).tobytes())


@pytest.mark.parametrize("box, size, message", [
    (Box(300, 0, 200, 100), None, "not inside"),
    (Box(-1, 0, 10, 10), None, "not inside"),
    (Box(0, 0, 0, 10), None, "at least 1 x 1"),
    (Box(0, 0, 10, 10), (0, None), "width must be within"),
    (Box(0, 0, 10, 10), (None, 10_001), "height must be within"),
    (Box(0, 0, 1, 100), (10_000, None), "too large"),
])
def test_crop_box_refuses_bad_boxes_and_sizes(photo, box, size, message):
    with pytest.raises(RatioError, match=message):
        crop_box(photo, box, size)


def test_crop_box_checks_sizes_before_reading_the_image():
    with pytest.raises(RatioError):
        crop_box(b"not an image", Box(0, 0, 10, 10), (0, 0))
    with pytest.raises(ImageError):
        crop_box(b"not an image", Box(0, 0, 10, 10), (5, 5))


def test_crop_box_decodes_a_jpeg_only_as_large_as_needed(monkeypatch):
    big = encode(scene(1600, 1200))
    sizes = []
    original = smartcrop_core.Source.load

    def spy(self, min_size=None):
        image = original(self, min_size)
        sizes.append(image.size)
        return image

    monkeypatch.setattr(smartcrop_core.Source, "load", spy)
    assert crop_box(big, Box(0, 0, 1600, 1200), (200, None)).size == (200, 150)
    assert sizes and max(sizes[0]) <= 400  # drafted at 1/4 or smaller, not the full 1600 x 1200


RESOLVE_CASES = [  # argument, environment, threads argument, threads environment -> origin, threads
    (None, None, None, None, "shipped", 1),
    ("/x/a.onnx", None, None, None, "argument", 1),
    (None, "/y/b.onnx", None, "3", "environment", 3),
    ("/x/a.onnx", "/y/b.onnx", 2, "3", "argument", 2),
    (None, "", 0, None, "shipped", 1),
]


@pytest.mark.parametrize("path, env_path, threads, env_threads, origin, count", RESOLVE_CASES)
def test_resolve_model(monkeypatch, path, env_path, threads, env_threads, origin, count):
    for name, value in (("SMARTCROP_MODEL", env_path), ("SMARTCROP_THREADS", env_threads)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    settings = resolve_model(path, threads)
    assert settings.origin == origin and settings.threads == count
    expected = {"argument": path, "environment": env_path, "shipped": str(smartcrop_core.DEFAULT_MODEL_PATH)}[origin]
    assert str(settings.path) == expected


@pytest.mark.parametrize("threads", ["two", -1, "1.5"])
def test_resolve_model_refuses_bad_thread_counts(threads):
    with pytest.raises(ModelError, match="thread count"):
        resolve_model(None, threads)


def test_model_error_fields_and_unchanged_message(tmp_path):
    missing = tmp_path / "none.onnx"
    with pytest.raises(ModelError) as caught:
        smartcrop_core.SaliencyModel(missing)
    error = caught.value
    assert str(error) == f"saliency model not found at {missing} (set SMARTCROP_MODEL or pass model=)"
    assert (error.path, error.reason, error.hint) == (str(missing), f"saliency model not found at {missing}",
                                                      smartcrop_core.MODEL_HINT)
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.path, copy.reason, copy.hint) == (str(error), error.path, error.reason, error.hint)
    corrupt = tmp_path / "bad.onnx"
    corrupt.write_bytes(b"not a model")
    with pytest.raises(ModelError) as caught:
        smartcrop_core.SaliencyModel(corrupt)
    assert caught.value.reason.startswith(f"cannot load saliency model {corrupt}: ")
    assert str(caught.value).endswith(" (set SMARTCROP_MODEL or pass model=)") and "\n" not in str(caught.value)


@pytest.mark.parametrize("error, expected", [
    (ValueError("first\nsecond"), "first"),
    (ValueError("\n\n  spaced  \nmore"), "spaced"),
    (KeyError(), "KeyError"),
    (OSError(""), "OSError"),
    (ModelError("why", hint="do this"), "why (do this)"),
])
def test_one_line(error, expected):
    assert one_line(error) == expected


def test_the_integrations_import_only_public_names_from_the_top_level():
    names = imported_core_names("django_smartcrop/integrations")
    assert names
    assert {module for module, _ in names} == {"smartcrop_core"}, "import from smartcrop_core itself"
    assert not [name for _, name in names if name not in smartcrop_core.__all__]


@pytest.mark.parametrize("width, height, limit, error", [
    (100, 100, None, None),
    (3000, 3000, 9_000_000, None),
    (3001, 3000, 9_000_000, smartcrop_core.ImageTooLargeError),
    (10, 10, smartcrop_core.DecodeBudget(max_pixels=50), smartcrop_core.ImageTooLargeError),
    (10 ** 6, 1, None, smartcrop_core.DecodeBudgetError),
])
def test_check_image_size_is_the_loading_rule(width, height, limit, error):
    if error is None:
        smartcrop_core.check_image_size(width, height, "engine image", limit)
        return
    with pytest.raises(error) as caught:
        smartcrop_core.check_image_size(width, height, "engine image", limit)
    assert str(caught.value).startswith(f"engine image is {width}x{height}")
    # the same message a file of that size gets from loading (its header checked before decoding)
    with pytest.raises(error) as from_file:
        smartcrop_core.Source(Image.new("L", (width, height)), limit).info()
    assert str(from_file.value) == str(caught.value).replace("engine image", "<PIL image>")
