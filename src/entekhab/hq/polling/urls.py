from django.urls import path

from entekhab.hq.polling import control_views, incident_views, views

app_name = "polling"
urlpatterns = [
    path("reports/<str:election>/<str:branch>.pdf", views.report_pdf, name="report-pdf"),
    path("<str:code>/control/", control_views.control_room_page, name="control_room"),
    path("<str:code>/incidents/", incident_views.incidents_page, name="incidents"),
    path("<str:code>/incidents/<int:pk>/", incident_views.incident_page, name="incident"),
    path("<str:code>/incidents/<int:pk>/<str:step>", incident_views.incident_step, name="incident_step"),
]
