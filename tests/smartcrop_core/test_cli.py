"""The smartcrop command on folders, with bad files among good ones."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from smartcrop_core.cli import main

from testsupport.images import encode, scene


@pytest.fixture()
def photos(tmp_path):
    folder = tmp_path / "photos"
    (folder / "trip").mkdir(parents=True)
    scene(400, 300).save(folder / "a.jpg")
    scene(300, 400, spot=(0.3, 0.7)).save(folder / "trip" / "b.png")
    (folder / "trip" / "broken.jpg").write_bytes(encode(scene(), "JPEG")[:1500])
    (folder / "notes.txt").write_text("not an image, and not picked up from a folder")
    return folder


def test_folder_is_cropped_recursively_and_a_bad_file_fails_alone(photos, tmp_path, capsys):
    out = tmp_path / "out"
    code = main([str(photos), "-o", str(out), "-r", "16:9", "-r", "1x1", "-w", "200", "-q"])
    assert code == 1
    error_lines = [line for line in capsys.readouterr().err.splitlines() if line]
    assert any("broken.jpg" in line for line in error_lines)
    assert error_lines[-1] == "smartcrop: 1 of 3 file(s) failed"
    assert Image.open(out / "a_16x9_w200.jpg").size == (200, 112)
    assert Image.open(out / "a_1x1_w200.jpg").size == (200, 200)
    assert Image.open(out / "trip" / "b_16x9_w200.png").size == (200, 112)
    assert not list(out.rglob("broken*")) and not list(out.rglob(".smartcrop-*"))


def test_json_prints_one_analysis_per_line(photos, capsys):
    code = main([str(photos / "a.jpg"), "--json", "-r", "4:5"])
    assert code == 0
    (line,) = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert record["file"].endswith("a.jpg") and list(record["analysis"]["boxes"]) == ["4:5"]


def test_debug_picture_and_full_size_crops(photos, tmp_path):
    out = tmp_path / "out"
    assert main([str(photos / "a.jpg"), "-o", str(out), "--debug", "--format", "png", "-q"]) == 0
    # A JPEG written as PNG keeps its extension in the name, so a.jpg and a.png never collide.
    assert Image.open(out / "a-jpg_debug.png").size == (400, 300)
    assert Image.open(out / "a-jpg_9x16.png").size == (169, 300)
    assert len(list(out.iterdir())) == 5  # four default ratios + the debug picture


def test_usage_errors_exit_2(photos, capsys):
    with pytest.raises(SystemExit) as caught:
        main([str(photos)])
    assert caught.value.code == 2
    assert main([str(photos), "--json", "-r", "banana"]) == 2
    assert "not an aspect ratio" in capsys.readouterr().err


def test_missing_model_is_one_clear_line(photos, tmp_path, capsys):
    assert main([str(photos), "--json", "--model", str(tmp_path / "none.onnx")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "none.onnx" in line and "SMARTCROP_MODEL" in line


def test_console_script_runs(photos):
    done = subprocess.run([sys.executable, "-m", "smartcrop_core", str(photos / "trip" / "broken.jpg"), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "cannot decode" in done.stderr


# -- name collisions never overwrite ---------------------------------------------------------------


def _pixels(path):
    with Image.open(path) as image:
        return image.convert("RGB").tobytes()


@pytest.fixture()
def twins(tmp_path):
    """Two different photos with the same name in two folders."""
    for folder, spot in (("a", (0.2, 0.5)), ("b", (0.8, 0.5))):
        (tmp_path / folder).mkdir()
        scene(400, 300, spot=spot).save(tmp_path / folder / "photo.jpg", quality=95)
    return tmp_path


def test_same_name_in_two_places_is_refused_not_overwritten(twins, tmp_path, capsys):
    out = tmp_path / "out"
    code = main([str(twins / "a" / "photo.jpg"), str(twins / "b" / "photo.jpg"), "-o", str(out), "-r", "1:1", "-q"])
    assert code == 1
    lines = capsys.readouterr().err.splitlines()
    (refusal,) = [line for line in lines if "not cropped" in line]
    assert str(twins / "b" / "photo.jpg") in refusal and str(twins / "a" / "photo.jpg") in refusal
    assert sorted(p.name for p in out.iterdir()) == ["photo_1x1.jpg"]
    alone = tmp_path / "alone"
    assert main([str(twins / "a" / "photo.jpg"), "-o", str(alone), "-r", "1:1", "-q"]) == 0
    assert (out / "photo_1x1.jpg").read_bytes() == (alone / "photo_1x1.jpg").read_bytes()  # a's crop, untouched


def test_two_input_folders_with_the_same_file_name_collide(twins, tmp_path, capsys):
    out = tmp_path / "out"
    assert main([str(twins / "a"), str(twins / "b"), "-o", str(out), "-r", "1:1", "-q"]) == 1
    assert "would overwrite" in capsys.readouterr().err
    assert len(list(out.iterdir())) == 1


@pytest.mark.parametrize("names", [("photo.png", "photo.PNG"), ("Photo.jpg", "photo.jpg"), ("caf\u00e9.png", "cafe\u0301.png")])
def test_names_equal_on_a_case_insensitive_or_normalising_disk_collide(tmp_path, names, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    for index, name in enumerate(names):
        scene(300, 200, spot=(0.2 + 0.6 * index, 0.5)).save(folder / name, format="PNG" if "png" in name.lower() else "JPEG")
    out = tmp_path / "out"
    assert main([str(folder), "-o", str(out), "-r", "16:9", "-q"]) == 1
    assert "would overwrite" in capsys.readouterr().err
    assert len(list(out.iterdir())) == 1


def test_an_output_never_replaces_an_input(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    scene().save(folder / "a.jpg")
    scene(spot=(0.2, 0.5)).save(folder / "a_16x9.jpg")
    before = (folder / "a_16x9.jpg").read_bytes()
    assert main([str(folder), "-o", str(folder), "-r", "16:9", "-q"]) == 1
    assert "would replace the input" in capsys.readouterr().err
    assert (folder / "a_16x9.jpg").read_bytes() == before


def test_the_same_file_named_twice_is_cropped_once(photos, tmp_path):
    out = tmp_path / "out"
    assert main([str(photos / "a.jpg"), str(photos / "a.jpg"), "-o", str(out), "-r", "1:1", "-q"]) == 0
    assert [p.name for p in out.iterdir()] == ["a_1x1.jpg"]


# -- usage errors before any model run, canonical labels ----------------------------------------------


@pytest.mark.parametrize("extra", [["-w", "0"], ["-w", "-1"], ["-r", "1:100", "-w", "10000"], ["-r", "1:100", "-w", "2000"],
                                   ["-w", "10001"]])
def test_bad_sizes_are_usage_errors_before_any_image_is_read(photos, tmp_path, extra, capsys):
    out = tmp_path / "out"
    assert main([str(photos), "-o", str(out), "-q", *extra]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("smartcrop: error: ") and "broken.jpg" not in line  # no image was looked at
    assert not out.exists()


def test_jobs_must_be_positive(photos, tmp_path):
    with pytest.raises(SystemExit) as caught:
        main([str(photos), "-o", str(tmp_path / "out"), "--jobs", "0"])
    assert caught.value.code == 2


def test_one_ratio_value_makes_one_file(photos, tmp_path):
    out = tmp_path / "out"
    spellings = ["16:9", "016:09", "16x9", "32:18", "\u0661\u0666:\u0669"]
    args = [str(photos / "a.jpg"), "-o", str(out), "-w", "160", "-w", "160", "-q"]
    assert main(args + [arg for s in spellings for arg in ("-r", s)]) == 0
    assert [p.name for p in out.iterdir()] == ["a_16x9_w160.jpg"]


# -- what newcomers hit (issue 16) ---------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_written_files_get_the_usual_permissions(photos, tmp_path, umask):
    out = tmp_path / "out"
    previous = os.umask(umask)
    try:
        assert main([str(photos / "a.jpg"), "-o", str(out), "-r", "1:1", "--debug", "-q"]) == 0
    finally:
        os.umask(previous)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()}
    assert modes == {"a_1x1.jpg": 0o666 & ~umask, "a_debug.png": 0o666 & ~umask}


def test_help_mentions_the_audit(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "smartcrop audit" in capsys.readouterr().out


def test_file_names_cannot_forge_lines_or_colour_the_terminal(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "evil\nsmartcrop: all good\x1b[32m.jpg").write_bytes(b"not an image")
    assert main([str(folder), "-o", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[32m" in err and "evil\\nsmartcrop: all good" in err
    assert len(err.splitlines()) == 2  # the file's line and the summary


# -- --jobs: the same results from N processes ----------------------------------------------------------


def _run(args):
    done = subprocess.run([sys.executable, "-m", "smartcrop_core", *args], capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout, done.stderr


def _tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_jobs_2_gives_byte_identical_outputs_on_the_shipped_samples(tmp_path):
    samples = Path(__file__).resolve().parents[2] / "samples"
    results = {jobs: _run([str(samples), "-o", str(tmp_path / jobs), "-w", "320", "--debug", "--json", "-q", "--jobs", jobs])
               for jobs in ("1", "2")}
    assert results["1"][0] == results["2"][0] == 0
    assert results["1"][1] == results["2"][1] and len(results["1"][1].splitlines()) >= 10  # JSON lines, same order
    one, two = _tree(tmp_path / "1"), _tree(tmp_path / "2")
    assert len(one) >= 50 and one == two


def test_jobs_2_has_the_same_exit_code_and_messages_with_a_bad_file(photos, tmp_path):
    results = {jobs: _run([str(photos), "-o", str(tmp_path / jobs), "-r", "1:1", "-q", "--jobs", jobs]) for jobs in ("1", "2")}
    assert results["1"][0] == results["2"][0] == 1
    assert results["1"][2] == results["2"][2] and "broken.jpg" in results["2"][2]
    assert _tree(tmp_path / "1") == _tree(tmp_path / "2")


def test_temporaries_of_dead_writers_are_removed_and_live_ones_kept(tmp_path):
    from smartcrop_core.files import TEMPORARY_PREFIX, create_temporary, remove_orphans

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = tmp_path / f"{TEMPORARY_PREFIX}{int(dead.stdout)}-0123456789abcdef.jpg"
    orphan.write_bytes(b"half a jpeg")
    stream, live = create_temporary(tmp_path, ".jpg")
    stream.close()
    (tmp_path / "photo_1x1.jpg").write_bytes(b"a finished crop")
    remove_orphans(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, "photo_1x1.jpg"])
