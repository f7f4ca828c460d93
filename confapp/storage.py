"""Stored files: bytes put, read and deleted by key, so that nothing a request needs lives on one
host's disk (a photo uploaded through one web host is served by every other).

The database backend is the default and, for now, the only one: the bytes sit in the
`stored_files` table and are written in the same transaction as the row that names them, so a
rolled-back change never leaves a row pointing at missing bytes, nor bytes that nothing names.
An S3-compatible backend would be one more class with the same three methods, chosen in
`storage()`; callers only ever use `storage().put/get/delete`.

Keys are written once: to replace a file, put it under a new (random) key and delete the old
one. That is what lets a key's URL be cached for a long time.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Integer, LargeBinary, String, delete
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .types import UTCDateTime, utcnow


class StoredFile(db.Model):
    __tablename__ = "stored_files"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@dataclass(frozen=True)
class Blob:
    key: str
    content_type: str
    data: bytes
    size: int
    created_at: datetime

    @property
    def etag(self) -> str:
        return hashlib.sha256(self.data).hexdigest()[:32]


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> Blob | None: ...

    def delete(self, key: str) -> None: ...


class DatabaseStorage:
    """Files as rows of `stored_files`, in the caller's transaction (the boundary commits)."""

    def put(self, key: str, data: bytes, content_type: str) -> None:
        db.session.add(StoredFile(key=key, content_type=content_type, data=data, size=len(data), created_at=utcnow()))
        db.session.flush()

    def get(self, key: str) -> Blob | None:
        row = db.session.get(StoredFile, key)
        if row is None:
            return None
        return Blob(key=row.key, content_type=row.content_type, data=row.data, size=row.size, created_at=row.created_at)

    def delete(self, key: str) -> None:
        db.session.execute(delete(StoredFile).where(StoredFile.key == key))


_DATABASE = DatabaseStorage()


def storage() -> Storage:
    """The configured backend (the database; the seam for an S3-compatible one)."""
    return _DATABASE
