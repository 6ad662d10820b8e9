"""The one way to write a CSV export: every text cell is made safe for spreadsheets.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets ("CSV injection"): an imported name such as
``=HYPERLINK(…)`` would run in the reader's spreadsheet. Following OWASP's guidance such a
text cell gets a leading ``'`` and every text cell is quoted; numbers stay numbers.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DELIMITER = ";"  # what Excel expects in Belgium, and what our imports read
BOM = "\ufeff"  # tells Excel the file is UTF-8


def safe_cell(value):
    """The value as an export writes it: numbers as they are, None empty, text defused."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(rows: Iterable[Sequence], header: Sequence[str]) -> bytes:
    """UTF-8 with a byte-order mark, ``;``-separated, text quoted, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=DELIMITER, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return (BOM + out.getvalue()).encode("utf-8")
