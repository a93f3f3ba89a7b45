"""smartcrop_recompute: goes past broken files, lists them, re-runs pick up only what is left."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from django_smartcrop import renditions

from .images import jpeg, scene
from testsupport.django_site.testapp.models import Banner, Photo

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("smartcrop_recompute", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def rows(db, media, shipped_model):
    """Three good photos and one broken one, stored without analysis (as after adding the field)."""
    items = []
    for index, data in enumerate([jpeg(), b"broken bytes", jpeg(scene(spot=(0.2, 0.3))), jpeg(scene(300, 500))]):
        name = f"photos/{'broken' if index == 1 else 'good'}-{index}.jpg"
        (media / "photos").mkdir(exist_ok=True)
        (media / name).write_bytes(data)
        items.append(Photo.objects.create(title=str(index), image=name))
    Photo.objects.update(saliency=None)  # as if the field was added to an existing table
    return items


def test_recompute_goes_past_a_broken_file(rows):
    out, err = _run("smartcrop_testapp.Photo", "--chunk-size", "2")
    states = [Photo.objects.get(pk=p.pk).image.smartcrop for p in rows]
    assert [s.status for s in states] == ["ok", "error", "ok", "ok"]
    assert "1 file(s) failed" in out and "photos/broken-1.jpg" in out and "ImageError" in out
    assert "recomputed 4, 1 failed" in out
    assert "4/4" in err  # the progress bar


def test_rerun_only_retries_what_failed(rows):
    _run("smartcrop_testapp")
    first = {p.pk: Photo.objects.get(pk=p.pk).saliency["computed"] for p in rows}
    out, _ = _run("smartcrop_testapp")
    assert "recomputed 1, 1 failed" in out  # only the broken one is retried
    out, _ = _run("smartcrop_testapp", "--missing-only")
    assert "recomputed 0, 0 failed" in out
    assert {p.pk: Photo.objects.get(pk=p.pk).saliency["computed"] for p in rows if p.title != "1"} == {
        pk: value for pk, value in first.items() if pk != rows[1].pk
    }


def test_dry_run_changes_nothing(rows):
    out, _ = _run("--dry-run")
    assert "would recompute 4" in out
    assert all(Photo.objects.get(pk=p.pk).saliency is None for p in rows)


def test_all_and_model_version(rows):
    _run("smartcrop_testapp.Photo.image")
    model = Photo.objects.get(pk=rows[0].pk).image.smartcrop.model
    out, _ = _run("smartcrop_testapp.Photo", "--all")
    assert "recomputed 4" in out
    out, _ = _run("smartcrop_testapp.Photo", "--model-version", model)
    assert "recomputed 3" in out  # the three rows that model analysed
    out, _ = _run("smartcrop_testapp.Photo", "--model-version", "other@9")
    assert "recomputed 0" in out


def test_model_change_marks_rows_stale(rows, monkeypatch):
    from django_smartcrop import recompute

    _run()
    monkeypatch.setattr(recompute, "current_model_label", lambda: "newer@2")
    out, _ = _run("smartcrop_testapp.Photo", "--dry-run")
    assert "would recompute 4" in out  # 3 made by another model + 1 failed


def test_manual_overrides_survive_recompute(rows):
    _run()
    item = Photo.objects.get(pk=rows[0].pk)
    item.saliency = item.image.smartcrop.with_overrides({"1:1": [0, 0, 320, 320]}).to_value()
    item.save()
    _run("--all")
    assert Photo.objects.get(pk=rows[0].pk).image.smartcrop.overrides == {"1:1": [0, 0, 320, 320]}


def test_warm_generates_crops(rows, media):
    out, _ = _run("smartcrop_testapp.Photo", "--warm", "16:9@100+200,1:1")
    assert "9 crop(s) warmed" in out  # 3 good rows x 3 sizes; the broken row is skipped
    item = Photo.objects.get(pk=rows[0].pk)
    from django_smartcrop.links import links

    assert {link.kind for link in links(item.image, "16:9", [100, 200])} == {"file"}
    assert links(item.image, "1:1")[0].kind == "file"
    assert renditions.known([links(item.image, "1:1")[0].spec.name])


@pytest.mark.parametrize("arguments", [
    ("nosuchapp",),
    ("smartcrop_testapp.Photo.title",),
    ("--warm", "banana"),
    ("--missing-only", "--all"),
])
def test_bad_arguments(arguments):
    with pytest.raises(CommandError):
        _run(*arguments)


def test_other_models_are_left_alone(rows):
    Banner.objects.create(image="photos/good-0.jpg")
    Banner.objects.update(crops=None)
    _run("smartcrop_testapp.Photo")
    assert Banner.objects.get().crops is None
    _run("smartcrop_testapp.Banner")
    assert Banner.objects.get().crops["status"] == "ok"


def test_enqueue_needs_celery_and_status_changes_nothing(rows):
    with pytest.raises(CommandError, match="SMARTCROP_TASK_BACKEND = 'celery'"):
        _run("--enqueue")
    out, _ = _run("--status")
    assert "4 row(s) with files: 0 ok, 0 failed, 0 pending (0 queued by --enqueue), 0 stale (another model), " \
           "4 never analysed." in out
    assert all(Photo.objects.get(pk=p.pk).saliency is None for p in rows)
    _run()
    out, _ = _run("--status")
    assert "3 ok, 1 failed, 0 pending" in out and "photos/broken-1.jpg: ImageError" in out
