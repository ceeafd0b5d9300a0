from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Brugernavn", widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    password = forms.CharField(
        label="Adgangskode", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": "Forkert brugernavn eller adgangskode. Bemærk store og små bogstaver.",
        "inactive": "Din bruger er deaktiveret. Kontakt administratoren.",
    }
