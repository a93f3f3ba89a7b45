import math

import pytest

from smartcrop_core import RatioError, parse_ratio, ratio_label


@pytest.mark.parametrize(
    "text, expected",
    [("16:9", 16 / 9), ("16x9", 16 / 9), ("16X9", 16 / 9), ("16/9", 16 / 9), (" 4 : 5 ", 0.8), ("1.5", 1.5),
     (1.777, 1.777), (2, 2.0), ("9:16", 9 / 16)],
)
def test_parse_ratio_is_width_over_height(text, expected):
    assert math.isclose(parse_ratio(text), expected)


@pytest.mark.parametrize("bad", ["", "wide", "16:0", "0:9", "-1", "nan", "inf", "1:1000", "1:101", "101:1", 0, -2.0, None, True, [16, 9]])
def test_parse_ratio_rejects_nonsense_with_one_error_type(bad):
    with pytest.raises(RatioError):
        parse_ratio(bad)


@pytest.mark.parametrize("edge", ["1:100", "100:1", 0.01, 100])
def test_the_bounds_themselves_are_ratios(edge):
    assert ratio_label(edge) in ("1:100", "100:1")


def test_ratio_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_ratio("x")


@pytest.mark.parametrize("given, label", [("16:9", "16:9"), ("16x9", "16:9"), ("16.0/9", "16:9"), (1.5, "3:2"), ("4:5", "4:5")])
def test_ratio_label_is_stable(given, label):
    assert ratio_label(given) == label


SPELLINGS_OF_16_9 = ["16:9", "016:09", "16x9", "16X9", "16/9", "32:18", "160:90", "16.0:9.00", " 16 : 9 ",
                     "\u0661\u0666:\u0669", "\u06f1\u06f6:\u06f9", "\uff11\uff16\uff1a\uff19", "16\u00d79", 16 / 9,
                     "1.7777777777777777"]


@pytest.mark.parametrize("spelling", SPELLINGS_OF_16_9)
def test_every_spelling_of_one_value_has_one_label(spelling):
    assert ratio_label(spelling) == "16:9"
    assert parse_ratio(spelling) == parse_ratio("16:9")


@pytest.mark.parametrize("values", [("3:2", "1.5", 1.5, "6:4"), ("1:1", 1, 1.0, "7:7"), ("2:3", 2 / 3, "0.6666666666666666")])
def test_labels_are_values_not_spellings(values):
    assert {ratio_label(v) for v in values} == {ratio_label(values[0])}


def test_different_values_keep_different_labels():
    assert len({ratio_label(r) for r in ["16:9", "1.777", "1.778", "16:10", "1.91:1"]}) == 5


@pytest.mark.parametrize("bad", ["9" * 5000 + ":1", "1" * 40, "1:1:1", "16:9px", "\u0661:"])
def test_long_or_odd_text_is_refused_quickly(bad):
    with pytest.raises(RatioError):
        parse_ratio(bad)
