from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm


def model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's field ``name`` as the model choice field it is, to set its queryset
    for the request (``form.fields`` is typed as plain fields)."""
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Brugernavn",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Adgangskode",
        strip=False,
        max_length=1024,  # hashing a megabyte would be a cheap attack
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "Forkert brugernavn eller adgangskode. Bemærk store og små bogstaver.",
        "inactive": "Din bruger er deaktiveret. Kontakt administratoren.",
    }
