"""POST /api/register must never make Ulak call into private networks (SSRF): a Saleor URL
that points at loopback, private, link-local or metadata addresses is refused before any
request leaves, unless the operator names that host in ALLOWED_SALEOR_URLS."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from plugin.errors import ConfigurationError
from plugin.saleor.urls import is_allowed, parse_api_url
from tests.hostile.support import production_settings, row_counts

pytestmark = pytest.mark.sqlite

PRIVATE_URLS = [
    "http://127.0.0.1/graphql/",
    "http://127.1/graphql/",
    "http://localhost:8000/graphql/",
    "http://10.0.0.5/graphql/",
    "http://172.16.3.4/graphql/",
    "http://192.168.1.10/graphql/",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://100.100.100.200/graphql/",  # shared address space (a cloud's metadata)
    "http://0.0.0.0/graphql/",
    "http://[::1]/graphql/",
    "http://[fd00::1]/graphql/",  # IPv6 unique local
    "http://[fe80::1]/graphql/",  # IPv6 link-local
    "http://[::ffff:127.0.0.1]/graphql/",  # IPv4-mapped
    "http://[64:ff9b::7f00:1]/graphql/",  # NAT64 of 127.0.0.1
    "http://[2002:7f00:1::]/graphql/",  # 6to4 of 127.0.0.1
    "http://2130706433/graphql/",  # 127.0.0.1 as a decimal number
    "http://0177.0.0.1/graphql/",  # octal
    "http://0x7f000001/graphql/",  # hex
    "http://0x7f.1/graphql/",
    "http://unresolvable.invalid/graphql/",  # resolves to nothing: refused too
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_a_wildcard_never_admits_a_non_public_address_in_production(url):
    assert is_allowed(parse_api_url(url), ["*"], dev=False) is False
    assert is_allowed(parse_api_url(url), ["http://*"], dev=False) is False


def test_a_public_address_passes_a_matching_wildcard():
    # the positive control: a public IP literal (no DNS needed) under a wildcard
    assert is_allowed(parse_api_url("https://93.184.215.14/graphql/"), ["*"], dev=False)
    assert is_allowed(parse_api_url("https://93.184.215.14/graphql/"), ["https://*"], dev=False)


def test_dev_mode_admits_anything_its_wildcard_matches():
    assert is_allowed(parse_api_url("http://127.0.0.1:8000/graphql/"), ["*"], dev=True)


def test_naming_a_private_host_explicitly_admits_it():
    url = parse_api_url("http://10.0.0.5:8000/graphql/")
    assert is_allowed(url, ["http://10.0.0.5:8000/graphql/"], dev=False)
    assert not is_allowed(url, ["http://10.0.0.*:8000/graphql/"], dev=False)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/x.saleor.cloud/graphql/",  # '*' must not swallow the path
        "https://evil.example/.saleor.cloud/graphql/",
        "https://saleor.cloud.evil.example/graphql/",
        "http://shop.saleor.cloud/graphql/",  # wrong scheme
        "https://shop.saleor.cloud/other/",  # wrong path
        "https://shop.saleor.cloud:8443/graphql/",  # another port
    ],
)
def test_a_host_pattern_admits_only_that_host(url):
    assert is_allowed(parse_api_url(url), ["https://*.saleor.cloud/graphql/"], dev=True) is False


@pytest.mark.parametrize(
    "raw",
    [
        "http://good.example@127.0.0.1/graphql/",  # userinfo: the real host is 127.0.0.1
        "http://good.example:pw@127.0.0.1/graphql/",
        "http://127.0.0.1/graphql/?x=.saleor.cloud",
        "http://127.0.0.1/graphql/#.saleor.cloud",
        "http://evil.example:1.saleor.cloud/graphql/",  # a "port" that is a host
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
        "http:///graphql/",
        "",
    ],
)
def test_url_tricks_are_not_valid_saleor_urls(raw):
    with pytest.raises(ConfigurationError) as error:
        parse_api_url(raw)
    assert error.value.code in ("INVALID_SALEOR_API_URL", "MISSING_SALEOR_API_URL")


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://2130706433/graphql/",
        "http://[::1]/graphql/",
        "http://localhost/graphql/",
        "http://good.example@127.0.0.1/graphql/",
    ],
)
def test_register_refuses_private_saleors_before_calling_them(db_url, fake_saleor, url):
    # given production settings that admit any public Saleor
    from plugin.app import create_app

    settings = production_settings(db_url, allowed="*")
    with TestClient(create_app(settings, embedded_worker=False)) as client:
        before = row_counts()
        # when a Saleor URL pointing inside the network asks to install
        response = client.post(
            "/api/register",
            headers={"saleor-api-url": url},
            json={"auth_token": "good-app-token"},
        )
    # then it is refused with a clear 4xx, nothing is stored and nothing was called
    assert response.status_code in (400, 403)
    assert response.json()["error"]["code"] in ("SALEOR_URL_NOT_ALLOWED", "INVALID_SALEOR_API_URL")
    assert row_counts() == before
    assert fake_saleor.graphql_calls == []
    assert fake_saleor.jwks_requests == 0


def test_register_refuses_the_loopback_fake_saleor_under_a_wildcard(db_url, fake_saleor):
    # the fake Saleor is real and listening on loopback: only naming it would admit it
    from plugin.app import create_app

    settings = production_settings(db_url, allowed="http://*")
    with TestClient(create_app(settings, embedded_worker=False)) as client:
        response = client.post(
            "/api/register",
            headers={"saleor-api-url": fake_saleor.api_url},
            json={"auth_token": "good-app-token"},
        )
    assert response.status_code == 403
    assert fake_saleor.graphql_calls == []
