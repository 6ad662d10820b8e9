"""service/pdf.py: HTML to an A4 PDF with its text, and nothing fetched while rendering.

poppler-utils (pdftotext, pdfinfo, pdfimages) read the PDF back; without it (a laptop) these
tests skip, under CI (CI=true) a skip fails the run (tests/conftest.py).
"""

import base64
import logging
import shutil
import subprocess
import sys

import pytest

from service import pdf
from service.demo_logo import demo_logo_png


@pytest.fixture
def poppler(tmp_path):
    """Write a PDF to a file and run a poppler tool on it; its standard output."""
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed (apt-get install poppler-utils)")
    if not pdf.available():
        pytest.skip("WeasyPrint cannot be loaded here (Pango missing?)")

    def run(tool: str, content: bytes, *arguments: str) -> str:
        path = tmp_path / "document.pdf"
        path.write_bytes(content)
        return subprocess.run(
            [tool, *arguments, str(path), *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    return run


def _images(listing: str) -> list[str]:
    """The images (not their transparency masks) in `pdfimages -list` output, as WxH."""
    rows = [line.split() for line in listing.splitlines()[2:]]  # after the two header lines
    return [f"{row[3]}x{row[4]}" for row in rows if row[2] == "image"]


PAGE = "<style>@page {{ size: A4 }}</style><h1>Vertrekrapport</h1><p>{body}</p>"


def test_html_becomes_an_a4_pdf_with_its_text(poppler):
    content = pdf.html_to_pdf(PAGE.format(body="Zeventien vertrekkers — één patroon"))
    assert content.startswith(b"%PDF-")
    text = poppler("pdftotext", content, "-enc", "UTF-8")
    assert "Vertrekrapport" in text
    assert "Zeventien vertrekkers — één patroon" in text
    info = poppler("pdfinfo", content)
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, height = (round(float(n)) for n in size.split()[2:5:2])
    assert (width, height) == (595, 842)


def test_a_data_uri_image_is_embedded(poppler):
    logo = base64.b64encode(demo_logo_png()).decode()
    content = pdf.html_to_pdf(PAGE.format(body=f'<img src="data:image/png;base64,{logo}">'))
    assert _images(poppler("pdfimages", content, "-list")) == ["64x64"]


@pytest.mark.parametrize("url", ["http://example.com/x.png", "file:///etc/passwd"])
def test_nothing_else_is_fetched_and_the_pdf_still_renders(poppler, url, caplog, monkeypatch):
    asked = []

    def spy(requested: str) -> None:
        asked.append(requested)
        refuse(requested)

    refuse = pdf.refuse_unless_data
    monkeypatch.setattr(pdf, "refuse_unless_data", spy)
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        content = pdf.html_to_pdf(PAGE.format(body=f'Zonder beeld <img src="{url}">'))
    assert asked == [url]
    assert f"Failed to load image at {url!r}: FetchRefused" in caplog.text
    assert "Zonder beeld" in poppler("pdftotext", content)
    assert _images(poppler("pdfimages", content, "-list")) == []


def test_the_refusal_lets_data_uris_through_only():
    pdf.refuse_unless_data("data:image/png;base64,AAAA")
    pdf.refuse_unless_data("DATA:text/plain,x")
    for url in ("https://example.com/", "file:///etc/passwd", "ftp://x/", "/etc/passwd"):
        with pytest.raises(pdf.FetchRefused):
            pdf.refuse_unless_data(url)


def test_without_weasyprint_the_pdf_is_unavailable(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # any import of it fails
    pdf.available.cache_clear()
    try:
        assert pdf.available() is False
        with pytest.raises(pdf.PdfUnavailable):
            pdf.html_to_pdf("<p>x</p>")
    finally:
        pdf.available.cache_clear()
