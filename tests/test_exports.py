"""service/exports.py: no cell of an export is read as a formula by a spreadsheet."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from service.exports import safe_cell, write_csv


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("+32 9 123 45 67", "'+32 9 123 45 67"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Sales", "Sales"),
        ("Sales = good", "Sales = good"),
        ("'quoted", "'quoted"),
        ("", ""),
        (None, ""),
        (dt.date(2025, 3, 1), "2025-03-01"),
    ],
)
def test_text_cells_that_start_a_formula_get_a_quote(value, written):
    assert safe_cell(value) == written


@pytest.mark.parametrize("number", [0, 42, -5, 3.5, -0.25, Decimal("-1.10")])
def test_numbers_stay_numbers(number):
    assert safe_cell(number) == number


def test_write_csv_is_utf8_with_a_bom_for_excel_and_reads_back_defused():
    content = write_csv(
        [["=1+1", -5, "Zaal; keuken", 'Kök "chef"']], ["name", "headcount", "a", "b"]
    )
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert text.splitlines()[1] == '"\'=1+1";-5;"Zaal; keuken";"Kök ""chef"""'
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows == [["name", "headcount", "a", "b"], ["'=1+1", "-5", "Zaal; keuken", 'Kök "chef"']]
