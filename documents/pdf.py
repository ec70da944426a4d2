"""Enforcement documents as PDF: the print page's HTML through WeasyPrint.

WeasyPrint lays out with Pango, so CJK text takes the fonts the machine has (fonts-noto-cjk, installed
by .ci/run and the Dockerfile); the print stylesheet names Noto Sans CJK SC first.
"""

from django.contrib.staticfiles import finders

PRINT_STYLESHEET = "css/documents.css"


def render_pdf(html: str) -> bytes:
    """The PDF of a document's print page (A4, the stylesheet's @page rules)."""
    # Imported on first use: WeasyPrint loads Pango and its fonts (about a second), which every
    # process would otherwise pay on its first request, when the URL configuration is imported.
    from weasyprint import CSS, HTML

    stylesheet = finders.find(PRINT_STYLESHEET)
    assert isinstance(stylesheet, str), PRINT_STYLESHEET
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=stylesheet)])
