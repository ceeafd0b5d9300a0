"""`check --deploy` stays clean with single sign-on configured as a
municipality would (Entra ID, AD FS metadata, password login off)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_sso_configured(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-for-the-check-only",
            "DJANGO_ALLOWED_HOSTS": "botilbud.kommune.dk",
            "BOTILBUD_OIDC_ENTRA_TENANT": "11111111-2222-3333-4444-555555555555",
            "BOTILBUD_OIDC_CLIENT_ID": "app-id",
            "BOTILBUD_OIDC_CLIENT_SECRET": "secret",
            "BOTILBUD_SAML_METADATA_URL": "https://adfs.kommune.dk/FederationMetadata/2007-06/FederationMetadata.xml",
            "BOTILBUD_SAML_BASE_URL": "https://botilbud.kommune.dk",
            "BOTILBUD_PASSWORD_LOGIN": "0",
            "BOTILBUD_BREAK_GLASS_USER": "nodadmin",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
