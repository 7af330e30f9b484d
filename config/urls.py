from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tenancy import views as tenancy_views
from tenancy import views_security

urlpatterns = [
    path("", tenancy_views.home, name="home"),
    path("accounts/login/", views_security.TwoStepLoginView.as_view(), name="login"),
    path("accounts/login/code/", views_security.login_code, name="login_code"),
    path("account/security/", views_security.security, name="security"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", tenancy_views.healthz, name="healthz"),
    path("manage/", include("tenancy.urls")),
    path("clients/", include("clients.urls")),
    path("", include("communications.urls")),
    path("risk/", include("risk.urls")),
    path("loyalty/", include("loyalty.urls")),
    path("performance/", include("performance.urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("platform-admin/", admin.site.urls),
]
