"""Settings for bench/load.py: production settings served over plain http on 127.0.0.1.

Everything comes from ``botilbud.settings`` (run with DJANGO_DEBUG=0); only
what plain-http loopback needs differs (no https redirect, cookies not marked
Secure), plus a URLconf with the bare "floor" view the load test compares with.
"""

from botilbud.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
