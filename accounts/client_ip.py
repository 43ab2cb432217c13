"""The client's address as lockout sees it: only a reverse proxy we run may name it.

With no trusted proxy (the default) the address is the connection's, REMOTE_ADDR, and any
X-Forwarded-For header is ignored: anyone can send one, and believing it would let a guesser pose
as a new address on every attempt. With TRUSTED_PROXY_COUNT = N, the N proxies in front of the app
each append the address they saw, so the client is the Nth entry from the right; entries further
left were written by the client and are never read.
"""

from ipaddress import ip_address

from django.conf import settings


def client_ip(request) -> str | None:
    remote_addr = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        # The request did not come through every proxy (or one is misconfigured): trust only the socket.
        return remote_addr
    candidate = forwarded[-proxies]
    try:
        return str(ip_address(candidate))
    except ValueError:
        return remote_addr
