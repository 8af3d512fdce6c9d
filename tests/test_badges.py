"""Badges: one platform's claim for a capability as a small SVG for READMEs and articles,
published claims only, linking back to the claim."""

import xml.etree.ElementTree as ET

import pytest

from platforms.models import Cell, ComparisonPage
from sitecontent.publishing import Status

SVG = "{http://www.w3.org/2000/svg}"
CAPABILITY = "personalized-engagement/personal-engagement-across-social-networks"


def badge(client, platform, capability):
    return client.get(f"/badge/{platform}/{CAPABILITY}/{capability}.svg")


@pytest.mark.parametrize("platform", ["tiktok", "telegram", "slack"])
def test_a_badge_shows_the_claims_level_and_links_to_it(client, seeded, platform):
    cell = Cell.objects.get(
        row__platform__slug=platform,
        capability__slug="monetization-for-creators",
        capability__table__slug="personal-engagement-across-social-networks",
    )
    response = badge(client, platform, "monetization-for-creators")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = ET.fromstring(response.content)
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title").text
    assert cell.row.platform.name in title and cell.get_level_display() != ""
    assert {"full": "Yes", "partial": "Partly", "none": "No", "unknown": "Unknown"}[
        cell.level
    ] in title
    link = svg.find(f"{SVG}a").get("href")
    assert link.endswith(f"/Personalized-Engagement/#cell-{CAPABILITY.split('/')[1]}-"
                         f"{platform}-monetization-for-creators")  # fmt: skip


def test_no_badge_for_what_is_not_published(client, seeded):
    assert badge(client, "tiktok", "no-such-capability").status_code == 404
    assert badge(client, "nobody", "monetization-for-creators").status_code == 404
    ComparisonPage.objects.filter(permalink="/Personalized-Engagement/").update(status=Status.DRAFT)
    assert badge(client, "tiktok", "monetization-for-creators").status_code == 404


def test_a_badge_shows_the_documents_own_mark_and_says_its_meaning(client, db):
    from platforms.markdown_io import import_documents

    document = (
        "---\ntitle: Sync tools\npermalink: /sync-tools/\n---\n\nLegend:\n\n"
        "- 🔶 = via a plugin\n- 🛑 = not supported\n\n"
        "| Feature | Alpha | Beta |\n|---|---|---|\n| Sync | 🔶 | 🛑 |\n"
    )
    import_documents([("sync.md", document.encode())])
    table = ComparisonPage.objects.get(permalink="/sync-tools/").tables.get()
    response = client.get(f"/badge/alpha/sync-tools/{table.slug}/sync.svg")
    svg = ET.fromstring(response.content)
    assert "via a plugin" in svg.find(f"{SVG}title").text
    shown = " ".join(text.text for text in svg.iter(f"{SVG}text"))
    assert "🔶" in shown and "🟡" not in shown
