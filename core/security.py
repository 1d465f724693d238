"""Defences against hostile clients: the login lockout's pieces (django-axes) and the client address.

The lockout state lives in the database (axes' AccessAttempt rows), so every gunicorn worker and
every web host sees the same failures; the API throttles count in the shared cache (CACHES).
"""

from __future__ import annotations

import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext


def client_ip(request) -> str | None:
    """The client's address, for the lockout (AXES_CLIENT_IP_CALLABLE).

    X-Forwarded-For is written by whoever sends the request, so it is read only when the deployment
    says how many reverse proxies it trusts (TRUSTED_PROXY_COUNT, 0 by default): then the address
    is the one that many hops from the right, the one the outermost trusted proxy saw. The same
    count is DRF's NUM_PROXIES, so the throttles and the lockout agree on who the client is.
    """
    meta = getattr(request, "META", {})
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return meta.get("REMOTE_ADDR")


class LoginLockoutBackend(AxesStandaloneBackend):
    """Axes' lockout check, first in AUTHENTICATION_BACKENDS.

    Every login over HTTP passes a request (LoginView, the admin, DRF's token view) and is checked
    and counted. A call to authenticate() without one is code, not a client guessing passwords
    (the test client's login(), management commands): axes would refuse it outright, so it is let
    through to the next backend unchecked instead.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed, dispatch_uid="core.security.carry_lockout_to_django_request")
def carry_lockout_to_django_request(sender, credentials=None, request=None, **kwargs):
    """Let axes' middleware see a lockout decided inside a DRF view (the API's token endpoint).

    axes flags the request it was given, and DRF authenticates with its own Request wrapper, whose
    attributes the Django request underneath (the one middleware sees) does not get. This receiver
    runs after axes' own (the axes app comes first in INSTALLED_APPS, and core.apps imports this
    module in ready()) and copies the flags down.
    """
    inner = getattr(request, "_request", None)
    if inner is None:
        return
    for attr in ("axes_locked_out", "axes_credentials"):
        if attr in vars(request):
            setattr(inner, attr, vars(request)[attr])


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out client gets (AXES_LOCKOUT_CALLABLE): 429 with Retry-After, JSON on the API."""
    cool_off = get_cool_off(request)
    retry_after = max(1, math.ceil(cool_off.total_seconds())) if cool_off else None
    minutes = max(1, math.ceil((retry_after or 60) / 60))
    message = ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    if request.path.startswith("/api/") or request.headers.get("x-requested-with") == "XMLHttpRequest":
        response: HttpResponse = JsonResponse({"detail": message}, status=settings.AXES_HTTP_RESPONSE_CODE)
    else:
        response = render(request, "core/locked_out.html", {"message": message}, status=settings.AXES_HTTP_RESPONSE_CODE)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
