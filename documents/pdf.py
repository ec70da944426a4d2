"""Enforcement documents as PDF: the print page's HTML through WeasyPrint.

WeasyPrint lays out with Pango, so CJK text takes the fonts the machine has (fonts-noto-cjk, installed
by .ci/run and the Dockerfile); the print stylesheet names Noto Sans CJK SC first.
"""

from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML

PRINT_STYLESHEET = "css/documents.css"


def render_pdf(html: str) -> bytes:
    """The PDF of a document's print page (A4, the stylesheet's @page rules)."""
    stylesheet = finders.find(PRINT_STYLESHEET)
    assert isinstance(stylesheet, str), PRINT_STYLESHEET
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=stylesheet)])
