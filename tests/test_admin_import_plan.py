"""An admin import applies only the plan it previewed (issue 15): when the site changed between
the preview and "Apply", nothing is written and the editor is shown what the import would do
now, to apply that instead."""

from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from platforms.models import ComparisonPage

IMPORT = reverse("admin:platforms_comparisonpage_import")
DOCUMENT = (
    b"---\ntitle: Mine\npermalink: /Fresh/\npublish_date: 2020-01-01\n---\n\n### T\n\n"
    b"| Platform | Bots |\n|---|---|\n| Telegram | Yes |\n"
)


def preview(client):
    """The preview page of DOCUMENT's import: (its text, the token that applies it)."""
    response = client.post(IMPORT, {"files": [SimpleUploadedFile("fresh.md", DOCUMENT)]})
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "lxml")
    return soup.select_one(".import-diff").get_text(), soup.select_one("input[name=token]")["value"]


def apply(client, token):
    return client.post(IMPORT, {"apply": "1", "token": token})


def test_a_page_created_after_the_preview_is_not_overwritten_without_a_new_preview(
    db, staff_client
):
    plan, token = preview(staff_client)
    assert "created 1 page" in plan
    # Meanwhile another editor creates the page the preview said the import would create.
    ComparisonPage.objects.create(title="Theirs", permalink="/Fresh/")

    refused = apply(staff_client, token)
    assert refused.status_code == 200
    assert ComparisonPage.objects.get(permalink="/Fresh/").title == "Theirs"
    soup = BeautifulSoup(refused.content, "lxml")
    assert "changed since your preview" in soup.select_one(".messagelist").get_text()
    new_plan = soup.select_one(".import-diff").get_text()
    assert "created 1 page" not in new_plan and "'Theirs' → 'Mine'" in new_plan

    # The plan shown now is the one applied.
    new_token = soup.select_one("input[name=token]")["value"]
    assert apply(staff_client, new_token).status_code == 302
    assert ComparisonPage.objects.get(permalink="/Fresh/").title == "Mine"


def test_an_unchanged_site_applies_the_previewed_plan_at_once(db, staff_client):
    _plan, token = preview(staff_client)
    assert apply(staff_client, token).status_code == 302
    assert ComparisonPage.objects.get(permalink="/Fresh/").title == "Mine"
