"""Uploaded images are trusted only after Pillow has decoded them as JPEG or PNG."""

from io import BytesIO

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png"}


def detect_image_format(uploaded_file):
    """Return 'JPEG' or 'PNG' for a real image of that kind, else raise ValidationError."""
    uploaded_file.seek(0)
    try:
        with Image.open(uploaded_file) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError("This file is not a JPEG or PNG image.") from error
    finally:
        uploaded_file.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(f"Only JPEG and PNG images are accepted, not {image_format}.")
    return image_format


def validate_jpeg_or_png(field_file):
    detect_image_format(field_file)


def reencode(uploaded_file, image_format):
    """Decode and encode again, so that nothing but pixels (no trailing payload) is stored."""
    uploaded_file.seek(0)
    with Image.open(uploaded_file) as image:
        image.load()
        output = BytesIO()
        if image_format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(output, format=image_format)
    output.seek(0)
    return output
