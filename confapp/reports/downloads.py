"""A file answered as a download (or inline), for the report, certificate and my-data views."""
from __future__ import annotations

from flask import Response


def download(body, mimetype: str, filename: str, inline: bool = False) -> Response:
    response = Response(body, mimetype=mimetype)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
