"""A real SAML 2.0 identity provider for the tests: pysaml2's ``Server`` behind
a tiny WSGI app in a thread, with keys and certificates made at test time.

Routes:
- ``GET /sso/redirect``: an AuthnRequest (HTTP-Redirect); shows one button
  per test user ("Log ind som …");
- ``POST /sso/login``: answers with a signed Response by HTTP-POST to the
  SP's assertion consumer service (pysaml2's auto-submitting form);
- ``GET /slo/redirect``: a LogoutRequest; answers with a LogoutResponse.

No private key is committed: each run makes new ones in a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import secrets
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import saml2
import werkzeug.serving
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from werkzeug.wrappers import Request, Response

XMLSEC = "/usr/bin/xmlsec1"


def make_keypair(folder: Path, name: str) -> tuple[str, str]:
    """A fresh RSA key and self-signed certificate (valid yesterday–tomorrow)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


class SamlIdP:
    """The identity provider. ``users`` maps a user id to its SAML attributes."""

    def __init__(self, folder: Path, key_name: str = "idp") -> None:
        self.folder = folder
        self.key_file, self.cert_file = make_keypair(folder, key_name)
        self.users: dict[str, dict[str, list[str]]] = {}
        self.pending: dict[str, tuple[object, str]] = {}
        self.logouts: list[str] = []
        self._http = werkzeug.serving.make_server("localhost", 0, self.wsgi, threaded=True)
        self.url = f"http://localhost:{self._http.server_port}"
        self.entity_id = f"{self.url}/metadata"
        self.server: Server | None = None
        self._thread = threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    # --- lifecycle -------------------------------------------------------
    def start(self) -> SamlIdP:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._thread.join(2)

    def _config(self, sp_metadata_file: str | None) -> IdPConfig:
        conf = {
            "entityid": self.entity_id,
            "xmlsec_binary": XMLSEC,
            "key_file": self.key_file,
            "cert_file": self.cert_file,
            "service": {
                "idp": {
                    "name": "Test-IdP (Kommunens brugerkatalog)",
                    "endpoints": {
                        "single_sign_on_service": [(f"{self.url}/sso/redirect", saml2.BINDING_HTTP_REDIRECT)],
                        "single_logout_service": [(f"{self.url}/slo/redirect", saml2.BINDING_HTTP_REDIRECT)],
                    },
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 5},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "want_authn_requests_signed": False,
                }
            },
            "metadata": {"local": [sp_metadata_file]} if sp_metadata_file else {},
            "allow_unknown_attributes": True,
        }
        config = IdPConfig()
        config.load(conf)
        return config

    def metadata_file(self) -> str:
        """The IdP's metadata, as an administrator would download it."""
        path = self.folder / f"idp-metadata-{self._http.server_port}.xml"
        path.write_text(create_metadata_string(None, config=self._config(None), valid=24).decode())
        return str(path)

    def trust_sp(self, sp_metadata: str) -> None:
        path = self.folder / f"sp-metadata-{secrets.token_hex(4)}.xml"
        path.write_text(sp_metadata)
        self.server = Server(config=self._config(str(path)))

    # --- the protocol ----------------------------------------------------
    def begin(self, saml_request: str, relay_state: str) -> str:
        assert self.server is not None, "trust_sp() first"
        request = self.server.parse_authn_request(saml_request, saml2.BINDING_HTTP_REDIRECT)
        key = secrets.token_urlsafe(8)
        self.pending[key] = (request.message, relay_state)
        return key

    def response_form(self, key: str, uid: str, *, tamper=None) -> tuple[str, dict[str, str]]:
        """The signed Response for a pending request: (acs url, form fields)."""
        assert self.server is not None
        message, relay_state = self.pending.pop(key)
        acs = message.assertion_consumer_service_url
        response = self.server.create_authn_response(
            identity=self.users[uid],
            in_response_to=message.id,
            destination=acs,
            sp_entity_id=message.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=uid, name_qualifier=self.entity_id),
            authn={"class_ref": saml2.saml.AUTHN_PASSWORD_PROTECTED, "authn_auth": self.entity_id},
            sign_response=True,
            sign_assertion=True,
        )
        xml = str(response)
        if tamper is not None:
            xml = tamper(xml)
        info = self.server.apply_binding(saml2.BINDING_HTTP_POST, xml, acs, relay_state, response=True)
        page = info["data"]
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page))
        return acs, {k: html.unescape(v) for k, v in fields.items()}

    def response_for_redirect(self, location: str, uid: str, *, tamper=None) -> tuple[str, dict[str, str]]:
        """For tests without a browser: the IdP's answer to our redirect."""
        params = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
        key = self.begin(params["SAMLRequest"], params.get("RelayState", ""))
        return self.response_form(key, uid, tamper=tamper)

    def logout_redirect(self, location: str) -> str:
        assert self.server is not None
        params = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
        request = self.server.parse_logout_request(params["SAMLRequest"], saml2.BINDING_HTTP_REDIRECT)
        self.logouts.append(request.message.name_id.text)
        response = self.server.create_logout_response(request.message, [saml2.BINDING_HTTP_REDIRECT])
        info = self.server.apply_binding(
            saml2.BINDING_HTTP_REDIRECT,
            str(response),
            self._sp_slo(request.message.issuer.text),
            params.get("RelayState", ""),
            response=True,
        )
        return dict(info["headers"])["Location"]

    def _sp_slo(self, sp_entity_id: str) -> str:
        assert self.server is not None
        services = self.server.metadata.single_logout_service(sp_entity_id, saml2.BINDING_HTTP_REDIRECT, "spsso")
        return services[0]["location"]

    # --- HTTP ------------------------------------------------------------
    def wsgi(self, environ, start_response):
        request = Request(environ)
        if request.path == "/sso/redirect":
            key = self.begin(request.args["SAMLRequest"], request.args.get("RelayState", ""))
            buttons = "".join(
                f'<button type="submit" name="uid" value="{html.escape(uid)}">Log ind som {html.escape(uid)}</button>'
                for uid in self.users
            )
            body = (
                "<!doctype html><html lang=da><title>Test-IdP</title><h1>Kommunens login (test)</h1>"
                f'<form method="post" action="/sso/login"><input type="hidden" name="key" value="{key}">'
                f"{buttons}</form>"
            )
            response = Response(body, content_type="text/html; charset=utf-8")
        elif request.path == "/sso/login" and request.method == "POST":
            acs, fields = self.response_form(request.form["key"], request.form["uid"])
            inputs = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in fields.items()
            )
            body = (
                "<!doctype html><html lang=da><title>Test-IdP</title><body>"
                f'<form method="post" action="{html.escape(acs)}">{inputs}'
                '<button type="submit">Fortsæt til Botilbud</button></form></body></html>'
            )
            response = Response(body, content_type="text/html; charset=utf-8")
        elif request.path == "/slo/redirect":
            response = Response(status=302, headers={"Location": self.logout_redirect(request.url)})
        elif request.path == "/metadata":
            response = Response(Path(self.metadata_file()).read_text(), content_type="application/samlmetadata+xml")
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)
