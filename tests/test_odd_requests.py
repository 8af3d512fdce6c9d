"""Requests nobody here would type, as crawlers, old links and attackers send them: each gets a
clear answer (never a server error), and a redirect to a page's one address keeps what was
asked for (the day, the sort), since a permanent redirect is remembered by browsers."""

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from platforms.markdown_io import DocumentError, import_documents
from platforms.models import Capability, Cell, ComparisonPage, ComparisonTable


def today():
    return timezone.now().date().isoformat()  # the launch content's history is of today (UTC)


@pytest.mark.parametrize("path", ["/report/", "/report/thanks/"])
def test_a_digit_that_is_not_a_number_is_no_server_error_on_the_report_form(client, seeded, path):
    # "²" is a digit to str.isdigit() but not a number to int().
    response = client.get(path, {"cell": "²"})
    assert response.status_code == 200
    assert client.get(path, {"cell": "٣"}).status_code == 200  # a decimal digit int() reads


def test_a_digit_that_is_not_a_number_is_no_server_error_in_the_admin(staff_client, seeded):
    table = ComparisonTable.objects.get(page__permalink="/Personalized-Engagement/")
    grid = reverse("admin:platforms_comparisontable_grid", args=[table.pk])
    assert staff_client.get(grid, {"row": "²"}).status_code == 200
    cells = reverse("admin:platforms_cell_changelist")
    # The column filter offers no columns for a table it cannot read; the list says so its way.
    assert staff_client.get(cells, {"capability__table__id__exact": "²"}).status_code in (200, 302)
    listed = staff_client.get(cells, {"capability__table__id__exact": str(table.pk)})
    columns = Capability.objects.filter(table=table)
    assert all(column.name in listed.text for column in columns)


@pytest.mark.parametrize(
    ("asked", "one_address"),
    [
        ("/partnerships/", "/Partnerships/"),
        ("/platforms/TikTok/", "/platforms/tiktok/"),
        ("/compare/tiktok-vs-facebook/", "/compare/facebook-vs-tiktok/"),
        ("/compare/TIKTOK-VS-FACEBOOK/differences/", "/compare/facebook-vs-tiktok/differences/"),
    ],
)
def test_the_redirect_to_a_pages_one_address_keeps_the_day_asked_for(
    client, seeded, asked, one_address
):
    for query in ({}, {"since": today()}, {"as_of": today(), "since": today()}):
        response = client.get(asked, query)
        assert response.status_code == 301, (asked, query)
        target = one_address + ("?" + response.wsgi_request.GET.urlencode() if query else "")
        assert response["Location"] == target
        assert client.get(target).status_code == 200


def test_a_capabilitys_address_in_capitals_keeps_its_day(client, seeded):
    cell = Cell.objects.filter(capability__table__page__permalink="/Partnerships/").first()
    capability = cell.capability
    parts = ["Partnerships", capability.table.slug.upper(), capability.slug]
    response = client.get(f"/capabilities/{'/'.join(parts)}/", {"as_of": today()})
    assert response.status_code == 301
    assert response["Location"].endswith(f"/{capability.slug}/?as_of={today()}")
    assert response["Location"].startswith("/capabilities/partnerships/")
    assert client.get(response["Location"]).status_code == 200


def test_changes_since_a_day_after_the_day_shown_is_a_400_saying_why(client, seeded):
    yesterday = (timezone.now() - timezone.timedelta(days=1)).date().isoformat()
    for path in ("/Partnerships/", "/platforms/tiktok/", "/compare/facebook-vs-tiktok/"):
        response = client.get(path, {"as_of": yesterday, "since": today()})
        assert response.status_code == 400
        assert "since is after as_of" in response.text
        assert client.get(path, {"as_of": today(), "since": yesterday}).status_code == 200


def test_head_on_the_report_form_is_answered_like_get(client, seeded):
    response = client.head("/report/")
    assert response.status_code == 200 and not response.content


def test_an_api_answer_for_a_day_without_data_is_dated_that_day(client, seeded):
    response = client.get("/api/v1/pages/", {"as_of": "2020-01-01"})
    assert response.status_code == 200
    assert response.json()["pages"] == []
    assert response.json()["as_of"].startswith("2020-01-01")


def test_a_nul_byte_in_a_search_is_not_written_back_into_the_page(client, seeded):
    response = client.get("/search/", {"q": "tik\x00tok"})
    assert response.status_code == 200
    assert "\x00" not in response.text
    assert BeautifulSoup(response.text, "lxml").select_one('input[name="q"]')["value"] == "tiktok"


# A capability's address holds its page's permalink as a slug: /Personalized/Engagement/ and
# /personalized-engagement/ would put a second page's claims at the first one's addresses.
@pytest.mark.parametrize("permalink", ["/Personalized/Engagement/", "/personalized-engagement/"])
def test_no_second_page_takes_the_addresses_of_another_ones_capabilities(seeded, permalink):
    page = ComparisonPage.objects.get(permalink="/Partnerships/")
    page.permalink = permalink
    with pytest.raises(ValidationError, match="/Personalized-Engagement/ gives its capabilities"):
        page.full_clean()
    document = f"---\ntitle: Copy\npermalink: {permalink}\n---\n\n| Platform | Bots |\n|---|---|\n"
    with pytest.raises(DocumentError, match=r"copy\.md:3: page permalink: /Personalized-Engag"):
        import_documents([("copy.md", (document + "| Telegram | ❌ |\n").encode())])
    assert ComparisonPage.objects.count() == 2
    own = ComparisonPage.objects.get(permalink="/Personalized-Engagement/")
    own.permalink = "/personalized-engagement/"  # its own addresses, another spelling: its own
    own.full_clean()


def test_two_documents_of_one_import_may_not_share_capability_addresses(db):
    documents = [
        (
            name,
            f"---\ntitle: T\npermalink: {permalink}\n---\n\n| P | Bots |\n|---|---|\n| X | ✅ |\n",
        )
        for name, permalink in [("first.md", "/a/b/"), ("second.md", "/A-B/")]
    ]
    with pytest.raises(DocumentError, match=r"second\.md: page address .* a-b is also claimed by "):
        import_documents([(name, text.encode()) for name, text in documents])
    assert not ComparisonPage.objects.exists()
