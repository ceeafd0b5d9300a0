"""SAML 2.0 login with djangosaml2 + pysaml2 (KOMBIT Context Handler, AD FS).

The IdP's metadata comes from a URL or a file; requests go by HTTP-Redirect
(no inline auto-submit script, so our strict CSP stays), assertions come back
by HTTP-POST to ``/sso/saml/acs/`` and must be signed by the IdP's key from
its metadata, within their validity window, and answer a request this browser
made. The same group mapping as OpenID Connect decides the role and homes.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
from typing import Any

from defusedxml import ElementTree
from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from djangosaml2 import views as saml_views
from djangosaml2.backends import Saml2Backend
from djangosaml2.conf import config_settings_loader

from botilbud.sso.backends import REFUSAL_ATTR
from botilbud.sso.models import ExternalIdentity
from botilbud.sso.refusal import SESSION_PROVIDER, refused
from botilbud.sso.services import ExternalAccount, SignInRefused, sign_in

log = logging.getLogger("botilbud.sso")

# KOMBIT's Context Handler sends the user's privileges as a base64-encoded
# XML document (OIOSAML "Basic Privilege Profile"); each <Privilege> is one
# group for the mapping.
KOMBIT_PRIVILEGES = "dk:gov:saml:attribute:Privileges_intermediate"

SAML_INVALID_MESSAGE = (
    "Login med kommunens konto blev afvist, fordi svaret fra identitetsudbyderen ikke kunne godkendes "
    "(forkert signatur, udløbet, ikke bestilt af denne browser eller ikke til Botilbud). "
    "Prøv igen fra log ind-siden; sker det igen, kontakt kommunens IT-support."
)

_config_cache: dict[str, tuple[float, Any]] = {}
CONFIG_TTL_SECONDS = 3600


def cached_config_loader(request: HttpRequest | None = None):
    """djangosaml2 loads the SP configuration on every request, and with a
    metadata URL that means fetching the IdP's metadata each time. Keep one
    loaded configuration for an hour (a new IdP certificate is picked up then,
    or at restart)."""
    key = repr(settings.SAML_CONFIG)
    hit = _config_cache.get(key)
    if hit and time.monotonic() - hit[0] < CONFIG_TTL_SECONDS:
        return hit[1]
    conf = config_settings_loader(request)
    _config_cache.clear()
    _config_cache[key] = (time.monotonic(), conf)
    return conf


def kombit_privileges(value: str) -> list[str]:
    """The privilege names in KOMBIT's base64 XML privilege attribute."""
    try:
        document = ElementTree.fromstring(base64.b64decode(value, validate=False))
    except (binascii.Error, ValueError, ElementTree.ParseError) as exc:
        log.warning("Unreadable KOMBIT privilege attribute: %s", exc)
        return []
    return [(el.text or "").strip() for el in document.iter() if el.tag.rsplit("}", 1)[-1] == "Privilege"]


def _first(ava: dict[str, list[str]], names: list[str]) -> str:
    for name in names:
        values = ava.get(name)
        if values:
            return str(values[0])
    return ""


class SAMLBackend(Saml2Backend):
    """Turns a verified assertion into our user via ``sign_in``."""

    def authenticate(self, request, session_info=None, attribute_mapping=None, create_unknown_user=True, **kwargs):
        if not settings.BOTILBUD_SAML_ENABLED or request is None or not session_info:
            return None
        ava: dict[str, list[str]] = session_info.get("ava", {})
        groups: list[str] = []
        for name in settings.BOTILBUD_SAML_GROUPS_ATTRIBUTES:
            for value in ava.get(name, []):
                groups += kombit_privileges(value) if name == KOMBIT_PRIVILEGES else [str(value)]
        name_id = session_info.get("name_id")
        subject = _first(ava, settings.BOTILBUD_SAML_SUBJECT_ATTRIBUTES) or (name_id.text if name_id else "")
        username = (_first(ava, settings.BOTILBUD_SAML_USERNAME_ATTRIBUTES) or subject).lower()
        account = ExternalAccount(
            provider=ExternalIdentity.Provider.SAML,
            issuer=str(session_info.get("issuer", "")),
            subject=subject,
            username=username,
            groups=groups,
            email=_first(ava, settings.BOTILBUD_SAML_EMAIL_ATTRIBUTES),
            first_name=_first(ava, settings.BOTILBUD_SAML_FIRST_NAME_ATTRIBUTES),
            last_name=_first(ava, settings.BOTILBUD_SAML_LAST_NAME_ATTRIBUTES),
        )
        try:
            return sign_in(account)
        except SignInRefused as refused:
            log.info("SAML sign-in refused for %s: %s", subject, refused.message)
            setattr(request, REFUSAL_ATTR, refused.message)
            return None


def _require_saml() -> None:
    if not settings.BOTILBUD_SAML_ENABLED:
        raise Http404("Log ind med SAML er ikke sat op.")


class SAMLLoginView(saml_views.LoginView):
    def dispatch(self, request, *args, **kwargs):
        _require_saml()
        return super().dispatch(request, *args, **kwargs)


# The IdP posts cross-site: no CSRF token; the assertion's signature and its
# InResponseTo (a request this browser's SAML session made) protect it.
@method_decorator(csrf_exempt, name="dispatch")
class SAMLACSView(saml_views.AssertionConsumerServiceView):
    def dispatch(self, request, *args, **kwargs):
        _require_saml()
        return super().dispatch(request, *args, **kwargs)

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        message = getattr(request, REFUSAL_ATTR, None)
        if message is None:
            log.warning("SAML login refused: %r", exception)
            message = SAML_INVALID_MESSAGE
        return refused(request, message, status=403)

    def customize_session(self, user, session_info):
        self.request.session[SESSION_PROVIDER] = "saml"


class SAMLLogoutInitView(saml_views.LogoutInitView):
    def dispatch(self, request, *args, **kwargs):
        _require_saml()
        return super().dispatch(request, *args, **kwargs)


@method_decorator(csrf_exempt, name="dispatch")
class SAMLLogoutView(saml_views.LogoutView):
    def dispatch(self, request, *args, **kwargs):
        _require_saml()
        return super().dispatch(request, *args, **kwargs)


class SAMLMetadataView(saml_views.MetadataView):
    def dispatch(self, request, *args, **kwargs):
        _require_saml()
        return super().dispatch(request, *args, **kwargs)
