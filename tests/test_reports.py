"""Visitors report an outdated or wrong claim: stored, mailed to editors, moderated in the admin,
and hard to abuse (CSRF, honeypot, rate limit, bounded and escaped input)."""

import pytest
from django.test import Client

from platforms.models import Cell, ClaimReport, ComparisonPage

pytestmark = pytest.mark.django_db

REPORT = {
    "message": "Live engagement became full support in March; the note is out of date.",
    "source_url": "https://example.org/announcement",
    "email": "reader@example.org",
}


@pytest.fixture
def cell(seeded):
    return Cell.objects.filter(level="partial").select_related("row__platform").first()


def post_report(client, cell, address="198.51.100.7", **changes):
    data = {**REPORT, "cell": cell.pk, "website": "", **changes}
    return client.post(f"/report/?cell={cell.pk}", data, REMOTE_ADDR=address)


def test_the_form_names_the_claim_and_is_never_cached(client, cell):
    response = client.get(f"/report/?cell={cell.pk}")
    page = response.content.decode()
    assert response.status_code == 200
    assert f"{cell.row.platform.name} · {cell.capability.name}" in page
    assert "csrfmiddlewaretoken" in page
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert "private" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_a_report_is_stored_mailed_to_editors_and_thanked(client, cell, staff_user, mailoutbox):
    response = post_report(client, cell)
    assert response.status_code == 302
    report = ClaimReport.objects.get()
    assert (report.cell, report.status) == (cell, "new")
    assert (report.message, report.source_url, report.email) == tuple(REPORT.values())
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [staff_user.email]
    assert REPORT["message"] in mail.body and cell.capability.name in mail.subject
    thanks = client.get(response["Location"])
    assert "Thank you" in thanks.content.decode()
    assert (
        f"#cell-{cell.capability.table.slug}-{cell.row.platform.slug}-" in thanks.content.decode()
    )


def test_reports_are_refused_without_the_csrf_token(cell):
    client = Client(enforce_csrf_checks=True)
    response = post_report(client, cell)
    assert response.status_code == 403
    assert not ClaimReport.objects.exists()


def test_reports_with_the_honeypot_filled_are_refused(client, cell, staff_user, mailoutbox):
    response = post_report(client, cell, website="http://spam.example")
    assert response.status_code == 400
    assert "could not be accepted" in response.content.decode()
    assert not ClaimReport.objects.exists() and not mailoutbox


def test_each_address_may_send_only_a_few_reports_an_hour(client, cell, settings):
    settings.CLAIM_REPORTS_PER_HOUR = 3
    for _ in range(3):
        assert post_report(client, cell).status_code == 302
    refused = post_report(client, cell, message="One more report that must be kept on the page.")
    assert refused.status_code == 429
    assert "wait an hour" in refused.content.decode()
    # Nothing the visitor typed is lost: it is back in the form.
    assert "One more report that must be kept on the page." in refused.content.decode()
    assert ClaimReport.objects.count() == 3
    other_address = post_report(client, cell, address="203.0.113.9")
    assert other_address.status_code == 302


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"source_url": "javascript:alert(1)"}, "https://"),
        ({"source_url": "ftp://example.org/file"}, "https://"),
        ({"message": "x" * 2001}, "2000"),
        ({"message": "wrong"}, "10 characters"),
        ({"email": "not-an-address"}, "e-mail"),
    ],
)
def test_bad_input_gets_a_clear_error_and_keeps_the_text(client, cell, changes, error):
    response = post_report(client, cell, **changes)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please correct the problems" in page and error in page
    assert not ClaimReport.objects.exists()


def test_claims_on_drafts_cannot_be_reported(client, cell):
    ComparisonPage.objects.filter(pk=cell.capability.table.page_id).update(status="draft")
    response = post_report(client, cell)
    assert response.status_code == 400
    assert not ClaimReport.objects.exists()


def test_the_moderation_queue_links_the_claim_and_its_grid_and_escapes_visitor_text(
    client, cell, staff_client
):
    post_report(Client(), cell, message="<script>alert('x')</script> is what the page says now")
    report = ClaimReport.objects.get()
    listing = staff_client.get("/admin/platforms/claimreport/?status__exact=new").content.decode()
    assert f"/admin/platforms/comparisontable/{cell.capability.table_id}/grid/" in listing
    assert f"#cell-{cell.capability.table.slug}-{cell.row.platform.slug}-" in listing
    change = staff_client.get(f"/admin/platforms/claimreport/{report.pk}/change/")
    assert "<script>alert" not in change.content.decode()
    assert "&lt;script&gt;" in change.content.decode()
    staff_client.post(
        "/admin/platforms/claimreport/",
        {"action": "mark_accepted", "_selected_action": [report.pk]},
    )
    report.refresh_from_db()
    assert report.status == "accepted"


def test_a_table_scope_lists_only_that_tables_claims(client, cell):
    table = cell.capability.table
    page = client.get(f"/report/?table={table.page.permalink.strip('/')}/{table.slug}")
    page = page.content.decode()
    assert page.count("<option") == Cell.objects.filter(capability__table=table).count() + 1


def test_the_limit_holds_across_processes_and_cache_restarts(client, cell, settings):
    """The count lives in the database: another worker's local memory, a Redis outage or an
    emptied cache does not give an address a fresh allowance; an hour later it has one."""
    from datetime import timedelta

    import time_machine
    from django.core.cache import cache
    from django.utils import timezone

    settings.CLAIM_REPORTS_PER_HOUR = 2
    for _ in range(2):
        assert post_report(client, cell).status_code == 302
    cache.clear()  # what a restarted Redis, or another process's own memory, knows
    assert post_report(client, cell).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert post_report(client, cell).status_code == 302
    assert ClaimReport.objects.count() == 3
