"""Markdown editing in the admin: a labelled preview beside the text, help texts as written."""

from bs4 import BeautifulSoup
from django.urls import reverse

from platforms.models import ComparisonPage
from sitecontent.models import Article


def test_help_texts_show_their_placeholders(seeded, staff_client):
    article = Article.objects.get()
    html = staff_client.get(reverse("admin:sitecontent_article_change", args=[article.pk]))
    soup = BeautifulSoup(html.content, "lxml")
    help_text = soup.select_one("#id_slug_helptext").get_text()
    assert "/blog/<slug>/" in help_text


def test_markdown_fields_have_a_labelled_preview_beside_the_text(seeded, staff_client):
    page = ComparisonPage.objects.first()
    for url, name in [
        (reverse("admin:sitecontent_article_change", args=[Article.objects.get().pk]), "body"),
        (reverse("admin:platforms_comparisonpage_change", args=[page.pk]), "intro"),
    ]:
        soup = BeautifulSoup(staff_client.get(url).content, "lxml")
        editor = soup.select_one(f"textarea[name={name}]").find_parent(class_="markdown-editor")
        assert "markdownx-editor" in editor.select_one("textarea")["class"]
        region = editor.select_one("section.markdown-editor-preview")
        label = soup.find(id=region["aria-labelledby"])
        assert label.get_text(strip=True) == f"Preview of {name.capitalize()}, as the site shows it"
        assert region.select_one(".markdownx-preview")["data-site-css"].endswith(".css")


def test_the_markdown_editor_saves_like_a_plain_text_box(seeded, staff_client):
    from .conftest import form_fields

    page = ComparisonPage.objects.get(permalink="/Partnerships/")
    url = reverse("admin:platforms_comparisonpage_change", args=[page.pk])
    data = form_fields(staff_client.get(url).content, "#content-main form")
    assert data["intro"] == page.intro
    data["intro"] = "An **edited** intro."
    assert staff_client.post(url, data).status_code == 302
    assert "An <strong>edited</strong> intro." in staff_client.get(page.permalink).text
