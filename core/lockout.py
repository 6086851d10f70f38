"""Login throttling with django-axes (config/settings.py): the page a refused login gets
(``AXES_LOCKOUT_CALLABLE``), on the site's and the admin's login alike, and the address a login
comes from (``AXES_CLIENT_IP_CALLABLE``)."""

import ipaddress

from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    """The lockout page, in the site's style and the user's language (HTTP 429): too many failed
    logins for this username from this address."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    return render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def client_address(request) -> str | None:
    """The address a login comes from. Behind ``PROXY_COUNT`` reverse proxies, each appending the
    address it saw to X-Forwarded-For, it is the entry the outermost of them added (what a client
    writes into the header itself comes before it and is not read); without a proxy, or when the
    header does not hold that entry as an IP address, the connection's address."""
    count = settings.PROXY_COUNT
    if count:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(hops) >= count:
            try:
                return str(ipaddress.ip_address(hops[-count]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")
