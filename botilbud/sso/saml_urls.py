"""SAML endpoints under /sso/saml/, with djangosaml2's own URL names
(``saml2_acs`` …; its views reverse them without a namespace)."""

from django.urls import path

from botilbud.sso import saml

urlpatterns = [
    path("login/", saml.SAMLLoginView.as_view(), name="saml2_login"),
    path("acs/", saml.SAMLACSView.as_view(), name="saml2_acs"),
    path("logout/", saml.SAMLLogoutInitView.as_view(), name="saml2_logout"),
    path("ls/", saml.SAMLLogoutView.as_view(), name="saml2_ls"),
    path("ls/post/", saml.SAMLLogoutView.as_view(), name="saml2_ls_post"),
    path("metadata/", saml.SAMLMetadataView.as_view(), name="saml2_metadata"),
]
