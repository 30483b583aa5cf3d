from django.urls import path

from entekhab.hq.operations.views import committees, dashboard, devices, inspections, network, staff

app_name = "operations"

urlpatterns = [
    path("", dashboard.index, name="index"),
    path("<slug:code>/", dashboard.dashboard, name="dashboard"),
    path("<slug:code>/readiness/", inspections.readiness_page, name="readiness"),
    path("<slug:code>/deficiencies/<slug:body>/", inspections.deficiencies_page, name="deficiencies"),
    path("<slug:code>/branches/<str:branch_code>/", inspections.branch_page, name="branch"),
    path("<slug:code>/branches/<str:branch_code>/inspect/", inspections.inspect_page, name="inspect"),
    path("<slug:code>/branches/<str:branch_code>/roster.pdf", staff.roster_pdf, name="roster"),
    path("<slug:code>/committees/", committees.committees_page, name="committees"),
    path("<slug:code>/decrees/<int:pk>.pdf", committees.decree_pdf, name="decree_pdf"),
    path("<slug:code>/actions/", committees.actions_page, name="actions"),
    path("<slug:code>/actions/<int:pk>/status/", committees.action_status, name="action_status"),
    path("<slug:code>/network/", network.network_page, name="network"),
    path("<slug:code>/devices/", devices.devices_page, name="devices"),
    path("<slug:code>/devices/<str:serial>/", devices.device_page, name="device"),
    path("<slug:code>/devices/<str:serial>/event/", devices.device_event, name="device_event"),
    path("<slug:code>/draws/<int:pk>/", devices.draw_page, name="draw"),
    path("<slug:code>/staff/", staff.staff_page, name="staff"),
]
