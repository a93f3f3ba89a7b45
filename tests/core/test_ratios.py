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


@pytest.mark.parametrize("bad", ["", "wide", "16:0", "0:9", "-1", "nan", "inf", "1:1000", 0, -2.0, None, True, [16, 9]])
def test_parse_ratio_rejects_nonsense_with_one_error_type(bad):
    with pytest.raises(RatioError):
        parse_ratio(bad)


def test_ratio_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_ratio("x")


@pytest.mark.parametrize("given, label", [("16:9", "16:9"), ("16x9", "16:9"), ("16.0/9", "16:9"), (1.5, "1.5"), ("4:5", "4:5")])
def test_ratio_label_is_stable(given, label):
    assert ratio_label(given) == label
