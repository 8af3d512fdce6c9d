"""Open data: each table's CSV equals its seed table, the Data Package validates with
`frictionless`, and every download may be fetched by other sites (CORS), drafts left out."""

import csv
import datetime
import io
import json

import pytest
from bs4 import BeautifulSoup
from frictionless import Package

from platforms.models import Cell, CellSource, ComparisonPage
from tests.seed_documents import MARKS, SEED_PAGE_IDS, SEED_PAGES, clean

pytestmark = pytest.mark.django_db

LEVEL_OF_MARK = dict(zip(MARKS, ["full", "partial", "none", "unknown"], strict=True))


def get_json(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.content)


def get_csv(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def expected_csv(seed_table):
    """The seed table as the CSV should have it: levels as codes beside their notes."""
    header, rows = [seed_table.header[0]], []
    for name in seed_table.header[1:]:
        header += [f"{name} (level)", name] if seed_table.levelled else [name]
    for label, cells in seed_table.rows:
        values = [label]
        for cell in cells:
            if seed_table.levelled:
                mark, _space, note = cell.partition(" ")
                values += [LEVEL_OF_MARK[mark], clean(note)]
            else:
                values.append(clean(cell))
        rows.append(values)
    return [header, *rows]


@pytest.mark.parametrize("seed", SEED_PAGES, ids=SEED_PAGE_IDS)
def test_the_csv_of_each_seed_table_equals_the_seed_table(client, seeded, seed):
    page = get_json(client, f"/data/pages/{seed.meta['permalink'].strip('/')}.json")
    assert len(page["tables"]) == len(seed.tables)
    for seed_table, table in zip(seed.tables, page["tables"], strict=True):
        assert clean(table["title"]) == seed_table.caption
        found = get_csv(client, table["csv"])
        # Notes are Markdown as written; bold markers and spacing compare like the seed's.
        found = [found[0]] + [[clean(value) for value in row] for row in found[1:]]
        assert found == expected_csv(seed_table), seed_table.caption


def test_levels_use_their_stable_codes_in_json(client, seeded):
    data = get_json(client, "/data/all.json")
    levels = {
        cell["level"]
        for page in data["pages"]
        for table in page["tables"]
        for row in table["rows"]
        for cell in row["cells"].values()
        if cell and cell["level"]
    }
    assert levels and levels <= {"full", "partial", "none", "unknown"}
    assert data["licence"]["name"] == "CC-BY-4.0"
    assert data["as_of"]


def test_the_data_package_validates_with_frictionless(client, seeded, tmp_path):
    descriptor = get_json(client, "/data/datapackage.json")
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert descriptor["created"]
    # The folder as a visitor would mirror it: the descriptor and every CSV beside it.
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    for resource in descriptor["resources"]:
        target = tmp_path / resource["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(client.get(f"/data/{resource['path']}").content)
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    tables = sum(len(seed.tables) for seed in SEED_PAGES)
    assert len(descriptor["resources"]) == tables


def test_drafts_are_left_out_of_every_download(client, seeded):
    ComparisonPage.objects.filter(permalink="/Partnerships/").update(status="draft")
    data = get_json(client, "/data/all.json")
    assert "/Partnerships/" not in [page["url"] for page in data["pages"]]
    package = get_json(client, "/data/datapackage.json")
    assert not [r for r in package["resources"] if r["path"].startswith("tables/Partnerships/")]
    assert client.get("/data/pages/Partnerships.json").status_code == 404
    url = "/data/tables/Partnerships/partnership-comparison-table.csv"
    assert client.get(url).status_code == 404


def test_cached_downloads_keep_the_cors_header(client, seeded):
    first = client.get("/data/all.json")
    second = client.get("/data/all.json")
    assert first.content == second.content
    assert second["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get("/Partnerships/")


def test_each_table_links_its_download_and_the_data_page_documents_fields(client, seeded):
    soup = BeautifulSoup(client.get("/Partnerships/").content, "lxml")
    downloads = [a["href"] for a in soup.find_all("a", string="Download this table (CSV)")]
    assert len(downloads) == len(soup.select("main table"))
    assert all(client.get(href).status_code == 200 for href in downloads)
    data_page = BeautifulSoup(client.get("/data/").content, "lxml")
    text = data_page.get_text(" ")
    assert "Creative Commons Attribution 4.0" in text
    for code in ("full", "partial", "none", "unknown"):
        assert data_page.find("code", string=code)
    assert data_page.find("a", href="/data/datapackage.json")


def test_sources_and_review_dates_are_in_the_json(client, seeded):
    cell = Cell.objects.filter(capability__table__page__permalink="/Partnerships/").first()
    cell.last_reviewed = datetime.date(2026, 5, 4)
    cell.save()
    CellSource.objects.create(
        cell=cell,
        url="https://example.org/src",
        title="A source",
        accessed=datetime.date(2026, 5, 1),
    )
    data = get_json(client, "/data/pages/Partnerships.json")
    table = next(t for t in data["tables"] if t["slug"] == cell.capability.table.slug)
    row = next(r for r in table["rows"] if r["platform"] == cell.row.platform.slug)
    found = row["cells"][cell.capability.slug]
    assert found["last_reviewed"] == "2026-05-04"
    assert found["sources"] == [
        {"url": "https://example.org/src", "title": "A source", "accessed": "2026-05-01"}
    ]
    assert found["note"] == cell.note
    anchor = table["cell_anchor"].format(platform=row["platform"], column=cell.capability.slug)
    page = BeautifulSoup(client.get(data["url"]).content, "lxml")
    assert page.find(id=anchor) is not None
