"""The Markdown editor's preview and image upload at markdownx's URLs, for staff only: markdownx's
own views serve anyone, store whatever the client calls an image and answer mistakes with a 500;
here the preview goes through the site's one sanitizer, an upload follows the one image policy
(images.py), and every mistake is a 4xx with a message."""

from functools import wraps

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from django.urls import path
from markdownx.settings import MARKDOWNX_MEDIA_PATH

from .admin_site import admin_policy
from .images import VerifiedImageFormField
from .markdown import render_markdown


def post_only(view):
    """Anything but POST is a 405 that says what the address is for."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return HttpResponseNotAllowed(
                ["POST"],
                "This address only takes POST requests from the Markdown editor.",
                content_type="text/plain; charset=utf-8",
            )
        return view(request, *args, **kwargs)

    return wrapper


@admin_policy
@staff_member_required
@permission_required("sitecontent.upload_image", raise_exception=True)  # Editors have it
@post_only
def upload_image(request):
    field = VerifiedImageFormField(error_messages={"required": "Choose an image to upload."})
    try:
        image = field.clean(request.FILES.get("image"))
    except ValidationError as error:
        return JsonResponse({"image": error.messages}, status=400)
    url = default_storage.url(default_storage.save(MARKDOWNX_MEDIA_PATH + image.name, image))
    return JsonResponse({"image_code": f"![]({url})"})


@admin_policy
@staff_member_required
@post_only
def preview(request):
    content = request.POST.get("content")
    if content is None:
        return HttpResponseBadRequest(
            "Send the Markdown to preview in the “content” field.", content_type="text/plain"
        )
    return HttpResponse(render_markdown(content))


urlpatterns = [
    path("upload/", upload_image, name="markdownx_upload"),
    path("markdownify/", preview, name="markdownx_markdownify"),
]
