"""The one upload policy for every image field (README, "Uploaded images"): Pillow must decode
it whole as JPEG, PNG or WebP within the byte and pixel limits; only its pixels are stored,
re-encoded (a JPEG+HTML polyglot becomes a plain JPEG), under a random name."""

import warnings
from io import BytesIO
from uuid import uuid4

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Modes each format stores as they are; anything else is converted first.
KEPT_MODES = {
    "JPEG": {"RGB", "L"},
    "PNG": {"1", "L", "LA", "P", "RGB", "RGBA", "I;16"},
    "WEBP": {"RGB", "RGBA"},
}


def too_many_pixels(width=None, height=None):
    size = f"{width} × {height} pixels" if width else "too many pixels"
    return ValidationError(
        f"This image is {size}; images may have at most "
        f"{settings.IMAGE_UPLOAD_MAX_PIXELS / 1e6:.0f} megapixels."
    )


def clean_image(upload):
    """A new file with only the upload's pixels, or ValidationError saying why not."""
    size = getattr(upload, "size", None)
    if size is not None and size > settings.IMAGE_UPLOAD_MAX_BYTES:
        raise ValidationError(
            f"This file is {filesizeformat(size)}; images may be at most "
            f"{filesizeformat(settings.IMAGE_UPLOAD_MAX_BYTES)}."
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=list(FORMATS)) as image:
                # A camera's MPO is a JPEG followed by more images: its first one is kept.
                image_format = "JPEG" if image.format == "MPO" else image.format
                if image.width * image.height > settings.IMAGE_UPLOAD_MAX_PIXELS:
                    raise too_many_pixels(*image.size)
                image.load()
                # Photos stay upright once the orientation tag is gone.
                image = ImageOps.exif_transpose(image)
                if image.mode not in KEPT_MODES[image_format]:
                    alpha = "A" in image.getbands() and image_format != "JPEG"
                    image = image.convert("RGBA" if alpha else "RGB")
                image.info = {k: v for k, v in image.info.items() if k == "transparency"}
                output = BytesIO()
                options = {"optimize": True} if image_format == "PNG" else {"quality": 88}
                image.save(output, format=image_format, **options)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_many_pixels() from error
    except UnidentifiedImageError as error:
        raise ValidationError("This file is not a JPEG, PNG or WebP image.") from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ValidationError(
            "This image cannot be read whole: it is cut short or damaged. Export it again."
        ) from error
    finally:
        upload.seek(0)
    return ContentFile(output.getvalue(), name=f"{uuid4().hex}.{FORMATS[image_format]}")


class VerifiedImageFormField(forms.ImageField):
    """Returns the cleaned file (new pixels, random name) in place of the upload."""

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        return None if upload is None else clean_image(upload)


class VerifiedImageField(models.ImageField):
    """An ImageField whose uploads follow the policy above: checked, re-encoded, renamed."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": VerifiedImageFormField, **kwargs})
