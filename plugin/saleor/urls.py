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


def _is_private_host(host: str) -> bool:
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return True  # unresolvable: treat as not allowed unless named explicitly
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if (
            ip.is_private
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_reserved
            or ip.is_multicast
            or ip.is_unspecified
        ):
            return True
    return False


def is_allowed(url: SaleorApiUrl, patterns: list[str], *, dev: bool) -> bool:
    """True when a pattern admits the URL; private addresses need a pattern naming their host.

    Patterns are shell-style (`https://*.saleor.cloud/graphql/`, `*`). A wildcard never admits
    a loopback, private or link-local address in production: the operator must name it.
    """
    matching = [p for p in patterns if fnmatchcase(url, p) or fnmatchcase(url.rstrip("/"), p)]
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
