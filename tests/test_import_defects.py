"""One test per defect the importer had (issue 7), grouped by topic. Each failed before the
rewrite; documents are written here as a user would write them."""

import os
import time

import pytest
from bs4 import BeautifulSoup

from platforms.markdown_io import DocumentError, export_documents, import_documents, read_paths
from platforms.models import Capability, Cell, ComparisonPage, ComparisonTable, Platform, TableRow
from sitecontent.markdown import render_inline, render_markdown
from sitecontent.models import Article

FRONT = "---\ntitle: Test page\npermalink: /Test/\npublish_date: 2020-01-01\n---\n"


def document(body, front=FRONT, name="test.md"):
    return (name, (front + body).encode("utf-8"))


def run(*documents, **options):
    return import_documents(list(documents), **options)


def page_soup(client, url="/Test/"):
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "lxml").main


def notes():
    return {(c.row.label or c.row.platform.name, c.capability.name): c for c in Cell.objects.all()}


def round_trip():
    documents = [(name, text.encode()) for name, text in export_documents()]
    ComparisonPage.objects.all().delete()
    run(*documents)


TABLE = "| Platform | Bots |\n|---|---|\n| Telegram | {} |\n"


# --- Notes and marks --------------------------------------------------------------------------


def test_a_free_text_note_starting_with_a_mark_survives_export_and_import(db):
    run(document(TABLE.format("Plenty of text") + "| Viber | ✅ Yes, via the Bot API |\n"))
    round_trip()
    assert notes()[("Viber", "Bots")].note == "✅ Yes, via the Bot API"
    assert notes()[("Viber", "Bots")].level == ""


@pytest.mark.parametrize("note", ["#1 in ad revenue", "2004. Gmail launched", "+ 2 more", "> 5 GB"])
def test_a_note_that_looks_like_block_markdown_is_shown_as_written(db, client, note):
    run(document(TABLE.format(note)))
    cell = page_soup(client).select_one("tbody td")
    assert note in cell.get_text()


@pytest.mark.parametrize(
    "mark, level",
    [("⚠️", "partial"), ("🔶", "partial"), ("✔️", "full"), ("✓", "full"), ("✗", "none"),
     ("✘", "none"), (":white_check_mark:", "full"), (":x:", "none"), ("Yes", "full"),
     ("No", "none"), ("Partial", "partial"), ("Yes (plugin)", "full")],
)  # fmt: skip
def test_real_world_marks_are_levels(db, mark, level):
    run(document(TABLE.format(mark) + "| Viber | ✅ |\n"))
    assert notes()[("Telegram", "Bots")].level == level


def test_a_levelled_cell_without_a_mark_keeps_its_text_and_has_no_level(db):
    run(document(TABLE.format("✅ fine") + "| Viber | only in beta |\n| Slack | ❌ |\n"))
    cell = notes()[("Viber", "Bots")]
    assert (cell.level, cell.note) == ("", "only in beta")


def test_a_per_document_levels_mapping_adds_marks(db):
    front = FRONT.replace("---\n", "---\nlevels:\n  '🟢': full\n  '🟥': none\n", 1)
    run(document(TABLE.format("🟢 yes") + "| Viber | 🟥 |\n", front=front))
    assert [notes()[(p, "Bots")].level for p in ("Telegram", "Viber")] == ["full", "none"]


def test_an_empty_cell_stays_empty_through_a_round_trip(db, client):
    run(document(TABLE.format("✅ yes") + "| Viber |  |\n"))
    round_trip()
    assert notes()[("Viber", "Bots")].is_empty
    assert "❔" not in page_soup(client).select("tbody tr")[1].get_text()


def test_a_short_row_is_padded_and_a_long_row_is_an_error_with_its_line(db):
    run(document("| Platform | A | B |\n|---|---|---|\n| Telegram | ✅ |\n"))
    assert notes()[("Telegram", "B")].is_empty
    with pytest.raises(DocumentError, match=r"^long\.md:8: "):
        run(document("| Platform | A |\n|---|---|\n| Telegram | ✅ | extra |\n", name="long.md"))


def test_a_legend_table_stays_prose(db, client):
    body = "| ✓ = supported | ✗ = not supported |\n|---|---|\n\n" + TABLE.format("✓")
    run(document(body))
    assert ComparisonTable.objects.count() == 1
    assert "✓ = supported" in page_soup(client).get_text()


def test_features_as_rows_make_capabilities_not_platforms(db):
    before = Platform.objects.count()
    body = "| Feature | Gitea | Gogs |\n|---|---|---|\n| Issue tracker | ✓ | ✓ |\n| CI | ✘ | ✘ |\n"
    run(document(body))
    assert Platform.objects.count() == before + 2
    assert set(Capability.objects.values_list("name", flat=True)) == {"Issue tracker", "CI"}
    assert ComparisonTable.objects.get().orientation == "columns"


def test_images_and_links_in_cells_are_kept(db, client):
    run(document(TABLE.format("![logo](https://example.org/l.png) [docs](https://example.org)")))
    cell = page_soup(client).select_one("tbody td")
    assert cell.img["src"] == "https://example.org/l.png"
    assert cell.a["href"] == "https://example.org"


# --- Where text goes ------------------------------------------------------------------------


def test_takeaways_with_a_sub_heading_stay_takeaways_through_a_round_trip(db):
    body = (
        "## Section\n\n### First\n\n" + TABLE.format("x") + "\n### Takeaways\n\nOne.\n\n"
        "#### A detail\n\nTwo.\n\n## Next section\n\n### Second\n\n" + TABLE.format("y")
    )
    run(document(body))
    first, second = ComparisonTable.objects.order_by("order")
    assert "#### A detail" in first.takeaways and second.section_heading == "Next section"
    round_trip()
    first, second = ComparisonTable.objects.order_by("order")
    assert "#### A detail" in first.takeaways and second.section_heading == "Next section"


def test_removing_a_section_heading_from_an_export_keeps_the_intro_with_its_table(db):
    body = "### First\n\n" + TABLE.format("x") + "\n## Second section\n\nIts intro.\n\n"
    run(document(body + "### Second\n\n" + TABLE.format("y")))
    (_name, text), *_ = [d for d in export_documents() if d[0].startswith("page-")]
    edited = text.replace("## Second section\n\n", "")
    run(("page-test.md", edited.encode()))
    first, second = ComparisonTable.objects.order_by("order")
    assert second.intro == "Its intro." and "Its intro" not in first.takeaways


def test_a_table_takes_the_heading_right_above_it_or_none(db):
    body = "## Codecs\n\nSome prose.\n\n" + TABLE.format("x") + "\nProse between.\n\n"
    run(document(body + TABLE.format("y")))
    titles = list(ComparisonTable.objects.order_by("order").values_list("title", flat=True))
    assert titles == ["", ""]  # never a heading from sections before, never "Table 2"
    assert ComparisonTable.objects.order_by("order")[0].section_heading == "Codecs"


def test_markdown_in_headings_labels_headers_and_captions_is_rendered(db, client):
    body = "### *Telegram* vs [Codec Tables](https://example.org)\n\n"
    body += "| Platform | `code` header |\n|---|---|\n| **_Telegram_** | x |\n"
    run(document(body))
    main = page_soup(client)
    assert main.select_one("caption a")["href"] == "https://example.org"
    assert main.select_one("thead code").get_text() == "code"
    assert "`" not in main.get_text() and "*" not in main.get_text()


def test_ordinary_footnotes_render_as_footnotes_on_pages_and_articles(db, client):
    run(document("Intro with a claim.[^a]\n\n[^a]: An explanation.\n\n" + TABLE.format("x")))
    main = page_soup(client)
    assert main.select_one("sup.footnote-ref a")["href"].startswith("#fn")
    assert "An explanation." in main.select_one("section.footnotes").get_text()
    assert "footnotes" in render_markdown("Text[^1]\n\n[^1]: Why.")


def test_horizontal_rules_are_kept_in_prose(db, client):
    run(document("Intro.\n\n---\n\nMore intro.\n\n" + TABLE.format("x")))
    assert page_soup(client).select_one(".lead hr") is not None


# --- Platform identity --------------------------------------------------------------------------


def test_names_that_differ_only_in_symbols_are_different_platforms(db):
    """C, C++ and C# slugify alike ("c"): each is still its own platform, in any order."""
    body = "| Feature | C++ | C# | C |\n|---|---|---|---|\n| Reflection | Yes | No | Basic |\n"
    run(document(body))
    names = set(TableRow.objects.values_list("platform__name", flat=True))
    assert {"C++", "C#", "C"} <= names
    assert TableRow.objects.values("platform").distinct().count() == 3


def test_a_notes_column_beside_products_describes_the_features(db, client):
    body = (
        "| Feature | Telegram | Signal | Notes |\n|---|---|---|---|\n"
        "| Bots | ✅ | ❌ | Automated accounts that answer messages |\n"
    )
    run(document(body))
    assert not Platform.objects.filter(name="Notes").exists()
    assert Capability.objects.get(name="Bots").description == (
        "Automated accounts that answer messages"
    )
    assert "Automated accounts that answer messages" in page_soup(client).get_text()


def test_a_shared_parent_in_parentheses_does_not_merge_two_new_platforms(db):
    """On a site that knows no platform yet, "Facebook (Meta)" and "WhatsApp (Meta)" are two."""
    Platform.objects.all().delete()
    body = TABLE.format("a") + "| Facebook (Meta) | b |\n| WhatsApp (Meta) | c |\n"
    run(document(body))
    assert set(Platform.objects.values_list("name", flat=True)) == {
        "Telegram",
        "Facebook",
        "WhatsApp",
    }


def test_twitter_x_and_x_twitter_are_one_platform(db):
    body = (
        TABLE.format("a") + "| Twitter (X) | b |\n\n" + TABLE.format("c") + "| X (Twitter) | d |\n"
    )
    run(document(body))
    rows = TableRow.objects.filter(label__in=["Twitter (X)", "X (Twitter)"])
    assert len({row.platform_id for row in rows}) == 1 and rows.count() == 2


def test_a_label_with_a_slash_creates_a_platform_and_says_so(db):
    report = run(document(TABLE.format("a") + "| Mastodon/Fediverse | b |\n"))
    assert Platform.objects.filter(name="Mastodon/Fediverse").exists()
    assert any("new platform “Mastodon/Fediverse”" in line for line in report.lines())


def test_an_over_long_label_is_an_error_with_its_line(db):
    with pytest.raises(DocumentError, match=r"^long\.md:9: row label: .*at most 200 characters"):
        run(document(TABLE.format("a") + f"| {'L' * 250} | b |\n", name="long.md"))
    assert not ComparisonPage.objects.exists()


# --- Front matter, text, files --------------------------------------------------------------------


def test_an_impossible_date_is_an_error_with_its_line(db):
    with pytest.raises(DocumentError, match=r"^d\.md:3: "):
        run(
            document(TABLE.format("a"), front="---\ntitle: T\ndate: 2025-02-30\n---\n", name="d.md")
        )


def test_a_rule_inside_a_yaml_block_scalar_does_not_end_the_front_matter(db):
    front = "---\ntitle: T\npermalink: /T/\ndescription: |\n  One.\n  ---\n  Two.\n---\n"
    run(document(TABLE.format("a"), front=front))
    assert ComparisonPage.objects.get().description == "One.\n---\nTwo."


def test_toml_front_matter_and_hugo_draft(db):
    front = '+++\ntitle = "Toml page"\npermalink = "/Toml/"\ndraft = true\n+++\n'
    run(document(TABLE.format("a"), front=front))
    page = ComparisonPage.objects.get()
    assert (page.title, page.permalink, page.status) == ("Toml page", "/Toml/", "draft")


def test_permalink_from_the_file_name_and_title_from_the_first_heading(db):
    run(("codec-support.md", ("# Codec support\n\n" + TABLE.format("a")).encode()))
    page = ComparisonPage.objects.get()
    assert (page.permalink, page.title) == ("/codec-support/", "Codec support")


def test_windows_1252_mojibake_is_repaired(db):
    run(document(TABLE.format("âœ… itâ€™s there")))
    cell = notes()[("Telegram", "Bots")]
    assert (cell.level, cell.note) == ("full", "it’s there")


def test_a_partly_garbled_mac_roman_file_is_repaired_line_by_line(db):
    body = TABLE.format("‚úÖ Musk‚Äôs bots") + "| Viber | ✅ correct already |\n"
    run(document(body))
    assert notes()[("Telegram", "Bots")].note == "Musk’s bots"
    assert notes()[("Viber", "Bots")].note == "correct already"


def test_cr_only_line_endings(db):
    name, data = document(TABLE.format("✅ fine"))
    run((name, data.replace(b"\n", b"\r")))
    assert notes()[("Telegram", "Bots")].note == "fine"


def test_two_documents_with_one_permalink_are_an_error_naming_both(db):
    with pytest.raises(DocumentError, match="also claimed by first.md"):
        run(document(TABLE.format("a"), name="first.md"), document(TABLE.format("b"), name="2.md"))
    assert not ComparisonPage.objects.exists()


def test_a_symlink_leaving_the_folder_is_refused(tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("secret")
    folder = tmp_path / "import"
    folder.mkdir()
    os.symlink(outside, folder / "link.md")
    with pytest.raises(DocumentError, match="outside the folder"):
        read_paths([folder])


def test_pathological_markdown_renders_fast_and_never_raises():
    nested = "".join("  " * depth + "- x\n" for depth in range(1000))
    for text in ("[" * 50_000, nested, ">" * 5000 + " deep"):
        for render in (render_markdown, render_inline):
            started = time.perf_counter()
            render(text)
            assert time.perf_counter() - started < 1


def test_an_article_document_still_imports(db):
    front = "---\ntitle: An article\nauthor: A. Writer\npublish_date: 2025-03-01\n---\n"
    run(document("Body with a note.[^1]\n\n[^1]: The note.\n", front=front, name="a.md"))
    assert "footnotes" in Article.objects.get().body_html


def test_a_prose_table_above_an_exported_table_stays_prose_when_its_names_are_the_tables(db):
    # Found by the round-trip property test: the intro's table has the comparison's header,
    # and "Video" became a platform's name since, so it looked like a comparison on re-import.
    intro = "| Tool | Video |\n|---|---|\n| Same | a |\n| Same | b |"
    run(document(f"## Apps\n\n{intro}\n\n| Platform | Video |\n|---|---|\n| TikTok | Clips |\n"))
    table = ComparisonTable.objects.get()
    assert table.intro == intro  # repeated labels: prose, not a comparison
    Platform.objects.create(name="Video", slug="video")
    documents = [(name, text.encode()) for name, text in export_documents()]
    assert not run(*documents).changed
    ComparisonPage.objects.all().delete()
    run(*documents)
    table = ComparisonTable.objects.get()
    assert (table.intro, table.orientation) == (intro, "rows")
    assert [c.name for c in table.capabilities.all()] == ["Video"]
    assert not run(*documents).changed
