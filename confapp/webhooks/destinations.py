"""Which URLs a webhook may be sent to: http(s) only, and not the instance's own network.

Without a check, an organiser could make the server POST to its loopback services, the cloud
metadata address or the office LAN (server-side request forgery). Refused: other schemes,
credentials in the URL, and hosts that are or resolve to loopback, private, link-local,
multicast, reserved or unspecified addresses, unless the instance allows private destinations
(`WEBHOOKS_ALLOW_PRIVATE_URLS`, which the tests turn on for their local receiver). Checked when
an endpoint is saved and again before every attempt (DNS may have changed since).

Each attempt connects to the very address it checked (`connection_for`): the host name is looked
up once, and the connection is opened to that address with the name kept for the Host header and
for TLS (SNI and certificate check). Without the pin, a second lookup by the HTTP client could
answer differently (DNS rebinding: public when checked, 127.0.0.1 when connected)."""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from flask_babel import gettext

from ..config import setting


class UnsafeDestination(ValueError):
    pass


def private_allowed() -> bool:
    value = setting("WEBHOOKS_ALLOW_PRIVATE_URLS", "")
    return value is True or str(value).lower() in {"1", "true", "yes"}


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_shape(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an acceptable URL; raises UnsafeDestination with the reason."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        raise UnsafeDestination(gettext("Enter a valid URL.")) from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeDestination(gettext("Only http:// and https:// addresses can receive webhooks."))
    if not parts.hostname:
        raise UnsafeDestination(gettext("Enter a valid URL."))
    if parts.username or parts.password:
        raise UnsafeDestination(gettext("Leave user names and passwords out of the address."))
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check_destination(url: str, *, resolve: bool = True) -> list[str]:
    """Raises UnsafeDestination unless `url` may receive webhooks from this instance; returns the
    addresses it checked (the host's, looked up once; none when `resolve` is off)."""
    _, host, port = check_shape(url)
    if private_allowed():
        return []  # any address will do: nothing to check, nothing to pin
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        raise UnsafeDestination(gettext("Webhooks cannot be sent to this server's own network."))
    try:
        addresses = [host] if _is_ip(host) else (
            [info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)] if resolve else [])
    except socket.gaierror:
        raise UnsafeDestination(gettext("That host name cannot be found.")) from None
    if any(not _is_public(address.split("%")[0]) for address in addresses):
        raise UnsafeDestination(gettext("Webhooks cannot be sent to this server's own network."))
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str | None, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address or host

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str | None, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address or host

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate must be the host name's, as if we had connected by name.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def connection_for(url: str, *, timeout: float) -> http.client.HTTPConnection:
    """A connection to `url`'s host through the address just checked (see the module's docstring).
    Raises UnsafeDestination."""
    scheme, host, port = check_shape(url)
    addresses = check_destination(url)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    return connection_class(host, port, address=addresses[0] if addresses else None, timeout=timeout)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False
