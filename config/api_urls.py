"""/api/v1/: each app contributes its routes from <app>/api/urls.py."""

from django.conf import settings
from django.urls import include, path
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser

from core.parsers import DepthLimitedJSONParser

# DRF's token view names its own parsers; the API's JSON parser limits nesting (core.parsers).
obtain_auth_token = ObtainAuthToken.as_view(parser_classes=[FormParser, MultiPartParser, DepthLimitedJSONParser])

urlpatterns = [
    # POST username + password -> {"token": ...}; then send "Authorization: Token <token>".
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("", include("gaps.api.urls")),
    path("", include("training.api.urls")),
    path("", include("projects.api.urls")),
]

if settings.BENCH_ENDPOINTS:  # bench/load_test.py only (settings.BENCH_ENDPOINTS, off by default)
    from projects.api.views import BenchBareList

    urlpatterns.append(path("_bench/bare/", BenchBareList.as_view(), name="bench-bare"))
