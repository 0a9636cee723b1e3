"""The address a request came from, for everything that counts requests per client: the
sign-in lockout (django-axes, AXES_CLIENT_IP_CALLABLE), the API throttles
(softbridge.api_errors) and the security log (softbridge.security_log).

X-Forwarded-For is written by whoever sends the request: a client behind no proxy can put
any address in it, and a new one in each request. So it is believed only when
settings.TRUSTED_PROXIES says how many proxies stand in front of the app, and then only
the entry the outermost of them appended (the N-th from the right): everything further left
came from the client.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """The socket's address, or the one the outermost trusted proxy saw."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if not proxies:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        # Fewer entries than proxies: the request did not pass through all of them.
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        # Not an address (a misconfigured proxy): the lockout stores addresses in an inet
        # column on PostgreSQL, and the throttle must not key on arbitrary text.
        return remote
