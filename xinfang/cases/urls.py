from django.urls import path

from xinfang.cases import views

app_name = "cases"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("overdue/", views.overdue, name="overdue"),
    path("approvals/", views.approvals, name="approvals"),
    path("<int:case_id>/", views.handle, name="handle"),
    path("<int:case_id>/notices/<int:notice_id>/<str:fmt>", views.notice_download, name="notice"),
    path("<int:case_id>/<str:action>/", views.act, name="act"),
    path("<int:case_id>/<str:kind>/<int:object_id>/<str:action>/", views.act_on, name="act_on"),
]
