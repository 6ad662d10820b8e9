"""service/exports.py: no cell of an export (CSV or XLSX) is read as a formula by a
spreadsheet."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from service.exports import Table, safe_cell, write_csv, write_csv_tables, write_xlsx


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


def test_write_csv_tables_puts_several_tables_under_their_titles():
    one = Table("Themes", ["Theme", "Share"], [["=Pay", 40.5]])
    two = Table("Scores", ["Figure", "Value"], [["eNPS", -20]])
    assert write_csv_tables([one]).decode("utf-8-sig") == '"Theme";"Share"\r\n"\'=Pay";40.5\r\n'
    text = write_csv_tables([one, two]).decode("utf-8-sig")
    assert text.split("\r\n\r\n") == [
        '"Themes"\r\n"Theme";"Share"\r\n"\'=Pay";40.5',
        '"Scores"\r\n"Figure";"Value"\r\n"eNPS";-20\r\n',
    ]


def test_write_xlsx_writes_text_as_text_and_numbers_as_numbers():
    tables = [
        Table("Themes: by [team]?", ["=Theme", "Share"], [['=HYPERLINK("x")', 40.5]]),
        Table("Themes: by [team]?", ["Note"], [["bell\x07 and\ttab", None], ["@SUM(A1)", -3]]),
    ]
    book = load_workbook(io.BytesIO(write_xlsx(tables)))
    assert book.sheetnames == ["Themes  by  team", "Themes  by  team 2"]
    first, second = ([list(row) for row in sheet.iter_rows()] for sheet in book.worksheets)
    assert [(cell.value, cell.data_type) for cell in first[1]] == [
        ('=HYPERLINK("x")', "s"),
        (40.5, "n"),
    ]
    assert first[0][0].data_type == "s"
    assert [cell.value for cell in second[1]] == ["bell and\ttab", None]
    assert [(cell.value, cell.data_type) for cell in second[2]] == [("@SUM(A1)", "s"), (-3, "n")]
