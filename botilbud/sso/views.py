"""Login page (password and single sign-on), OIDC login/callback, logout."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.views.decorators.http import require_POST
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from botilbud.sso.backends import REFUSAL_ATTR
from botilbud.sso.forms import PasswordLoginForm, password_form_shown
from botilbud.sso.refusal import SESSION_PROVIDER, refused
from botilbud.sso.saml import SAMLLogoutInitView

log = logging.getLogger("botilbud.sso")

INVALID_TOKEN_MESSAGE = (
    "Login med kommunens konto blev afvist, fordi svaret fra identitetsudbyderen ikke kunne godkendes "
    "(forkert signatur, udløbet eller ikke til Botilbud). Prøv igen; sker det igen, kontakt kommunens IT-support."
)
PROVIDER_DOWN_MESSAGE = "Kommunens login-tjeneste svarer ikke lige nu. Prøv igen om lidt."
CANCELLED_MESSAGE = "Login med kommunens konto blev afbrudt eller afvist hos identitetsudbyderen."
GENERIC_MESSAGE = "Login med kommunens konto lykkedes ikke. Prøv igen fra log ind-siden."


def sso_buttons(request: HttpRequest) -> list[dict[str, str]]:
    next_url = request.GET.get("next", "")
    suffix = "?" + urlencode({"next": next_url}) if next_url else ""
    buttons = []
    if settings.BOTILBUD_OIDC_ENABLED:
        buttons.append({"label": settings.BOTILBUD_OIDC_LABEL, "url": reverse("sso:oidc_login") + suffix})
    if settings.BOTILBUD_SAML_ENABLED:
        label = settings.BOTILBUD_SAML_LABEL
        if not settings.BOTILBUD_OIDC_ENABLED and label == "Log ind med kommunens konto (SAML)":
            label = "Log ind med kommunens konto"
        buttons.append({"label": label, "url": reverse("saml2_login") + suffix})
    return buttons


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = PasswordLoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_buttons"] = sso_buttons(self.request)
        context["show_password_form"] = password_form_shown(self.request)
        context["break_glass_mode"] = not settings.BOTILBUD_PASSWORD_LOGIN and context["show_password_form"]
        return context


class OIDCLoginView(OIDCAuthenticationRequestView):
    def dispatch(self, request, *args, **kwargs):
        if not settings.BOTILBUD_OIDC_ENABLED:
            raise Http404("Log ind med OpenID Connect er ikke sat op.")
        return super().dispatch(request, *args, **kwargs)


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    def dispatch(self, request, *args, **kwargs):
        if not settings.BOTILBUD_OIDC_ENABLED:
            raise Http404("Log ind med OpenID Connect er ikke sat op.")
        try:
            return super().dispatch(request, *args, **kwargs)
        except SuspiciousOperation as exc:
            log.warning("OIDC login refused: %s", exc)
            return refused(request, INVALID_TOKEN_MESSAGE)
        except requests.RequestException as exc:
            log.error("OIDC provider unreachable or answered an error: %s", exc)
            return refused(request, PROVIDER_DOWN_MESSAGE, status=502)

    def login_failure(self):
        message = getattr(self.request, REFUSAL_ATTR, None)
        if message is None:
            message = CANCELLED_MESSAGE if self.request.GET.get("error") else GENERIC_MESSAGE
        return refused(self.request, message)

    def login_success(self):
        response = super().login_success()
        self.request.session[SESSION_PROVIDER] = "oidc"
        return response


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Local logout, then logout at the identity provider the session came from."""
    provider = request.session.get(SESSION_PROVIDER)
    id_token = request.session.get("oidc_id_token")
    if provider == "saml" and settings.BOTILBUD_SAML_ENABLED:
        return _saml_logout(request)
    auth.logout(request)
    login_url = request.build_absolute_uri(reverse("login"))
    if provider == "oidc" and settings.BOTILBUD_OIDC_END_SESSION_ENDPOINT:
        params = {"post_logout_redirect_uri": login_url, "client_id": settings.OIDC_RP_CLIENT_ID}
        if id_token:
            params["id_token_hint"] = id_token
        return provider_logout(request, settings.BOTILBUD_OIDC_END_SESSION_ENDPOINT + "?" + urlencode(params))
    return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))


def _saml_logout(request: HttpRequest) -> HttpResponse:
    """SAML single logout: a LogoutRequest to the IdP (djangosaml2 builds it
    and logs out here); the IdP answers at /sso/saml/ls/."""

    view = SAMLLogoutInitView()
    view.setup(request)
    try:
        response = view.get(request)
    except Exception:  # an IdP without SLO, or a broken metadata: log out here at least
        log.exception("SAML logout at the IdP failed")
        response = None
    auth.logout(request)
    if response is not None and response.status_code == 302 and "://" in response["Location"]:
        return provider_logout(request, response["Location"])
    return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))


def provider_logout(request: HttpRequest, url: str) -> HttpResponse:
    """Our page that sends the browser on to the provider's logout.

    Not a redirect: the logout form's POST may only lead to our own origin
    (CSP form-action 'self'); a page that then navigates does not count as
    the form's target."""
    return render(request, "sso/provider_logout.html", {"provider_logout_url": url})
