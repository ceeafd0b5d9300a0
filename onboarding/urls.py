from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("", views.start, name="start"),
    path("indlaes/<slug:kind>/", views.upload, name="upload"),
    path("indlaes/<slug:kind>/eksempel/", views.sample, name="sample"),
    path("indlaesning/<int:pk>/", views.batch, name="batch"),
    path("indlaesning/<int:pk>/godkend/", views.batch_confirm, name="batch_confirm"),
    path("indlaesning/<int:pk>/annuller/", views.batch_discard, name="batch_discard"),
    path("adgangskoder/", views.passwords, name="passwords"),
    path("adgangskoder/<int:user_pk>/link/", views.password_link, name="password_link"),
    # The personal link a new user follows to choose a password (Django's
    # reset token: valid PASSWORD_RESET_TIMEOUT, void once a password is set).
    path(
        "vaelg-adgangskode/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="onboarding/password_set.html",
            success_url=reverse_lazy("onboarding:password_set_done"),
        ),
        name="password_set",
    ),
    path(
        "vaelg-adgangskode/faerdig/",
        auth_views.PasswordResetCompleteView.as_view(template_name="onboarding/password_set_done.html"),
        name="password_set_done",
    ),
]
