from django.urls import path

from entekhab.hq.capacity import views

app_name = "capacity"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:code>/", views.overview, name="overview"),
    path("<slug:code>/scenarios/new/", views.scenario_new, name="scenario_new"),
    path("<slug:code>/scenarios/seed/", views.seed, name="seed"),
    path("<slug:code>/scenarios/<int:pk>/", views.scenario_edit, name="scenario_edit"),
    path("<slug:code>/runs/", views.run_start, name="run_start"),
    path("<slug:code>/compare/", views.compare, name="compare"),
    path("<slug:code>/runs/<int:pk>/", views.run_page, name="run"),
    path("<slug:code>/runs/<int:pk>/plan.pdf", views.run_pdf, name="pdf"),
    path("<slug:code>/runs/<int:pk>/branches/<str:branch_code>/", views.branch_page, name="branch"),
]
