"""The labels CSV: file column, chosen group columns, rows that cannot be used."""

from __future__ import annotations

import pytest

from smartcrop_audit.labels import LabelsError, read_labels


def write(tmp_path, text):
    path = tmp_path / "labels.csv"
    path.write_text(text)
    return path


def test_default_group_is_the_first_column_besides_the_file(tmp_path):
    labels = read_labels(write(tmp_path, "gender,path,skin\nw,a.jpg,dark\nm,b.jpg,light\nw,c.jpg,light\n"), tmp_path)
    assert labels.groups == {"w": [tmp_path / "a.jpg", tmp_path / "c.jpg"], "m": [tmp_path / "b.jpg"]}
    assert labels.attribute == "gender" and not labels.problems


def test_several_group_columns_make_intersectional_groups(tmp_path):
    csv = write(tmp_path, "file,gender,skin\na.jpg,w,dark\nb.jpg,m,light\nc.jpg,w,dark\n")
    labels = read_labels(csv, tmp_path, ["gender", "Skin"])
    assert list(labels.groups) == ["w & dark", "m & light"] and len(labels.groups["w & dark"]) == 2


def test_unusable_rows_are_reported_and_skipped(tmp_path):
    csv = write(tmp_path, "file,group\na.jpg,x\n,y\nb.jpg,\na.jpg,z\na.jpg,x\n\nc.jpg,y\n")
    labels = read_labels(csv, tmp_path)
    assert labels.groups == {"x": [tmp_path / "a.jpg"], "y": [tmp_path / "c.jpg"]}
    assert len(labels.problems) == 3 and "line 5" in labels.problems[2]


@pytest.mark.parametrize("text, columns", [("file\n", ()), ("file,group\na.jpg,x\n", ("race",))])
def test_unusable_files_raise(tmp_path, text, columns):
    with pytest.raises(LabelsError):
        read_labels(write(tmp_path, text), tmp_path, columns)
    with pytest.raises(LabelsError):
        read_labels(tmp_path / "missing.csv", tmp_path)
