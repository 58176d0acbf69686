"""The CSV reader on its own: which cells pass, and what a person is told when they do not."""

from decimal import Decimal

import pytest

from app.core.errors import UnprocessableError
from app.regions import units_csv

HEADER = "building,unit,room,floor_area\n"


@pytest.mark.parametrize(
    ("cell", "area"),
    [
        ("88.5", "88.5"),
        ("0.01", "0.01"),
        ("100000", "100000"),
        ("88.500", "88.5"),
        (" 70 ", "70"),
        ("+9", "9"),
    ],
)
def test_accepted_floor_areas(cell, area):
    rows, errors = units_csv.parse(f"{HEADER}1,1,101,{cell}\n")
    assert errors == {}
    assert rows[0].floor_area == Decimal(area)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("0", "above 0"),
        ("-1", "above 0"),
        ("100000.01", "at most 100000"),
        ("12.345", "more than 2 decimals"),
        ("1e3", "not a number"),
        ("88,5", "found 5"),
        ("", "required"),
        ("八十", "not a number"),
    ],
)
def test_rejected_floor_areas(cell, message):
    rows, errors = units_csv.parse(f"{HEADER}1,1,101,{cell}\n")
    assert rows == []
    assert message in " ".join(errors["2"])


def test_suffixes_people_type_are_dropped_and_trailing_empty_cells_ignored():
    rows, errors = units_csv.parse("楼栋,单元,房号,建筑面积,\n3栋,2单元,302,80,,\n")
    assert errors == {}
    assert rows[0].key == ("3", "2", "302")


def test_line_numbers_count_blank_lines_and_multiline_cells():
    rows, errors = units_csv.parse(f'{HEADER}\n1,1,"10\n1",80\n1,1,103,80\n\n,1,102,80\n')
    assert [row.line for row in rows] == [5]
    assert errors == {"3": ["A value contains control characters."], "7": ["building is required."]}


def test_long_values_are_rejected():
    _, errors = units_csv.parse(f"{HEADER}{'楼' * 41},1,101,80\n")
    assert errors["2"] == ["building is longer than 40 characters."]


def test_header_messages_say_what_is_expected():
    with pytest.raises(UnprocessableError) as caught:
        units_csv.parse("楼栋,房号\n1,101\n")
    messages = caught.value.fields["header"]
    assert messages[0] == "Missing column(s): unit, floor_area."
    assert "楼栋,单元,房号,建筑面积" in messages[-1]


def test_error_report_is_capped_but_counts_the_rest():
    error = units_csv.row_errors({str(line): ["bad"] for line in range(2, 1002)})
    assert len(error.fields["rows"]) == units_csv.MAX_REPORTED_ROWS
    assert error.fields["file"] == ["500 more rows have errors."]
