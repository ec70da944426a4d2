"""The Content-Security-Policy holds on the main pages: not one violation, for every persona's pages.

The policy forbids inline script and style; a template that slips one in, or a library that injects
a <style> element, shows up here as a `securitypolicyviolation` event or a console error.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hazards.models import Attachment
from hazards.uploads import store_upload
from ledger.models import ExportJob
from tests.browser.test_journey import _photo, _sign_in
from tests.factories import HazardFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _signed_in_page(browser, live_server, username, console):
    page = _sign_in(browser, live_server, username, init_script=LISTEN, viewport={"width": 390, "height": 844})
    page.on("console", lambda message: message.type == "error" and console.append(f"{page.url}: {message.text}"))
    return page


def _violations_on(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    assert "'unsafe-inline'" not in response.headers["content-security-policy"], url
    page.wait_for_load_state("networkidle")
    return [f"{url}: {violation}" for violation in page.evaluate("window.__cspViolations")]


def test_no_page_breaks_the_content_security_policy(live_server, browser, inspector, province, administrator, media):
    hazard = HazardFactory(found_by=inspector)
    upload = SimpleUploadedFile("现场.jpg", _photo(), content_type="image/jpeg")
    photo = store_upload(upload, user=inspector, stage=Attachment.Stage.BEFORE)
    photo.hazard = hazard
    photo.save()
    job = ExportJob.objects.create(user=province, query="", language="zh-hans", total_rows=100, rows_written=40)
    console: list[str] = []
    violations: list[str] = []

    pages = {
        "inspector": [
            "/",
            "/hazards/",
            f"/hazards/{hazard.pk}/",
            "/hazards/new/",
            "/inspections/new/",
            "/inspections/",
            "/tasks/",
            "/notifications/",
            "/accounts/profile/",
            "/accounts/password/",
            "/hazards/import/",
        ],
        "province": ["/hazards/", f"/hazards/{hazard.pk}/", f"/hazards/exports/{job.pk}/", "/hazards/exports/"],
        "admin": ["/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{inspector.pk}/change/"],
    }
    for username, paths in pages.items():
        page = _signed_in_page(browser, live_server, username, console)
        for path in paths:
            violations += _violations_on(page, f"{live_server.url}{path}")
        page.context.close()

    # The sign-in page itself, signed out.
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(LISTEN)
    page = context.new_page()
    violations += _violations_on(page, f"{live_server.url}/accounts/login/")
    context.close()

    assert violations == []
    assert [line for line in console if "Content Security Policy" in line] == []
