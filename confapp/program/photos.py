"""Speaker photos: checked by what the bytes are (not the file name or the browser's claim),
size-limited, re-encoded by Pillow (which drops metadata such as GPS tags), resized, and
stored (confapp.storage: in the database, so every web host serves it) under a random name.
Served only through a route. The speaker row keeps the name; the storage key is
`speaker_photos/<name>`, the folder the photos used to be written to."""
from __future__ import annotations

import io
import secrets
from pathlib import Path

from flask_babel import gettext
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from ..errors import ValidationFailed
from ..extensions import db
from ..storage import Blob, storage
from .models import Speaker

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
PHOTO_SIZE = (600, 600)
ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
ACCEPTED_CONTENT_TYPES = set(ACCEPTED_FORMATS.values())
KEY_PREFIX = "speaker_photos/"


def photo_key(name: str) -> str:
    return KEY_PREFIX + name


def store_photo(data: bytes, content_type: str | None) -> str:
    """Validate and store an uploaded photo; returns the stored file name.
    Raises ValidationFailed({"photo": ...}) for anything but a JPEG, PNG or WebP under 5 MB."""
    if content_type and content_type.split(";")[0].strip().lower() not in ACCEPTED_CONTENT_TYPES:
        raise ValidationFailed({"photo": gettext("Upload a JPEG, PNG or WebP image.")})
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationFailed({"photo": gettext("The photo is larger than 5 MB. Please upload a smaller image.")})
    if not data:
        raise ValidationFailed({"photo": gettext("The file is empty.")})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if fmt not in ACCEPTED_FORMATS:
                raise ValidationFailed({"photo": gettext("Upload a JPEG, PNG or WebP image.")})
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationFailed({"photo": gettext("The photo has too many pixels. Please upload a smaller image.")})
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
        raise ValidationFailed({"photo": gettext("That file is not an image we can read. Upload a JPEG, PNG or WebP image.")})
    name = f"{secrets.token_hex(16)}.jpg"
    storage().put(photo_key(name), out.getvalue(), "image/jpeg")
    return name


def delete_photo(name: str | None) -> None:
    if name and _safe_name(name):
        storage().delete(photo_key(name))


def _safe_name(name: str) -> bool:
    stem, _, ext = name.partition(".")
    return ext == "jpg" and len(stem) == 32 and all(c in "0123456789abcdef" for c in stem)


def load_photo(name: str | None) -> Blob | None:
    if not name or not _safe_name(name):
        return None
    return storage().get(photo_key(name))



def is_current_version(name: str | None, version: str | None) -> bool:
    """Whether a photo URL's `v=` (the first 16 characters of the random name, which every new
    photo changes) names the photo stored now: such a URL may be cached for long."""
    return bool(name and version and len(version) == 16 and name.startswith(version))


def import_photo_files(folder: Path) -> int:
    """Store the photos a host wrote to its own folder before photos moved into the database
    (the migration does this for the host that runs it): each file a speaker names and the
    storage lacks. Returns how many were stored; the files are left in place."""
    stored = 0
    for name in db.session.scalars(select(Speaker.photo_filename).where(Speaker.photo_filename.is_not(None)).distinct()):
        path = folder / name
        if _safe_name(name) and path.is_file() and storage().get(photo_key(name)) is None:
            storage().put(photo_key(name), path.read_bytes(), "image/jpeg")
            stored += 1
    return stored
