"""``/draws/``: the public draws of devices and staff, open to everyone."""

from django.urls import path

from entekhab.hq.operations.views import public

app_name = "draws"

urlpatterns = [
    path("", public.draws_index, name="index"),
    path("<slug:code>/", public.election_draws, name="election"),
    path("<slug:code>/<int:pk>/", public.draw_detail, name="draw"),
    path("<slug:code>/<int:pk>.json", public.draw_document, name="document"),
]
