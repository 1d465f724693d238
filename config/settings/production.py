"""Production settings: real services, secrets from the environment, HTTPS everywhere."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str

from .base import *  # noqa: F401,F403
from .base import CELERY_BROKER_URL, SECRET_KEY

if not SECRET_KEY or SECRET_KEY.startswith("insecure-") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters in production")
if not CELERY_BROKER_URL:
    raise ImproperlyConfigured("CELERY_BROKER_URL must be set in production (redis://host:6379/0)")
# The login lockout and the API throttles count per client address. Behind a reverse proxy, with
# no proxies trusted, that is the proxy's address for everyone: a few failed logins by anyone would
# lock everyone out. So a deployment must say how many proxies it has, 0 included (docs/operations.md).
if not os.environ.get("TRUSTED_PROXY_COUNT", "").strip().isdigit():
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT must be set in production to the number of reverse proxies in front of the app "
        "that append to X-Forwarded-For: 1 behind one nginx/Caddy/Traefik (docker/compose.yaml sets 1), "
        "0 when clients connect directly (see docs/operations.md)"
    )

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
