"""Paths and files: permalinks that could shadow the site, headers on static files and uploads,
and the editor requests that used to end in a 500."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from platforms.validators import validate_permalink

# --- Permalinks ---------------------------------------------------------------------------------

REFUSED_PERMALINKS = [
    "/../",
    "/./",
    "/a/../b/",
    "/a/./b/",
    "/.well-known/",
    "/.hidden/",
    "/sitemap.xml/",
    "/robots.txt/",
    "/Sitemap.XML/",
    "/feed/",
    "/Feed/",
    "/feed/extra/",
    "/blog/",
    "/blog/some-article/",
    "/blog/a/b/",
    "/admin/x/",
    "/static/css/",
    "/media/x/",
    "/markdownx/upload/",
    "/embed/x/",
    "/Data/x/",
    "/search/",
    "/changes/",
    "/sitemap/",
]


@pytest.mark.parametrize("permalink", REFUSED_PERMALINKS)
def test_permalinks_may_not_use_dot_segments_or_the_sites_own_paths(db, permalink):
    with pytest.raises(ValidationError):
        validate_permalink(permalink)


@pytest.mark.parametrize(
    "permalink", ["/Partnerships/", "/AI-and-Ethics/", "/v1.2/", "/guides/feeds/", "/a~b/"]
)
def test_ordinary_permalinks_are_accepted(db, permalink):
    validate_permalink(permalink)


# --- Static files and uploads -------------------------------------------------------------------


def assert_file_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy
    assert "script-src" not in policy


def test_static_files_carry_nosniff_and_a_restrictive_policy(client):
    for path in ["/static/css/site.css", "/static/favicon.svg"]:
        response = client.get(path)
        assert response.status_code == 200
        assert_file_headers(response)


def test_uploaded_images_carry_nosniff_and_a_restrictive_policy(staff_client, settings):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    upload = staff_client.post(
        "/markdownx/upload/",
        {"image": SimpleUploadedFile("a.png", buffer.getvalue(), content_type="image/png")},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    url = upload.json()["image_code"].removeprefix("![](").removesuffix(")")
    try:
        response = staff_client.get(url)
    finally:
        default_storage.delete(url.removeprefix(settings.MEDIA_URL))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert_file_headers(response)
    assert_file_headers(staff_client.get("/media/no-such-file.png"))


def test_pages_keep_their_own_policy(seeded, client):
    policy = client.get("/").get("Content-Security-Policy")
    assert "script-src 'self'" in policy and "sandbox" not in policy


# --- Editor requests that used to be 500s -------------------------------------------------------


def test_opening_the_upload_address_is_a_405(staff_client):
    for url in ["/markdownx/upload/", "/markdownx/markdownify/"]:
        response = staff_client.get(url)
        assert response.status_code == 405
        assert "only takes POST" in response.content.decode()


def test_a_non_ajax_upload_of_an_invalid_image_is_a_400_with_the_reason(
    staff_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = staff_client.post(
        "/markdownx/upload/",
        {"image": SimpleUploadedFile("x.png", b"not an image", content_type="image/png")},
    )
    assert response.status_code == 400
    assert "not a JPEG, PNG or WebP image" in response.json()["image"][0]


def test_an_upload_without_a_file_is_a_400(staff_client):
    response = staff_client.post("/markdownx/upload/", {})
    assert response.status_code == 400
    assert response.json()["image"] == ["Choose an image to upload."]


def test_a_preview_without_content_is_a_400_with_the_reason(staff_client):
    response = staff_client.post("/markdownx/markdownify/", {})
    assert response.status_code == 400
    assert "content" in response.content.decode()


def test_a_preview_still_renders_sanitized_markdown(staff_client):
    response = staff_client.post(
        "/markdownx/markdownify/", {"content": "**bold** <script>x()</script>"}
    )
    assert response.status_code == 200
    assert "<strong>bold</strong>" in response.content.decode()
    assert "<script" not in response.content.decode()
