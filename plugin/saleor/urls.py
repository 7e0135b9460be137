"""Saleor API URLs: one parser, and the ALLOWED_SALEOR_URLS rule (no SSRF into private nets)."""

from __future__ import annotations

import ipaddress
import socket
from fnmatch import fnmatchcase
from typing import NewType
from urllib.parse import urlsplit, urlunsplit

from plugin.errors import ConfigurationError

SaleorApiUrl = NewType("SaleorApiUrl", str)


def parse_api_url(raw: str | None) -> SaleorApiUrl:
    """Normalise a `Saleor-Api-Url` header: http(s), a host, no credentials, ends with '/'."""
    if not raw:
        raise ConfigurationError("missing Saleor-Api-Url header", code="MISSING_SALEOR_API_URL")
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            "Saleor-Api-Url is not an http(s) URL", code="INVALID_SALEOR_API_URL"
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ConfigurationError(
            "Saleor-Api-Url must not carry credentials, a query or a fragment",
            code="INVALID_SALEOR_API_URL",
        )
    try:
        parts.port  # noqa: B018 - raises on a netloc like "evil.com:1.saleor.cloud"
    except ValueError as exc:
        raise ConfigurationError(
            "Saleor-Api-Url has an invalid port", code="INVALID_SALEOR_API_URL"
        ) from exc
    path = parts.path or "/"
    if not path.endswith("/"):
        path += "/"
    netloc = parts.netloc.lower()
    return SaleorApiUrl(urlunsplit((parts.scheme, netloc, path, "", "")))


def origin_of(url: SaleorApiUrl) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def jwks_url(url: SaleorApiUrl) -> str:
    return f"{origin_of(url)}/.well-known/jwks.json"


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64, Teredo), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def is_public_address(address: str) -> bool:
    """Only globally routable addresses: not private, loopback, link-local (169.254.169.254),
    shared (100.64/10, some clouds' metadata), reserved, multicast or unspecified — also when
    wrapped in an IPv6 address."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None and not inner.is_global:
            return False
    return ip.is_global and not ip.is_multicast


def _is_private_host(host: str) -> bool:
    """True unless every address the name resolves to is public (getaddrinfo also reads the
    decimal, octal and hex spellings of IPv4 addresses, as the HTTP client would)."""
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return True  # unresolvable: treat as not allowed unless named explicitly
    return not addresses or not all(is_public_address(a) for a in addresses)


def _split_pattern(pattern: str) -> tuple[str, str, str]:
    """(scheme, netloc, path) of an ALLOWED_SALEOR_URLS pattern; '*' alone matches anything."""
    if pattern == "*":
        return "*", "*", "*"
    scheme, sep, rest = pattern.partition("://")
    if not sep:
        return "", pattern, "/"  # not a URL pattern: matches nothing that parse_api_url made
    netloc, slash, path = rest.partition("/")
    return scheme, netloc.lower(), slash + path if slash else "*"


def _matches(url: SaleorApiUrl, pattern: str) -> bool:
    """Scheme, host[:port] and path are matched each on its own, so a '*' in the host can
    never swallow a '/' (`https://evil.com/x.saleor.cloud/graphql/` is not `*.saleor.cloud`)."""
    parts = urlsplit(url)
    scheme, netloc, path = _split_pattern(pattern)
    return (
        fnmatchcase(parts.scheme, scheme)
        and fnmatchcase(parts.netloc, netloc)
        and (fnmatchcase(parts.path, path) or fnmatchcase(parts.path.rstrip("/"), path))
    )


def is_allowed(url: SaleorApiUrl, patterns: list[str], *, dev: bool) -> bool:
    """True when a pattern admits the URL; private addresses need a pattern naming their host.

    Patterns are shell-style (`https://*.saleor.cloud/graphql/`, `*`). A wildcard never admits
    a loopback, private, link-local or otherwise non-public address in production: the
    operator must name that host in a pattern without wildcards.
    """
    matching = [p for p in patterns if _matches(url, p)]
    if not matching:
        return False
    if dev:
        return True
    host = urlsplit(url).hostname or ""
    if not _is_private_host(host):
        return True
    return any(
        "*" not in (urlsplit(p).hostname or "*") and urlsplit(p).hostname == host for p in matching
    )
