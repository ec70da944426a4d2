from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from documents import services
from documents.pdf import render_pdf
from hazards import workflow


@require_POST
def issue(request, hazard_pk: int, kind: str):
    """Issue a document on a hazard and open its print page."""
    try:
        document = services.issue(actor=request.user, hazard_id=hazard_pk, kind=kind)
    except workflow.HazardNotFound:
        raise Http404 from None
    except services.DocumentError as error:
        messages.error(request, str(error))
        return redirect("hazards:detail", hazard_pk)
    return redirect("documents:detail", document.pk)


def _document(request, pk: int):
    return get_object_or_404(
        services.documents_visible_to(request.user).select_related("issuing_body", "addressed_to"), pk=pk
    )


def detail(request, pk: int):
    """The print page (A4 stylesheet) with its PDF link."""
    document = _document(request, pk)
    return render(request, "documents/document_page.html", {"document": document})


def pdf(request, pk: int):
    """The same document as a PDF file."""
    document = _document(request, pk)
    html = render_to_string("documents/document_pdf.html", {"document": document}, request=request)
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="document-{document.pk}.pdf"'
    return response
