from django.urls import path

from entekhab.hq.results import views

app_name = "results"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:election>/", views.election_page, name="election"),
    path("<slug:election>/turnout/", views.turnout_page, name="turnout"),
    path("<slug:election>/turnout/announce/", views.announce, name="announce"),
    path("<slug:election>/check/", views.check_page, name="check"),
    path("<slug:election>/open-data/", views.open_data_page, name="open_data"),
    path("<slug:election>/open-data/<path:name>", views.open_data_file, name="open_data_file"),
    path("<slug:election>/branches/", views.branches_page, name="branches"),
    path("<slug:election>/branch/<str:branch>/", views.branch_page, name="branch"),
    path("<slug:election>/branch/<str:branch>/report.json", views.branch_report_json, name="branch_report_json"),
    path("<slug:election>/branch/<str:branch>/qr/<int:n>.svg", views.branch_qr, name="branch_qr"),
    path("<slug:election>/contest/<slug:contest>/", views.contest_page, name="contest"),
    path("<slug:election>/contest/<slug:contest>/area/<str:area>/", views.area_page, name="area"),
    path("<slug:election>/contest/<slug:contest>/compute/", views.compute, name="compute"),
    path("<slug:election>/contest/<slug:contest>/certify/<int:version>/", views.certify, name="certify"),
]
