from django.urls import path

from xinfang.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.cases, name="cases"),
    path("paragraph/", views.paragraph, name="paragraph"),
    path("reports/", views.reports_page, name="reports"),
    path("reports/ledgers/<str:key>/", views.ledger, name="ledger"),
    path("reports/annual/", views.annual_report, name="annual"),
    path("ranking/", views.ranking, name="ranking"),
    path("ranking/<int:publication_id>/", views.ranking_detail, name="ranking_detail"),
]
