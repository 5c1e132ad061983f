from django.urls import path

from xinfang.petitions import views

app_name = "petitions"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("petitions/", views.petition_list, name="list"),
    path("petitions/new/", views.new, name="new"),
    path("petitions/new/<str:channel>/", views.register, name="register"),
    path("petitions/<int:petition_id>/", views.detail, name="detail"),
    path(
        "petitions/<int:petition_id>/attachments/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
]
