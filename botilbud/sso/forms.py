from django import forms
from django.conf import settings

from botilbud.forms import LoginForm
from botilbud.sso.backends import password_login_allowed

PASSWORD_OFF_MESSAGE = "Log ind med brugernavn og adgangskode er slået fra. Brug knappen “Log ind med kommunens konto”."


class PasswordLoginForm(LoginForm):
    """The password form; refuses everybody but the break-glass admin when
    password login is off (the backend refuses them too)."""

    def clean(self):
        if not password_login_allowed(self.cleaned_data.get("username")):
            raise forms.ValidationError(PASSWORD_OFF_MESSAGE, code="password_login_off")
        return super().clean()


def password_form_shown(request) -> bool:
    if settings.BOTILBUD_PASSWORD_LOGIN:
        return True
    return bool(settings.BOTILBUD_BREAK_GLASS_USER) and ("noedadgang" in request.GET or request.method == "POST")
