"""Every page carries the Content-Security-Policy of issue 12 and no template holds inline style or script."""

import re
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_pages_carry_the_content_security_policy(client, inspector):
    client.force_login(inspector)
    policy = dict(
        directive.strip().split(" ", 1) for directive in client.get("/hazards/")["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe" not in " ".join(policy.values())


def test_no_template_has_an_inline_style_or_script():
    offenders = []
    for template in BASE_DIR.glob("**/templates/**/*.html"):
        if any(part in {".venv", "node_modules", "var"} for part in template.relative_to(BASE_DIR).parts):
            continue
        text = template.read_text()
        for pattern in (r"\sstyle=", r"<style", r"<script(?![^>]*\ssrc=)", r"\son[a-z]+=\"", r"\shx-on"):
            if re.search(pattern, text):
                offenders.append(f"{template.relative_to(BASE_DIR)}: {pattern}")
    assert offenders == []
