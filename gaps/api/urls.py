"""Routes of the gaps app; each module owns its own router (taxonomy, reports, uploads, matching)."""

from . import matching, reports, taxonomy, uploads, warnings

urlpatterns = []
for module in (taxonomy, reports, uploads, matching, warnings):
    urlpatterns += module.router.urls + module.urlpatterns
