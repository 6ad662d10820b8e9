"""HTML to PDF with WeasyPrint, offline: a shared building block, not a domain.

WeasyPrint needs Pango (a system library, present on Debian/Ubuntu desktops). Where it is
missing the import fails, ``available()`` says False and callers say the PDF is not
available; the app itself never imports WeasyPrint at start.

Nothing is fetched while rendering: the URL fetcher serves ``data:`` URIs only, so an
``<img>`` or stylesheet pointing at http(s) or file: is refused (WeasyPrint logs it and
renders without it). Fonts come from the system (fontconfig) and are embedded in the PDF.
"""

import functools


class PdfUnavailable(RuntimeError):
    """WeasyPrint (or Pango under it) is not installed on this machine."""


class FetchRefused(ValueError):
    """A document referred to something other than a ``data:`` URI."""


def refuse_unless_data(url: str) -> None:
    if not url.lower().startswith("data:"):
        raise FetchRefused(f"only data: URIs are read while rendering a PDF, not {url[:80]!r}")


@functools.cache
def available() -> bool:
    """Whether WeasyPrint and its system libraries can be loaded here."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):  # OSError: Pango or its friends missing
        return False
    return True


def html_to_pdf(html: str) -> bytes:
    """The PDF of ``html``; ``@page`` rules set the paper. PdfUnavailable without WeasyPrint."""
    if not available():
        raise PdfUnavailable("PDF rendering needs WeasyPrint and Pango")
    import weasyprint

    # A fetcher per document: it keeps per-request state, so it is not shared by threads.
    # allowed_protocols and no redirects: WeasyPrint's own guard behind ours.
    fetcher = _data_only_fetcher_class()(allowed_protocols=("data",), allow_redirects=False)
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()


@functools.cache
def _data_only_fetcher_class():
    from weasyprint.urls import URLFetcher

    class DataOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            refuse_unless_data(url)
            return super().fetch(url, headers)

    return DataOnlyFetcher
