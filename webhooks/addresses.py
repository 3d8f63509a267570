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


_V4 = 0xFFFFFFFF
# IPv6 forms that carry an IPv4 address in their last 32 bits and reach (or stand for) it:
# IPv4-mapped, IPv4-translated (SIIT), NAT64's well-known prefix, IPv4-compatible (::/96,
# deprecated but still routed to IPv4 by some stacks).
_LAST_32_BITS = tuple(
    ipaddress.ip_network(network)
    for network in ("::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96", "::/96")
)
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215, the RFC 6052 /48 layout


def canonical(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries and stands for, else the address itself.

    Every rule below is decided on this form, so ``[::ffff:169.254.169.254]``,
    ``[64:ff9b::a9fe:a9fe]``, 6to4 and Teredo forms are judged as the IPv4 address they are.
    """
    if isinstance(address, ipaddress.IPv4Address):
        return address
    value = int(address)
    if address in _NAT64_LOCAL:
        return ipaddress.IPv4Address(((value >> 64) & 0xFFFF) << 16 | ((value >> 40) & 0xFFFF))
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if value > 1 and any(address in network for network in _LAST_32_BITS):
        return ipaddress.IPv4Address(value & _V4)
    return address


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
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:  # urlsplit takes :0, and the delivery would then go to port 80
        raise InvalidInput("The port must be a number from 1 to 65535.", field="url")
    return parts


def refusal(address: IPAddress) -> str:
    """Why ``address`` (canonical) is not a public one ("" when it is)."""
    for test, what in (
        ("is_unspecified", "an unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_private", "a private network address"),
        ("is_multicast", "a multicast address"),
        ("is_reserved", "a reserved address"),
        ("is_site_local", "a site-local address"),  # fec0::/10, deprecated, not public
    ):
        if getattr(address, test, False):
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
        if canonical(address) in ALWAYS_REFUSED:
            raise AddressRefused(
                f"{host} is {canonical(address)}, a cloud metadata address, which webhooks "
                "never reach.",
                field="url",
            )
        why = "" if allow_private else refusal(canonical(address))
        if why:
            shown = host if host == str(address) else f"{host} ({address})"
            raise AddressRefused(
                f"{shown} is {why}: webhooks only go to public addresses unless a site "
                "administrator allows private networks for this endpoint.",
                field="url",
            )
    return Target(parts=parts, host=host, port=port, address=addresses[0])
