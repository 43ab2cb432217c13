"""A PDF evidence pack is really built by WeasyPrint in a Celery task, hashed, with its progress saved."""

import hashlib

import pytest
from django.core.exceptions import ValidationError

from reporting_control import services
from reporting_control.choices import PackStatus
from reporting_control.packs import render_pack_html


def test_the_pack_html_shows_the_lines_their_evidence_holds_and_timeline(
    evidenced_update, compliance_manager, provider_director
):
    services.place_hold(evidenced_update, by=compliance_manager, reason="Check the figures.")
    services.lift_hold(evidenced_update, by=provider_director, reason="Figures checked.")

    html = render_pack_html(evidenced_update)

    assert "Falls learning update for the council" in html
    assert "Birch Lodge: implementation verified" in html
    assert "Check the figures." in html and "Figures checked." in html
    assert 'Check every claim has service evidence<br><span class="app-code">C1</span>' in html
    assert "Lines lacking named-service adoption evidence" in html


def test_requesting_a_pack_builds_a_real_pdf_and_stores_its_hash(
    evidenced_update, compliance_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.request_pack(evidenced_update, by=compliance_manager)

    pack.refresh_from_db()
    assert pack.status == PackStatus.READY and pack.progress == 100
    data = pack.file.read()
    assert data.startswith(b"%PDF")
    assert len(data) > 1024
    assert pack.sha256 == hashlib.sha256(data).hexdigest()
    assert not pack.for_release  # built before release: never shown to a commissioner


def test_no_pack_is_built_while_the_update_is_held(evidenced_update, compliance_manager):
    services.place_hold(evidenced_update, by=compliance_manager, reason="Hold.")
    with pytest.raises(ValidationError):
        services.request_pack(evidenced_update, by=compliance_manager)


def test_a_failed_build_is_recorded_not_left_building(
    evidenced_update, compliance_manager, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(html):
        raise RuntimeError("Pango is missing")

    monkeypatch.setattr("reporting_control.packs.html_to_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.request_pack(evidenced_update, by=compliance_manager)

    pack.refresh_from_db()
    assert pack.status == PackStatus.FAILED and "Pango is missing" in pack.failure
