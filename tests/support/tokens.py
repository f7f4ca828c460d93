"""Forging signed links in tests."""


def forge(token: str) -> str:
    """The token with its signature's first character changed.

    itsdangerous signatures are base64 without padding, so the last character carries unused
    bits: changing it can leave the signature valid. Every bit of the first character counts.
    """
    payload, signature = token.rsplit(".", 1)
    return f"{payload}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"
