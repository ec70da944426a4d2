"""Who is really asking: headers a reverse proxy adds are believed only from a trusted proxy.

`TRUSTED_PROXIES` lists the proxies' addresses or networks. A request arriving from one of them
has its client address taken from `X-Forwarded-For` (the right-most address that is not itself a
trusted proxy) and its scheme from `X-Forwarded-Proto`; from anyone else those headers are dropped,
so a client talking to gunicorn directly can neither pose as HTTPS nor choose the address that the
login lockout counts and the audit records.
"""

from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

from django.conf import settings
from django.http import HttpRequest

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_FORWARDED")


def _address(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text.strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str) -> bool:
    parsed = _address(address)
    return parsed is not None and any(
        parsed in ip_network(network, strict=False) for network in settings.TRUSTED_PROXIES
    )


def client_ip(request: HttpRequest) -> str:
    """The client's address: the peer's, or the one a trusted proxy says it forwarded for."""
    peer = request.META.get("REMOTE_ADDR", "")
    if not is_trusted_proxy(peer):
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for candidate in reversed(forwarded):
        if _address(candidate) is None:
            break  # a malformed hop: nothing to its left can be believed
        if not is_trusted_proxy(candidate):
            return candidate
    return peer


class TrustedProxyMiddleware:
    """First in the chain: settles the client's address and drops forwarded headers nobody vouches for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        peer = request.META.get("REMOTE_ADDR", "")
        if is_trusted_proxy(peer):
            request.META["REMOTE_ADDR"] = client_ip(request)
            request.META["PROXY_ADDR"] = peer
        else:
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
