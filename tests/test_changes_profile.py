"""A platform's profile shows its latest changes and the way to report one of its claims."""

import pytest
from bs4 import BeautifulSoup

from platforms.models import Cell, ClaimReport, Platform

pytestmark = pytest.mark.django_db


def render_tool(client, platform):
    profile = client.get(f"/platforms/{platform.slug}/")
    return BeautifulSoup(profile.content, "html.parser").select_one(".platform-changes")


def test_a_profile_shows_the_platforms_latest_changes_and_links(client, seeded):
    tiktok = Platform.objects.get(slug="tiktok")
    cell = Cell.objects.filter(row__platform=tiktok, level="full").first()
    cell.level = "unknown"
    cell.save()
    soup = render_tool(client, tiktok)
    assert f"{cell.capability.name}: Full → Unknown" in soup.select_one(".change-log").get_text()
    links = {a.get_text(): a["href"] for a in soup.find_all("a")}
    assert links["All changes about TikTok"] == "/changes/tiktok/"
    assert links["Atom feed"] == "/changes/tiktok/feed/"
    report = links["Report an outdated or wrong claim about TikTok"]
    form = BeautifulSoup(client.get(report).content, "html.parser")
    options = [o for o in form.select("#id_cell option") if o.get("value")]
    assert (
        len(options)
        == Cell.objects.filter(
            row__platform=tiktok, capability__table__page__status="published"
        ).count()
    )
    assert all(o.get_text().startswith("TikTok · ") for o in options)
    response = client.post(
        report,
        {"cell": options[0]["value"], "message": "The monetisation rules changed in May."},
    )
    assert response.status_code == 302 and ClaimReport.objects.get().cell.row.platform == tiktok
