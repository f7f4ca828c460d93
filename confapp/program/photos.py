"""Speaker photos: checked by what the bytes are (not the file name or the browser's claim),
size-limited, re-encoded by Pillow (which drops metadata such as GPS tags), resized, and
stored under the instance folder with a random name. Served only through a route."""
from __future__ import annotations

import io
import secrets
from pathlib import Path

from flask import current_app
from PIL import Image, UnidentifiedImageError

from ..errors import ValidationFailed

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
PHOTO_SIZE = (600, 600)
ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
ACCEPTED_CONTENT_TYPES = set(ACCEPTED_FORMATS.values())


def photo_folder() -> Path:
    folder = Path(current_app.instance_path) / "speaker_photos"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_photo(data: bytes, content_type: str | None) -> str:
    """Validate and store an uploaded photo; returns the stored file name.
    Raises ValidationFailed({"photo": ...}) for anything but a JPEG, PNG or WebP under 5 MB."""
    if content_type and content_type.split(";")[0].strip().lower() not in ACCEPTED_CONTENT_TYPES:
        raise ValidationFailed({"photo": "Upload a JPEG, PNG or WebP image."})
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationFailed({"photo": "The photo is larger than 5 MB. Please upload a smaller image."})
    if not data:
        raise ValidationFailed({"photo": "The file is empty."})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if fmt not in ACCEPTED_FORMATS:
                raise ValidationFailed({"photo": "Upload a JPEG, PNG or WebP image."})
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationFailed({"photo": "The photo has too many pixels. Please upload a smaller image."})
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = image.convert("RGB")
            image.thumbnail(PHOTO_SIZE)
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed({"photo": "That file is not an image we can read. Upload a JPEG, PNG or WebP image."})
    name = f"{secrets.token_hex(16)}.jpg"
    (photo_folder() / name).write_bytes(out.getvalue())
    return name


def delete_photo(name: str | None) -> None:
    if name and _safe_name(name):
        (photo_folder() / name).unlink(missing_ok=True)


def _safe_name(name: str) -> bool:
    stem, _, ext = name.partition(".")
    return ext == "jpg" and len(stem) == 32 and all(c in "0123456789abcdef" for c in stem)


def photo_path(name: str | None) -> Path | None:
    if not name or not _safe_name(name):
        return None
    path = photo_folder() / name
    return path if path.is_file() else None
