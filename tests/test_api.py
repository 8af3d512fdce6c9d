"""The read-only API at /api/v1/, read as another site's script would: only published data,
each answer as its OpenAPI 3.1 document describes it, days in the past from history, ETags,
CORS, and the same few queries whatever the amount of content."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from platforms.models import (
    Capability,
    Cell,
    CellSource,
    ComparisonPage,
    ComparisonTable,
    Level,
    Platform,
    TableRow,
)
from platforms.validators import validate_permalink
from sitecontent.publishing import Status
from tests.conftest import cell_of, edit, queries_per_page

PE = "/Personalized-Engagement/"
LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
# Every endpoint, with the documented path it answers for.
ENDPOINTS = {
    "/api/v1/pages/": "/api/v1/pages/",
    "/api/v1/pages/Personalized-Engagement/": "/api/v1/pages/{page}/",
    "/api/v1/tables/": "/api/v1/tables/",
    "/api/v1/tables/Partnerships/partnerships/": "/api/v1/tables/{page}/{table}/",
    "/api/v1/platforms/": "/api/v1/platforms/",
    "/api/v1/platforms/tiktok/": "/api/v1/platforms/{slug}/",
    "/api/v1/capabilities/": "/api/v1/capabilities/",
    "/api/v1/claims/": "/api/v1/claims/",
    "/api/v1/changes/": "/api/v1/changes/",
}


def day(number):
    """Noon (UTC) on the number-th day of January 2027, after the seeds' history (today)."""
    return datetime.datetime(2027, 1, number, 12, tzinfo=datetime.UTC)


def on(number):
    return time_machine.travel(day(number), tick=False)


def read(client, url, status=200, **query):
    response = client.get(url, query)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


@pytest.fixture
def table_slug(seeded):
    """The slug of the Partnerships page's first table (ENDPOINTS names it)."""
    return ComparisonTable.objects.filter(page__permalink="/Partnerships/").first().slug


def test_the_openapi_document_is_valid_openapi_3_1_and_describes_every_endpoint(client, db):
    document = read(client, "/api/v1/openapi.json")
    validate(document)  # raises on any error
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == set(ENDPOINTS.values())


@pytest.fixture
def draft_data(seeded):
    """A draft page and a scheduled one, each with a table, a column and a claim of a platform
    that is in no published page."""
    hidden = Platform.objects.create(name="Hidden", slug="hidden-platform")
    later = {"status": Status.PUBLISHED, "publish_at": day(20)}
    for title, values in [("Draft", {"status": Status.DRAFT}), ("Later", later)]:
        page = ComparisonPage.objects.create(title=title, permalink=f"/{title}/", **values)
        table = ComparisonTable.objects.create(page=page, title="Secret", slug=f"secret-{title}")
        capability = Capability.objects.create(table=table, name="Secret col", slug="secret-col")
        row = TableRow.objects.create(table=table, platform=hidden)
        Cell.objects.create(row=row, capability=capability, level=Level.FULL, note="Secret note")
        TableRow.objects.create(table=table, platform=Platform.objects.get(slug="tiktok"))


def test_every_endpoint_answers_only_published_data_as_documented(client, draft_data, table_slug):
    document = read(client, "/api/v1/openapi.json")
    for url, path in ENDPOINTS.items():
        url = url.replace("partnerships/", f"{table_slug}/")
        answer = read(client, url)
        text = str(answer)
        for secret in ("Draft", "Later", "secret-", "Secret", "hidden-platform"):
            assert secret not in text, (url, secret)
        # The answer is what the document says it is.
        shape = document["paths"][path]["get"]["responses"]["200"]["content"]
        schema = {**shape["application/json"]["schema"], "components": document["components"]}
        errors = list(Draft202012Validator(schema).iter_errors(answer))
        assert not errors, (url, errors[:3])
        if "licence" in answer:
            assert answer["licence"] == LICENCE  # the downloads' licence (settings.DATA_LICENSE)
    for url in ("/api/v1/pages/Draft/", "/api/v1/pages/Later/",
                "/api/v1/tables/Draft/secret-Draft/", "/api/v1/platforms/hidden-platform/",
                "/api/v1/pages/No-such-page/",
                "/api/v1/tables/Partnerships/no-such-table/", "/api/v1/platforms/nobody/",
                "/api/v1/changes/?platform=hidden-platform", "/api/v1/no-such-thing/"):  # fmt: skip
        assert read(client, url, status=404)["detail"].startswith("No such"), url
    claims = read(client, "/api/v1/claims/", page="Draft")["claims"]
    assert claims == []


def test_claims_carry_level_note_sources_and_review_date(client, seeded):
    cell = cell_of(PE, "tiktok")
    edit(cell, level=Level.PARTIAL, note="Only *some*", last_reviewed=datetime.date(2026, 3, 1))
    CellSource.objects.create(cell=cell, url="https://example.org/a", title="A")
    claims = read(client, "/api/v1/claims/", platform="tiktok", capability=cell.capability.slug)
    claim = next(claim for claim in claims["claims"] if claim["page"] == PE)
    assert claim["level"] == "partial" and claim["note"] == "Only *some*"
    assert claim["last_reviewed"] == "2026-03-01"
    assert claim["sources"] == [{"url": "https://example.org/a", "title": "A", "accessed": None}]
    assert claim["url"].startswith(PE + "#cell-")
    assert {claim["platform"] for claim in claims["claims"]} == {"tiktok"}


@pytest.mark.parametrize("query", ["", "?as_of="])
def test_a_matching_etag_gets_304_until_the_data_changes(client, seeded, query):
    url = "/api/v1/pages/Personalized-Engagement/"
    url += query and f"{query}{timezone.localdate()}"  # a query string: not in the page cache
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"]
    # Another site's script revalidating: its browser refuses a 304 without the CORS header.
    again = client.get(url, headers={"if-none-match": first["ETag"], "origin": "https://a.example"})
    assert again.status_code == 304 and again["Access-Control-Allow-Origin"] == "*"
    edit(cell_of(PE, "tiktok"), note="Edited just now")
    changed = client.get(url, headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200 and "Edited just now" in changed.text


def test_pages_and_claims_as_of_a_day_are_as_they_stood_that_day(client, seeded):
    cell = cell_of(PE, "tiktok")
    with on(1):
        edit(cell, level=Level.FULL, note="First wording")
        saved_page = read(client, "/api/v1/pages/Personalized-Engagement/")
        saved_claims = read(client, "/api/v1/claims/", platform="tiktok")
    with on(2):
        edit(cell, level=Level.NONE, note="Second wording")
        CellSource.objects.create(cell=cell, url="https://example.org/later")
        page = ComparisonPage.objects.get(permalink=PE)
        page.title = "Renamed page"
        page.save()
    with on(3):
        today = read(client, "/api/v1/pages/Personalized-Engagement/")
        assert "Second wording" in str(today) and today["title"] == "Renamed page"
        then = read(client, "/api/v1/pages/Personalized-Engagement/", as_of="2027-01-01")
        # All but the page's last save, which the seeds' import makes without a history record.
        assert {**then, "updated": ""} == {**saved_page, "updated": ""}
        assert read(client, "/api/v1/claims/", platform="tiktok", as_of="2027-01-01") == (
            saved_claims
        )
        day_two = read(client, "/api/v1/claims/", platform="tiktok", as_of="2027-01-02")
        assert "Second wording" in str(day_two) and "example.org/later" in str(day_two)
        # A page taken back to draft is not shown on any day; a bad day is a 400 that says why.
        page.status = Status.DRAFT
        page.save()
        assert read(client, "/api/v1/pages/Personalized-Engagement/", 404, as_of="2027-01-01")
        assert "First wording" not in str(read(client, "/api/v1/claims/", as_of="2027-01-01"))
        for bad in ("2027-13-01", "2027-01-04"):
            assert "20" in read(client, "/api/v1/pages/", 400, as_of=bad)["detail"]


def test_changes_are_paginated_and_filtered_by_platform_and_day(client, seeded):
    tiktok_cells = Cell.objects.filter(row__platform__slug="tiktok", row__table__page__permalink=PE)
    with on(1):
        for number, cell in enumerate(Cell.objects.filter(capability__table__page__permalink=PE)
                                      .exclude(row__platform__slug="tiktok")[:31]):  # fmt: skip
            edit(cell, note=f"Day one edit {number}")
    with on(3):
        for cell in tiktok_cells[:2]:
            edit(cell, note="Day three edit")
        first = read(client, "/api/v1/changes/")
        assert first["page"] == 1 and len(first["changes"]) == 30 and first["count"] > 33
        assert first["changes"][0]["note_after"] == "Day three edit"  # newest first
        second = read(client, first["next"])
        assert second["page"] == second["pages"] == 2 and second["next"] is None
        seen = {change["id"] for change in first["changes"] + second["changes"]}
        assert len(seen) == first["count"]  # each entry once

        tiktok = read(client, "/api/v1/changes/", platform="tiktok")["changes"]
        assert [change["platform"] for change in tiktok] == ["tiktok", "tiktok"]
        since = read(client, "/api/v1/changes/", since="2027-01-02")["changes"]
        assert {change["note_after"] for change in since} == {"Day three edit"}
        until = read(client, "/api/v1/changes/", as_of="2027-01-01")
        assert "Day three edit" not in str(until) and until["count"] >= 31
        cell_change = next(change for change in until["changes"] if change["kind"] == "cell")
        assert cell_change["note_after"].startswith("Day one edit")


def more_content(pages):
    """`pages` more published pages, each with a table of every platform's claims on three
    capabilities, with sources."""
    platforms = list(Platform.objects.all())
    for number in range(pages):
        page = ComparisonPage.objects.create(
            title=f"More {number}", permalink=f"/More-{number}/", status=Status.PUBLISHED
        )
        table = ComparisonTable.objects.create(page=page, title="More", slug="more")
        rows = TableRow.objects.bulk_create(TableRow(table=table, platform=p) for p in platforms)
        capabilities = Capability.objects.bulk_create(
            Capability(table=table, name=f"Column {n}", slug=f"column-{n}") for n in range(3)
        )
        cells = Cell.objects.bulk_create(
            Cell(row=row, capability=cap, level=Level.FULL, note="More")
            for row in rows
            for cap in capabilities
        )
        CellSource.objects.bulk_create(
            CellSource(cell=cell, url="https://example.org/") for cell in cells
        )


def test_every_endpoint_needs_the_same_few_queries_whatever_the_content(client, seeded, table_slug):
    urls = [url.replace("partnerships/", f"{table_slug}/") for url in ENDPOINTS]
    today = timezone.localdate()
    urls += ["/api/v1/openapi.json", f"/api/v1/claims/?as_of={today}&platform=tiktok"]
    urls += [f"/api/v1/pages/Partnerships/?as_of={today}", "/api/v1/changes/?platform=tiktok"]
    before = queries_per_page(client, urls)
    more_content(5)
    assert queries_per_page(client, urls) == before
    assert max(before.values()) <= 8, before


def test_no_comparison_page_can_take_the_api_address(db):
    for permalink in ("/api/", "/API/v2/"):
        with pytest.raises(ValidationError):
            validate_permalink(permalink)
