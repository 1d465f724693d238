"""Routes of the gaps app; each module owns its own router (taxonomy, reports, uploads, matching)."""

from . import matching, reports, taxonomy, uploads

urlpatterns = []
for module in (taxonomy, reports, uploads, matching):
    urlpatterns += module.router.urls + module.urlpatterns
