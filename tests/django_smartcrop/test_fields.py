"""SmartCropImageField: analysis at save, stored JSON, failures recorded without losing the file."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test.utils import isolate_apps

from django_smartcrop.state import CropState

from .images import giant_png, jpeg, rotated_jpeg, scene
from testsupport.django_site.testapp.models import Banner, Photo

pytestmark = pytest.mark.django_db


def test_save_stores_analysis(photo, media):
    state = photo.image.smartcrop
    assert state.status == "ok" and state.error is None
    assert (state.width, state.height) == (480, 320)
    from smartcrop_core import get_model

    assert state.model == get_model().label  # "name@version" of the shipped model
    assert len(state.source) == 32
    assert set(state.analysis["boxes"]) == {"16:9", "1:1", "4:5", "9:16"}
    x, y = state.focal_point()
    assert 0 <= x <= 1 and 0 <= y <= 1
    assert (media / photo.image.name).is_file()
    # the stored JSON is what the database holds
    assert Photo.objects.get(pk=photo.pk).saliency == photo.saliency


def test_model_finds_the_salient_disc(photo):
    box, source = photo.image.smartcrop.box("1:1")
    assert source == "auto"
    assert box.left + box.width > 0.8 * 480  # the square keeps the disc on the right


def test_exif_orientation_gives_upright_size(db, shipped_model):
    item = Photo.objects.create()
    item.image.save("turned.jpg", ContentFile(rotated_jpeg(scene(300, 200))), save=True)
    assert (item.image.smartcrop.width, item.image.smartcrop.height) == (300, 200)


def test_field_ratios_and_dimension_fields(db, shipped_model):
    item = Banner()
    item.image.save("b.jpg", ContentFile(jpeg()), save=True)
    item.refresh_from_db()
    assert (item.width, item.height) == (480, 320)
    assert set(item.crops["analysis"]["boxes"]) == {"3:1", "1:1"}


@pytest.mark.parametrize(
    "data, error, size",
    [
        (b"this is a text file, not a picture\n", "ImageError", None),
        (b"", "ImageError", None),
        (jpeg()[:3000], "ImageError", (480, 320)),  # truncated: header readable, pixels not
        (giant_png(), "ImageTooLargeError", (12000, 8000)),
    ],
    ids=["text", "empty", "truncated", "giant"],
)
def test_saliency_failure_keeps_the_file(data, error, size, media, shipped_model):
    item = Photo.objects.create()
    item.image.save("bad.jpg", ContentFile(data), save=True)
    item.refresh_from_db()
    assert (media / item.image.name).read_bytes() == data  # the upload is not lost
    state = item.image.smartcrop
    assert state.status == "error" and state.error.startswith(error)
    assert (state.width, state.height) == (size or (None, None))
    if size:
        box, source = state.box("16:9")
        assert source == "centre"
        assert box.width / box.height == pytest.approx(16 / 9, abs=0.01)
        assert box.left == (size[0] - box.width) // 2


def test_model_error_falls_back_to_centre(db, settings, tmp_path):
    settings.SMARTCROP_MODEL = str(tmp_path / "missing.onnx")
    item = Photo.objects.create()
    item.image.save("ok.jpg", ContentFile(jpeg()), save=True)
    state = Photo.objects.get(pk=item.pk).image.smartcrop
    assert state.status == "error" and state.error.startswith("ModelError")
    assert state.box("1:1")[1] == "centre"


def test_resave_without_new_file_does_not_reanalyse(photo, monkeypatch):
    import django_smartcrop.tasks as tasks

    monkeypatch.setattr(tasks, "process", lambda *a: pytest.fail("analysed again"))
    photo.title = "renamed"
    photo.save()


def test_new_file_reanalyses_and_drops_overrides(photo):
    state = photo.image.smartcrop.with_overrides({"1:1": [-50, 300, 100, 100]})
    photo.saliency = state.to_value()
    photo.save()
    assert photo.image.smartcrop.overrides == {"1:1": [0, 220, 100, 100]}  # moved inside the image
    photo.image.save("other.jpg", ContentFile(jpeg(scene(spot=(0.2, 0.5)))), save=True)
    fresh = Photo.objects.get(pk=photo.pk).image.smartcrop
    assert fresh.name == photo.image.name and fresh.overrides == {}


def test_clearing_the_file_clears_the_state(photo):
    photo.image = None
    photo.save()
    assert Photo.objects.get(pk=photo.pk).saliency is None


def test_fixture_loading_does_not_analyse(db, monkeypatch):
    import django_smartcrop.tasks as tasks
    from django.db.models.signals import post_save

    monkeypatch.setattr(tasks, "process", lambda *a: pytest.fail("analysed a fixture"))
    item = Photo(image="photos/x.jpg")
    post_save.send(sender=Photo, instance=item, created=True, raw=True, update_fields=None)


def test_state_ignores_garbage_json():
    assert CropState.from_value({"nonsense": 1}) is None
    assert CropState.from_value("text") is None
    assert CropState.from_value({"name": "a.jpg", "width": "x"}) is None


@isolate_apps("testsupport.django_site.testapp")
def test_system_checks():
    from django.db import models

    from django_smartcrop.fields import SmartCropImageField

    class NoSibling(models.Model):
        image = SmartCropImageField(saliency_field="missing")

        class Meta:
            app_label = "smartcrop_testapp"

    class NoArgument(models.Model):
        image = SmartCropImageField()

        class Meta:
            app_label = "smartcrop_testapp"

    class Editable(models.Model):
        image = SmartCropImageField(saliency_field="data")
        data = models.JSONField(null=True)

        class Meta:
            app_label = "smartcrop_testapp"

    assert [e.id for e in NoSibling._meta.get_field("image").check()] == ["django_smartcrop.E002"]
    assert [e.id for e in Editable._meta.get_field("image").check()] == ["django_smartcrop.W001"]
    assert [e.id for e in NoArgument._meta.get_field("image").check()] == ["django_smartcrop.E001"]
