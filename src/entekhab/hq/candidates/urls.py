from django.urls import path

from entekhab.hq.candidates import views

app_name = "candidates"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("how-proportional-voting-works/", views.how_pr_works, name="how_pr"),
    path("register/", views.register_choose, name="register_choose"),
    path("register/<slug:election>/<slug:contest>/", views.register, name="register"),
    path("my-registration/", views.self_service, name="self_service"),
    path("party-lists/", views.party_lists, name="party_lists"),
    path("vetting/", views.vetting_desk, name="vetting_desk"),
    path("vetting/<str:tracking>/", views.vetting_detail, name="vetting_detail"),
    path("photo/<str:tracking>/", views.photo, name="photo"),
    path("photos/<str:name>", views.photo_by_digest, name="photo_by_digest"),
    path("<slug:election>/lists/<str:ref>/", views.list_page, name="list"),
    path("<slug:election>/c/<str:tracking>/", views.candidate_page, name="candidate"),
    path("<slug:election>/<slug:contest>/booklet.pdf", views.booklet, name="booklet"),
    path("<slug:election>/<slug:contest>/", views.contest_page, name="contest"),
]
