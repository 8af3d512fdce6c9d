"""markdownx's preview and upload endpoints, closed to anyone but staff.

By default markdownx serves both to anonymous users and stores whatever the client calls an
image. Here the preview goes through the site's one sanitizer (MARKDOWNX_MARKDOWNIFY_FUNCTION),
and an upload is kept only if Pillow decodes it as JPEG or PNG; it is re-encoded and saved
under the extension of the format Pillow found, never the one the client claimed.
"""

from uuid import uuid4

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import path
from markdownx.forms import ImageForm
from markdownx.settings import MARKDOWNX_MEDIA_PATH
from markdownx.views import ImageUploadView, MarkdownifyView

from .images import ALLOWED_FORMATS, detect_image_format, reencode


class VerifiedImageForm(ImageForm):
    def clean(self):
        upload = super().clean()
        try:
            self.image_format = detect_image_format(upload)
        except ValidationError as error:
            raise ValidationError({"image": error.messages}) from error
        return self.cleaned_data

    def save(self, commit=True):
        upload = self.cleaned_data["image"]
        name = f"{MARKDOWNX_MEDIA_PATH}{uuid4()}.{ALLOWED_FORMATS[self.image_format]}"
        content = ContentFile(reencode(upload, self.image_format).read())
        return default_storage.url(default_storage.save(name, content))


class VerifiedImageUploadView(ImageUploadView):
    form_class = VerifiedImageForm


def may_upload(view):
    """Staff with the upload permission (the Editors group has it); others get 403."""
    return staff_member_required(
        permission_required("sitecontent.upload_image", raise_exception=True)(view)
    )


urlpatterns = [
    path(
        "upload/",
        may_upload(VerifiedImageUploadView.as_view()),
        name="markdownx_upload",
    ),
    path(
        "markdownify/",
        staff_member_required(MarkdownifyView.as_view()),
        name="markdownx_markdownify",
    ),
]
