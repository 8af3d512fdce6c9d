"""Pages as they stood on a day (?as_of=) and the claims changed since a day (?since=), rebuilt
from the history every content model keeps: the launch content is published today, then edited
on later days with the clock moved (time-machine), and the pages are read as a visitor would."""

import datetime
from importlib import import_module

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.db.models import Q

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
from platforms.text import page_key
from sitecontent.publishing import Status
from tests.conftest import cell_of, day, draft_edit_and_scheduled_page, edit, on, page_queries

PE = "/Personalized-Engagement/"
PARTNERSHIPS = "/Partnerships/"


def soup_of(response):
    assert response.status_code == 200, response.content[:300]
    return BeautifulSoup(response.content, "lxml")


def tables_html(soup):
    """The page's tables as the visitor gets them, without what only an ?as_of= page adds (the
    hidden field that keeps the day when a table is sorted)."""
    for extra in soup.select('input[name="as_of"], input[name="since"]'):
        extra.decompose()
    return [str(section) for section in soup.select("main section.comparison")]


def anchor(cell):
    return f"cell-{cell.capability.table.slug}-{cell.row.platform.slug}-{cell.capability.slug}"


def test_as_of_reproduces_a_page_as_it_stood_before_a_series_of_edits(client, seeded):
    with on(1):
        # A platform new on the day, whose slug changes later.
        platform = Platform.objects.create(name="Newcomer", slug="newcomer")
        table = ComparisonTable.objects.get(page__permalink=PE)
        row = TableRow.objects.create(table=table, platform=platform, order=99)
        Cell.objects.create(row=row, capability=table.capabilities.first(), level=Level.FULL)
        saved = {url: tables_html(soup_of(client.get(url))) for url in (PE, PARTNERSHIPS)}
    with on(2):
        edit(cell_of(PE, "tiktok"), level=Level.NONE, note="Withdrawn in a test")
        edit(cell_of(PARTNERSHIPS, "linkedin"), note="A **new** note")
    with on(3):
        capability = Capability.objects.filter(table__page__permalink=PE).first()
        capability.name = "Renamed column"
        capability.save()
        row = TableRow.objects.filter(table__page__permalink=PE).last()
        row.label = "Relabelled row"
        row.save()
        CellSource.objects.create(cell=cell_of(PE, "facebook"), url="https://example.org/new")
        platform.slug = "newcomer-renamed"  # anchors and links are named by it
        platform.save()
    with on(4):
        TableRow.objects.filter(table__page__permalink=PARTNERSHIPS).first().delete()
        ComparisonTable.objects.filter(page__permalink=PARTNERSHIPS).last().delete()
        page = ComparisonPage.objects.get(permalink=PE)
        page.intro = "A new introduction"
        page.save()
        new_table = ComparisonTable.objects.create(page=page, title="Added later", slug="later")
        Capability.objects.create(table=new_table, name="Added column", slug="added")

    with on(5):
        for url in (PE, PARTNERSHIPS):
            today = tables_html(soup_of(client.get(url)))
            assert today != saved[url]  # the edits show today…
            then = soup_of(client.get(f"{url}?as_of=2027-01-01"))
            assert tables_html(then) == saved[url]  # …and not on the day before them
        assert "A new introduction" not in then.select_one("main").get_text()
        # Each day shows that day's edits and not the later ones.
        day_three = soup_of(client.get(f"{PE}?as_of=2027-01-03")).select_one("main")
        assert day_three.select('a[href="/platforms/newcomer-renamed/"]')
        text = day_three.get_text()
        assert "Renamed column" in text and "Relabelled row" in text
        assert "Withdrawn in a test" in text and "Added column" not in text


def test_a_page_as_it_stood_says_so_links_to_today_and_is_not_indexed(client, seeded):
    with on(2):
        soup = soup_of(client.get(f"{PE}?as_of=2027-01-01"))
    banner = soup.select_one("main .as-of-banner")
    assert banner.get_text().startswith("This page as it stood on 1 January 2027.")
    assert banner.a["href"] == PE and "today" in banner.a.get_text()
    assert soup.select_one('meta[name="robots"]')["content"] == "noindex"
    assert soup.title.get_text().startswith("Personalized Engagement on 1 January 2027 — ")
    assert soup.select_one('link[rel="canonical"]')["href"].endswith(PE)
    # Sorting a table keeps the day.
    assert soup.select_one('form.table-filter input[name="as_of"]')["value"] == "2027-01-01"
    today = soup_of(client.get(PE))
    assert not today.select(".as-of-banner") and not today.select('meta[name="robots"]')


@pytest.mark.parametrize("value", ["2027-13-01", "yesterday", "2027-01-01T10:00", "2027-01-03"])
def test_an_unreadable_or_future_day_is_a_clear_400(client, seeded, value):
    with on(2):
        for name in ("as_of", "since"):
            response = client.get(PE, {name: value})
            assert response.status_code == 400
            assert "YYYY-MM-DD" in response.text or "has not happened yet" in response.text


def test_a_day_before_the_page_existed_is_not_found(client, seeded):
    assert client.get(f"{PE}?as_of=2020-01-01").status_code == 404
    assert client.get(f"{PE}?as_of=").status_code == 200  # no day: today's page


def test_drafts_never_show_through_a_day(client, seeded):
    page = ComparisonPage.objects.get(permalink=PE)
    cell = cell_of(PE, "tiktok")
    original = cell.note
    with on(2):  # taken back to draft, then its cell changed while nobody could see it
        page.status = Status.DRAFT
        page.save()
        edit(cell, note="Draft wording")
    with on(3):
        edit(cell, note="Wording at publication")
        page.status = Status.PUBLISHED
        page.save()
    with on(4):
        assert client.get(f"{PE}?as_of=2027-01-02").status_code == 404
        day_one = soup_of(client.get(f"{PE}?as_of=2027-01-01")).select_one(f"#{anchor(cell)}")
        assert original[:30] in day_one.get_text()
        day_three = soup_of(client.get(f"{PE}?as_of=2027-01-03")).select_one("main").get_text()
        assert "Wording at publication" in day_three and "Draft wording" not in day_three
        since = soup_of(client.get(f"{PE}?since=2027-01-02")).select_one(f"#{anchor(cell)}")
        assert "Draft wording" not in str(since)  # no comparison with what was a draft


def test_scheduled_pages_and_pages_withdrawn_since_are_not_shown_on_a_day(client, seeded):
    with on(1):
        scheduled = ComparisonPage.objects.create(
            title="Scheduled", permalink="/Scheduled/", status=Status.PUBLISHED, publish_at=day(3)
        )
        ComparisonTable.objects.create(page=scheduled, title="Soon", slug="soon")
    with on(2, hour=8):  # its day is over only when it is: later today is not shown
        assert client.get("/Scheduled/?as_of=2027-01-02").status_code == 404
    with on(4):
        assert client.get("/Scheduled/?as_of=2027-01-02").status_code == 404
        assert client.get("/Scheduled/?as_of=2027-01-03").status_code == 200
        page = ComparisonPage.objects.get(permalink=PE)
        page.status = Status.DRAFT
        page.save()
        assert client.get(f"{PE}?as_of=2027-01-03").status_code == 404  # not public any more


def test_since_marks_exactly_the_claims_edited(client, seeded):
    full = cell_of(PE, "facebook", level=Level.FULL)
    none = cell_of(PE, "slack", level=Level.NONE)
    noted = cell_of(PE, "tiktok", level=Level.FULL)
    emptied = cell_of(PE, "google", level=Level.PARTIAL)
    free_text = cell_of(PARTNERSHIPS, "linkedin")
    with on(2):
        edit(full, level=Level.PARTIAL, note="Only in some countries")
        edit(none, level=Level.FULL, note="Now available")
        edit(noted, note="Same level, other words")
        edit(emptied, level="", note="")
        edit(free_text, note="A free-text claim, reworded")
        # A review date or a source is no change of the claim itself.
        edit(cell_of(PE, "whatsapp", level=Level.NONE), last_reviewed=datetime.date(2027, 1, 2))
        CellSource.objects.create(cell=cell_of(PE, "viber"), url="https://example.org/source")
    with on(3):
        soup = soup_of(client.get(f"{PE}?since=2027-01-01"))
        marks = {td["id"]: td.select_one(".change").get_text() for td in soup.select("td")
                 if td.select_one(".change")}  # fmt: skip
        expected = {anchor(full): "Declined", anchor(none): "Improved",
                    anchor(noted): "Note changed", anchor(emptied): "Removed"}  # fmt: skip
        assert marks == expected
        summary = soup.select_one(".since-summary").get_text(" ", strip=True)
        assert summary.startswith(
            "4 claims changed since 1 January 2027: 1 improved, 1 declined, 1 note changed, "
            "1 removed."
        )
        assert soup.select_one('meta[name="robots"]')["content"] == "noindex"
        other = soup_of(client.get(f"{PARTNERSHIPS}?since=2027-01-01"))
        assert [mark.get_text() for mark in other.select("td .change")] == ["Note changed"]
        assert "1 claim changed since 1 January 2027: 1 note changed." in other.get_text()
        nothing = soup_of(client.get(f"{PE}?since=2027-01-02")).select_one(".since-summary")
        assert nothing.get_text(" ", strip=True).startswith("No claim changed since 2 January")


def test_since_counts_new_claims_and_claims_whose_row_is_gone(client, seeded):
    with on(2):
        table = ComparisonTable.objects.get(page__permalink=PE)
        platform = Platform.objects.create(name="Newcomer", slug="newcomer")
        row = TableRow.objects.create(table=table, platform=platform, order=99)
        capability = table.capabilities.first()
        Cell.objects.create(row=row, capability=capability, level=Level.FULL)
        gone = TableRow.objects.filter(table=table, platform__slug="tiktok").get()
        gone_claims = Cell.objects.filter(row=gone).exclude(level="", note="").count()
        gone.delete()
    with on(3):
        soup = soup_of(client.get(f"{PE}?since=2027-01-01"))
    assert soup.select_one("#cell-personal-engagement-across-social-networks-newcomer-"
                           f"{capability.slug} .change").get_text() == "New"  # fmt: skip
    summary = soup.select_one(".since-summary").get_text(" ", strip=True)
    assert f"changed since 1 January 2027: 1 new, {gone_claims} removed." in summary


TIKTOK = "/platforms/tiktok/"


def profile_html(soup):
    return [str(section) for section in soup.select("main section.profile-page")]


def test_a_profile_as_it_stood_and_the_claims_changed_since(client, seeded):
    declined, noted = cell_of(PE, "tiktok"), cell_of(PARTNERSHIPS, "tiktok")
    with on(1):
        saved = profile_html(soup_of(client.get(TIKTOK)))
    with on(2):
        edit(declined, level=Level.NONE, note="Withdrawn in a test")
        edit(noted, note="Reworded in a test")
        capability = Capability.objects.filter(table__page__permalink=PE).last()
        capability.name = "Renamed column"
        capability.save()
        scheduled = ComparisonPage.objects.create(
            title="Scheduled", permalink="/Scheduled/", status=Status.PUBLISHED, publish_at=day(9)
        )
        table = ComparisonTable.objects.create(page=scheduled, title="Soon", slug="soon")
        row = TableRow.objects.create(table=table, platform=declined.row.platform)
        Cell.objects.create(
            row=row, capability=Capability.objects.create(table=table, name="Soon", slug="soon")
        )
    with on(3):
        today = soup_of(client.get(TIKTOK))
        assert profile_html(today) != saved
        then = soup_of(client.get(f"{TIKTOK}?as_of=2027-01-01"))
        assert profile_html(then) == saved
        assert (
            then.select_one(".as-of-banner")
            .get_text()
            .startswith("This page as it stood on 1 January 2027.")
        )
        assert then.select_one('meta[name="robots"]')["content"] == "noindex"
        assert "Scheduled" not in soup_of(client.get(f"{TIKTOK}?as_of=2027-01-02")).get_text()

        soup = soup_of(client.get(f"{TIKTOK}?since=2027-01-01"))
        marks = {mark.find_parent("tr").th.get_text(): mark.get_text()
                 for mark in soup.select("main table .change")}  # fmt: skip
        assert marks == {
            declined.capability.name: "Declined",
            plain_name(noted.capability): "Note changed",
        }
        assert (
            soup.select_one(".since-summary")
            .get_text(" ", strip=True)
            .startswith("2 claims changed since 1 January 2027: 1 declined, 1 note changed.")
        )
        assert client.get(f"{TIKTOK}?as_of=2020-01-01").status_code == 404
        assert client.get(f"{TIKTOK}?since=2027-02-30").status_code == 400


def plain_name(capability):
    return BeautifulSoup(capability.name_html, "lxml").get_text()


def test_a_day_and_its_changes_cost_the_same_few_queries_however_long_the_history(client, seeded):
    """Comparison page, profile, capability and compare pages, on a day, with changes since,
    both and today; a platform's timeline: as few queries after five more days of edits."""

    def queries(url):
        response, count = page_queries(client, url)
        soup_of(response)
        return count

    days = ["?as_of=2027-01-01", "?since=2027-01-01", "?as_of=2027-01-02&since=2027-01-01", ""]
    pages = [PE, TIKTOK, capability_url(cell_of(PE, "tiktok")), COMPARE]
    urls = [page + query for page in pages for query in days] + [f"{TIKTOK}timeline/"]
    with on(3):
        before = {url: queries(url) for url in urls}
    edited = Q(capability__table__page__permalink=PE) | Q(row__platform__slug="tiktok")
    for number in range(4, 9):
        with on(number):
            for cell in Cell.objects.filter(edited):
                edit(cell, last_reviewed=day(number).date(), note=f"Reworded on day {number}")
    with on(9):
        assert {url: queries(url) for url in urls} == before
    assert max(before.values()) <= 8, before


# --- capability and compare pages ---------------------------------------------------------------

COMPARE = "/compare/instagram-vs-tiktok/"


def capability_url(cell):
    capability = cell.capability
    return f"/capabilities/{page_key(PE)}/{capability.table.slug}/{capability.slug}/"


def shown(soup):
    """What a capability or compare page shows of its claims, without what only a day adds."""
    for extra in soup.select(".as-of-banner, .since-summary, .view-switch, form"):
        extra.decompose()
    return " ".join(str(soup.select_one("main article")).split())


def test_capability_and_compare_pages_as_they_stood_before_a_series_of_edits(client, seeded):
    tiktok, instagram = cell_of(PE, "tiktok"), cell_of(PE, "instagram")
    capability = tiktok.capability
    urls = [capability_url(tiktok), COMPARE, f"{COMPARE}differences/"]
    with on(1):
        saved = [shown(soup_of(client.get(url))) for url in urls]
    with on(2):
        edit(tiktok, level=Level.NONE, note="Withdrawn in a test")
        edit(instagram, level=Level.FULL, note="Added in a test")
        edit(cell_of(PARTNERSHIPS, "tiktok"), note="Reworded in a test")
    with on(3):
        capability.name = "Renamed column"
        capability.save()
        CellSource.objects.create(cell=tiktok, url="https://example.org/new")
        platform = Platform.objects.create(name="Newcomer", slug="newcomer")
        row = TableRow.objects.create(table=capability.table, platform=platform, order=99)
        Cell.objects.create(row=row, capability=capability, level=Level.FULL)
    with on(4):
        TableRow.objects.filter(
            table__page__permalink=PARTNERSHIPS, platform__slug="tiktok"
        ).delete()
    with on(5):
        for url, then in zip(urls, saved, strict=True):
            assert shown(soup_of(client.get(url))) != then, url  # the edits show today…
            past = soup_of(client.get(f"{url}?as_of=2027-01-01"))
            assert (
                past.select_one(".as-of-banner")
                .get_text()
                .startswith("This page as it stood on 1 January 2027.")
            )
            assert past.select_one(".as-of-banner a")["href"] == url
            assert past.select_one('meta[name="robots"]')["content"] == "noindex"
            switch = [a["href"] for a in past.select(".view-switch a")]  # compare: keeps the day
            assert all(href.endswith("/?as_of=2027-01-01") for href in switch)
            assert shown(past) == then, url  # …and not on the day before them
        day_three = soup_of(client.get(f"{urls[0]}?as_of=2027-01-03")).select_one("main")
        assert day_three.h1.get_text() == "Renamed column" and "Newcomer" in day_three.get_text()
        assert "Withdrawn in a test" in day_three.get_text()
        for url in urls:
            assert client.get(f"{url}?as_of=2020-01-01").status_code == 404, url
            assert client.get(f"{url}?as_of=2027-02-30").status_code == 400, url
            assert client.get(f"{url}?since=tomorrow").status_code == 400, url


def test_capability_and_compare_pages_never_show_a_draft_through_a_day(client, seeded):
    page = ComparisonPage.objects.get(permalink=PE)
    cell = cell_of(PE, "tiktok")
    draft_edit_and_scheduled_page(cell)  # taken back to draft on the 2nd, edited meanwhile
    with on(4):
        assert client.get(f"{capability_url(cell)}?as_of=2027-01-02").status_code == 404
        for url in (f"{capability_url(cell)}?as_of=2027-01-03", f"{COMPARE}?as_of=2027-01-02",
                    f"{COMPARE}?as_of=2027-01-03", f"{COMPARE}?since=2027-01-02"):  # fmt: skip
            text = soup_of(client.get(url)).select_one("main").get_text()
            assert "Draft wording" not in text and "Scheduled wording" not in text, url
        # On the 2nd only Partnerships was public: PE's tables are not compared that day.
        then = soup_of(client.get(f"{COMPARE}?as_of=2027-01-02")).select("main section")
        compared = {section["id"] for section in then}
        assert compared and not compared & {table.slug for table in page.tables.all()}
        assert "Wording at publication" in soup_of(client.get(f"{COMPARE}?as_of=2027-01-03")).text


def row_label(cell):
    return BeautifulSoup(cell.row.label_html, "lxml").get_text() or cell.row.platform.name


def compare_marks(soup):
    """{"platform · capability": its change} of each marked claim of a compare page."""
    marks = {}
    for table in soup.select("main table"):
        platforms = [th.get_text() for th in table.select("thead th")[1:]]
        for tr in table.select("tbody tr"):
            for platform, td in zip(platforms, tr.select("td"), strict=True):
                if mark := td.select_one(".change"):
                    marks[f"{platform} · {tr.th.a.get_text()}"] = mark.get_text()
    return marks


def test_since_marks_exactly_the_claims_edited_on_capability_and_compare_pages(client, seeded):
    declined = cell_of(PE, "tiktok", level=Level.FULL)
    improved = cell_of(PE, "instagram", capability=declined.capability)
    noted = cell_of(PARTNERSHIPS, "tiktok")
    with on(1):  # all of the seeds' claims of these two on PE are full
        edit(improved, level=Level.NONE, note="Not yet")
    with on(2):
        edit(declined, level=Level.NONE, note="Withdrawn in a test")
        edit(improved, level=Level.FULL, note="Added in a test")
        edit(noted, note="Reworded in a test")
        other = cell_of(PE, "facebook", capability=declined.capability)  # not compared
        edit(other, note="Another platform's claim")
        edit(declined, last_reviewed=datetime.date(2027, 1, 2))  # no change of the claim
    with on(3):
        soup = soup_of(client.get(f"{COMPARE}?since=2027-01-01"))
        marks = compare_marks(soup)
        assert marks == {
            f"TikTok · {plain_name(declined.capability)}": "Declined",
            f"Instagram · {plain_name(improved.capability)}": "Improved",
            f"TikTok · {plain_name(noted.capability)}": "Note changed",
        }
        summary = soup.select_one(".since-summary").get_text(" ", strip=True)
        assert summary.startswith(
            "3 claims changed since 1 January 2027: 1 improved, 1 declined, 1 note changed."
        )
        assert soup.select_one('meta[name="robots"]')["content"] == "noindex"

        soup = soup_of(client.get(f"{capability_url(declined)}?since=2027-01-01"))
        marks = {mark.find_parent("tr").th.get_text(): mark.get_text()
                 for mark in soup.select("main .change")}  # fmt: skip
        assert marks == {
            row_label(declined): "Declined",
            row_label(improved): "Improved",
            row_label(other): "Note changed",
        }
        summary = soup.select_one(".since-summary").get_text(" ", strip=True)
        assert summary.startswith(
            "3 claims changed since 1 January 2027: 1 improved, 1 declined, 1 note changed."
        )
        nothing = soup_of(client.get(f"{capability_url(declined)}?since=2027-01-02"))
        assert nothing.select_one(".since-summary").get_text().startswith("No claim changed")
        assert not nothing.select("main .change")


# --- rows written without history (by a migration, or in bulk) ---------------------------------


def test_rows_without_history_are_shown_as_they_were_before_a_later_rename(client, seeded):
    migration = import_module("platforms.migrations.0014_history_for_rows_without_any")
    page = ComparisonPage.objects.get(permalink=PE)
    table = page.tables.first()
    capability = table.capabilities.order_by("order").first()
    platform = Platform.objects.get(slug="tiktok")
    old = {"page": page.title, "column": plain_name(capability), "platform": platform.name}
    for row in (page, table, capability, platform):  # as if written before history existed
        type(row).history.filter(id=row.pk).delete()
    migration.record_missing_history(apps)
    assert migration.record_missing_history(apps) is None  # a second run records nothing more
    assert platform.history.count() == capability.history.count() == 1
    with on(2):
        page.title, capability.name, platform.name = "Renamed page", "Renamed column", "Renamed"
        for row in (page, capability, platform):
            row.save()
    with on(3):
        then = soup_of(client.get(f"{PE}?as_of=2027-01-01"))
        assert then.title.get_text().startswith(f"{old['page']} ")
        assert old["column"] in then.main.get_text() and "Renamed" not in then.main.get_text()
        profile = soup_of(client.get(f"{TIKTOK}?as_of=2027-01-01")).select_one("main")
        assert profile.h1.get_text() == old["platform"]
        today = soup_of(client.get(PE))
        assert today.title.get_text().startswith("Renamed page ")
        assert "Renamed column" in today.main.get_text()
        assert soup_of(client.get(TIKTOK)).select_one("main h1").get_text() == "Renamed"
