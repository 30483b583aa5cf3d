from django.contrib import admin
from django.urls import include, path

from entekhab.hq.api.api import api
from entekhab.hq.web import views

admin.site.site_header = admin.site.site_title = "Entekhab"

# Under /api/ these answer JSON (code, message, message_fa); elsewhere a Persian page.
handler400 = "entekhab.hq.web.errors.bad_request"
handler403 = "entekhab.hq.web.errors.permission_denied"
handler404 = "entekhab.hq.web.errors.page_not_found"
handler500 = "entekhab.hq.web.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("operations/", include("entekhab.hq.operations.urls")),
    path("draws/", include("entekhab.hq.operations.public_urls")),
    path("candidates/", include("entekhab.hq.candidates.urls")),
    path("results/", include("entekhab.hq.results.urls")),
    path("capacity/", include("entekhab.hq.capacity.urls")),
    path("polling/", include("entekhab.hq.polling.urls")),
]
