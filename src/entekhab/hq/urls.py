from django.contrib import admin
from django.urls import include, path

from entekhab.hq.api.api import api
from entekhab.hq.web import views

admin.site.site_header = admin.site.site_title = "Entekhab"

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("operations/", include("entekhab.hq.operations.urls")),
    path("candidates/", include("entekhab.hq.candidates.urls")),
    path("results/", include("entekhab.hq.results.urls")),
    path("capacity/", include("entekhab.hq.capacity.urls")),
    path("polling/", include("entekhab.hq.polling.urls")),
]
