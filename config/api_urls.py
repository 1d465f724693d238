"""/api/v1/: each app contributes its routes from <app>/api/urls.py."""

from django.urls import include, path

urlpatterns = [
    path("", include("gaps.api.urls")),
    path("", include("training.api.urls")),
    path("", include("projects.api.urls")),
]
