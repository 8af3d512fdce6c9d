"""The admin's Markdown preview in real Chromium: links in the site's colours in light and dark,
and a preview that scrolls with the text (issue 17, part 4)."""

import pytest

from tests.browser.conftest import make_editor, new_page, seed, sign_in

# The site's link colour on the site's background in each scheme (static/css/site.css).
SITE_LINKS = {"light": "rgb(26, 91, 176)", "dark": "rgb(138, 184, 255)"}
LONG_TEXT = "\n\n".join(
    f"Paragraph {n}: a [link {n}](https://example.org/{n}) in it." for n in range(80)
)


@pytest.fixture
def article_form(browser, transactional_db, live_server, django_user_model):
    """A function opening an article's change form on a page, signed in: returns the page."""
    from sitecontent.models import Article

    seed("author:")
    editor = make_editor(django_user_model)
    article = Article.objects.get()
    article.body = LONG_TEXT
    article.save()
    url = f"{live_server.url}/admin/sitecontent/article/{article.pk}/change/"

    def open_form(page):
        sign_in(page, live_server.url, editor)
        page.goto(url)
        page.locator(".field-body .site-preview").get_by_text("Paragraph 0").wait_for()
        return page

    return open_form


def test_preview_links_have_the_sites_colours_in_light_and_dark(browser, article_form):
    # One load for both schemes: the stylesheets follow prefers-color-scheme as it changes.
    with new_page(browser, viewport={"width": 1280, "height": 800}) as page:
        article_form(page)
        for scheme, background in [("light", "rgb(255, 255, 255)"), ("dark", "rgb(20, 22, 25)")]:
            page.emulate_media(color_scheme=scheme)
            colours = page.locator(".field-body .site-preview a").first.evaluate(
                "a => [getComputedStyle(a).color,"
                " getComputedStyle(a.getRootNode().host).backgroundColor]"
            )
            assert colours == [SITE_LINKS[scheme], background], scheme


def test_the_preview_scrolls_with_the_text_and_follows_the_cursor(browser, article_form):
    with new_page(browser, viewport={"width": 1280, "height": 800}) as page:
        article_form(page)
        text = page.locator("textarea[name=body]")
        box = page.locator(".field-body .markdown-editor-preview")
        assert box.evaluate("b => b.scrollTop") == 0

        text.evaluate("t => { t.scrollTop = (t.scrollHeight - t.clientHeight) / 2; }")
        page.wait_for_function(
            "b => b.scrollTop / (b.scrollHeight - b.clientHeight) > 0.4", arg=box.element_handle()
        )
        assert box.evaluate("b => b.scrollTop / (b.scrollHeight - b.clientHeight)") < 0.6

        text.click()
        page.keyboard.press("Control+End")
        page.wait_for_function(
            "b => b.scrollTop + b.clientHeight >= b.scrollHeight - 2", arg=box.element_handle()
        )
        last = box.locator(".site-preview").get_by_text("Paragraph 79").bounding_box()
        shown = box.bounding_box()
        assert shown["y"] <= last["y"] <= shown["y"] + shown["height"]
