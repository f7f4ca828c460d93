"""Secrets the server must read back, sealed at rest (issue 14): a webhook endpoint's signing
secret has to be known to sign each delivery, so it cannot be hashed like API tokens or
volunteer links. It is stored as "sealed:<Fernet token>" (AES-128-CBC with HMAC-SHA256, from the
well-kept `cryptography` package), under a key derived from SECRET_KEY (HKDF-SHA256, its own
purpose label), so a copy of the database alone does not give the secrets away.

Rotating SECRET_KEY: put the old one in SECRET_KEY_FALLBACKS (Flask's own setting, also used for
sessions); values sealed under it still open, and new ones are sealed under the new key.
`flask seal-secrets` re-seals every stored secret under the current key, and seals any left in
plain text by code older than this module (which wrote them so): unseal reads those as they are,
so hosts running the old and the new code side by side during a deploy both keep signing.
"""
from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

PREFIX = "sealed:"
PURPOSE = b"confapp sealed secrets v1"


class UnsealError(ValueError):
    """A sealed value that no configured key opens (SECRET_KEY changed without a fallback)."""


def _derived(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


@functools.lru_cache(maxsize=8)
def _keys(secret_key: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_derived(secret_key)] + [_derived(old) for old in fallbacks])


def _current() -> MultiFernet:
    config = current_app.config
    return _keys(str(config["SECRET_KEY"]), tuple(str(k) for k in config.get("SECRET_KEY_FALLBACKS") or ()))


def is_sealed(value: str | None) -> bool:
    return bool(value) and value.startswith(PREFIX)


def seal(plain: str) -> str:
    return PREFIX + _current().encrypt(plain.encode()).decode()


def unseal(value: str) -> str:
    """The plain secret; a value stored before sealing existed is returned as it is."""
    if not is_sealed(value):
        return value
    try:
        return _current().decrypt(value[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise UnsealError("a sealed secret no configured key opens: is SECRET_KEY_FALLBACKS missing the old key?") from None


def reseal(value: str) -> str:
    """`value` sealed under the current key (plain ones sealed, old keys' ones rotated)."""
    return seal(unseal(value))
