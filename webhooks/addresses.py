"""Where a webhook may be sent: a public address, unless a site admin allows private ones.

Checked when an endpoint is saved and again at every delivery (a name may resolve elsewhere
by then); the delivery then connects to the very address that was checked.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.conf import settings

from cards.errors import InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata services: never reached, whatever is allowed (they hand out credentials).
ALWAYS_REFUSED = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254")
)


class AddressRefused(InvalidInput):
    """The URL's host is (or resolves to) an address webhooks may not reach."""


class HostNotFound(InvalidInput):
    """The URL's host name does not resolve (now)."""


@dataclass(frozen=True)
class Target:
    parts: SplitResult
    host: str
    port: int
    address: IPAddress  # the checked address the delivery connects to


def private_networks_allowed(endpoint_flag: bool) -> bool:
    return endpoint_flag or settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS


def url_check(url: str) -> SplitResult:
    """The URL's parts, or a refusal saying what is wrong with it (no network)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidInput("Enter an http:// or https:// address.", field="url")
    if parts.username or parts.password:
        raise InvalidInput(
            "Leave user names and passwords out of the address: receivers check the "
            "signature instead.",
            field="url",
        )
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise InvalidInput("The port must be a number from 1 to 65535.", field="url") from None
    return parts


def refusal(address: IPAddress) -> str:
    """Why ``address`` is not a public one ("" when it is)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    for test, what in (
        ("is_unspecified", "an unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_private", "a private network address"),
        ("is_multicast", "a multicast address"),
        ("is_reserved", "a reserved address"),
    ):
        if getattr(address, test):
            return what
    return "" if address.is_global else "not a public address"


def target_check(url: str, *, allow_private: bool) -> Target:
    """Resolve the URL's host and check every address it has; the first one is used."""
    parts = url_check(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise HostNotFound(f"The host name {host} could not be resolved.", field="url") from None
    addresses: list[IPAddress] = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    for address in addresses:
        if address in ALWAYS_REFUSED:
            raise AddressRefused(
                f"{host} is {address}, a cloud metadata address, which webhooks never reach.",
                field="url",
            )
        why = "" if allow_private else refusal(address)
        if why:
            shown = host if host == str(address) else f"{host} ({address})"
            raise AddressRefused(
                f"{shown} is {why}: webhooks only go to public addresses unless a site "
                "administrator allows private networks for this endpoint.",
                field="url",
            )
    return Target(parts=parts, host=host, port=port, address=addresses[0])
