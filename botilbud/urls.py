from django.contrib import admin
from django.urls import include, path

from botilbud import views
from botilbud.sso import views as sso_views

admin.site.site_header = "Botilbud – administration"
admin.site.site_title = "Botilbud"
admin.site.index_title = "Opsætning: brugere, botilbud og referencedata"

urlpatterns = [
    path("", views.start, name="start"),
    path("log-ind/", sso_views.LoginView.as_view(), name="login"),
    path("log-ud/", sso_views.logout, name="logout"),
    path("sso/", include("botilbud.sso.urls")),
    path("sso/saml/", include("botilbud.sso.saml_urls")),
    path("botilbud/", views.home_list, name="home_list"),
    path("botilbud/<int:pk>/", views.home_detail, name="home_detail"),
    path("historik/<slug:kind>/<int:pk>/", views.history, name="history"),
    path("botilbud/<int:pk>/adgang/", views.home_access, name="home_access"),
    path("brugere/<int:pk>/adgang/", views.user_access, name="user_access"),
    path("databeskyttelse/", views.data_protection, name="data_protection"),
    path("job/<uuid:pk>/", views.job_detail, name="job_detail"),
    path("job/<uuid:pk>/fil/", views.job_download, name="job_download"),
    path("visitation/", include("visitation.urls")),
    path("disponering/", include("disponering.urls")),
    path("budget/naeste-aar/", include("budget.nextyear.urls")),
    path("budget/", include("budget.urls")),
    path("opfoelgning/", include("budget.followup.urls")),
    path("dashboard/", include("budget.dashboard.urls")),
    path("takster/", include("budget.rates.urls")),
    path("fravaer/", include("budget.absence.urls")),
    path("kom-i-gang/", include("onboarding.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "botilbud.views.error_400"
handler403 = "botilbud.views.error_403"
handler404 = "botilbud.views.error_404"
handler500 = "botilbud.views.error_500"
