from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

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
    # Exempt from CSRF: public pages are served from a shared cache, so the form token in their
    # language switch is another visitor's; the worst a forged request can do is change a language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("operations/", include("entekhab.hq.operations.urls")),
    path("draws/", include("entekhab.hq.operations.public_urls")),
    path("candidates/", include("entekhab.hq.candidates.urls")),
    path("results/", include("entekhab.hq.results.urls")),
    path("capacity/", include("entekhab.hq.capacity.urls")),
    path("polling/", include("entekhab.hq.polling.urls")),
]
