from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET

from xinfang.api.urls import api
from xinfang.orgs.views import LoginView


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("xinfang.orgs.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("cases/", include("xinfang.cases.urls")),
    path("detection/", include("xinfang.detection.urls")),
    path("stats/", include("xinfang.stats.urls")),
    path("", include("xinfang.petitions.urls")),
]
