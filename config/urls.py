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
    path("i18n/setlang/", tenancy_views.set_language, name="set_language"),
    path("healthz", tenancy_views.healthz, name="healthz"),
    path("favicon.ico", tenancy_views.favicon, name="favicon"),
    path("manage/", include("tenancy.urls")),
    path("clients/", include("clients.urls")),
    path("", include("communications.urls")),
    path("risk/", include("risk.urls")),
    path("loyalty/", include("loyalty.urls")),
    path("", include("loyalty.public_urls")),  # /s/<token>/: the public survey page
    path("performance/", include("performance.urls")),
    path("api/v1/", include("config.api_urls")),
    path(
        "api/schema/",
        tenancy_views.browser_login_first(SpectacularAPIView.as_view()),
        name="api-schema",
    ),
    path(
        "api/docs/",
        tenancy_views.browser_login_first(SpectacularSwaggerView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("platform-admin/", admin.site.urls),
]

handler403 = "tenancy.views.error_403"
handler404 = "tenancy.views.error_404"
handler500 = "tenancy.views.error_500"
