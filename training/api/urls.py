from . import uploads, views

urlpatterns = []
for module in (views, uploads):
    urlpatterns += module.router.urls + module.urlpatterns
