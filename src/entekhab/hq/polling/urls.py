from django.urls import path

from entekhab.hq.polling import views

app_name = "polling"
urlpatterns = [
    path("reports/<str:election>/<str:branch>.pdf", views.report_pdf, name="report-pdf"),
]
