"""Which URLs a webhook may be sent to: http(s) only, and not the instance's own network.

Without a check, an organiser could make the server POST to its loopback services, the cloud
metadata address or the office LAN (server-side request forgery). Refused: other schemes,
credentials in the URL, and hosts that are or resolve to loopback, private, link-local,
multicast, reserved or unspecified addresses, unless the instance allows private destinations
(`WEBHOOKS_ALLOW_PRIVATE_URLS`, which the tests turn on for their local receiver). Checked when
an endpoint is saved and again before every attempt (DNS may have changed since)."""
from __future__ import annotations

import ipaddress
import socket
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


def check_destination(url: str, *, resolve: bool = True) -> None:
    """Raises UnsafeDestination unless `url` may receive webhooks from this instance."""
    _, host, port = check_shape(url)
    if private_allowed():
        return
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        raise UnsafeDestination(gettext("Webhooks cannot be sent to this server's own network."))
    try:
        addresses = [host] if _is_ip(host) else (
            [info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)] if resolve else [])
    except socket.gaierror:
        raise UnsafeDestination(gettext("That host name cannot be found.")) from None
    if any(not _is_public(address.split("%")[0]) for address in addresses):
        raise UnsafeDestination(gettext("Webhooks cannot be sent to this server's own network."))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False
