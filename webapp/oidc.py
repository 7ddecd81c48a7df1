"""OpenID Connect login with Authlib: authorization code flow with PKCE, nonce and a signed ID token.

Configured only by environment variables (engine.config: issuer or discovery URL, client id and
secret, scopes); Keycloak (``https://<host>/realms/<realm>``) and Entra ID
(``https://login.microsoftonline.com/<tenant>/v2.0``) both publish their discovery document under the
issuer. The ID token's signature (keys from ``jwks_uri``), issuer, audience, expiry and nonce are
checked by Authlib; who may log in is decided by :func:`engine.accounts.oidc_identities.user_for_oidc` — a
provider account alone never creates or opens a Signaalroute account.
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

from engine.config import Settings

_KEY = "signaalroute.oidc"
NAME = "idp"


def init_app(app: Flask, settings: Settings) -> None:
    if not settings.oidc_enabled:
        return
    oauth = OAuth(app)
    oauth.register(
        NAME,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=settings.oidc_metadata_url,
        client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256",
                       "default_timeout": 10},
    )
    app.extensions[_KEY] = oauth.create_client(NAME)


def client() -> Any | None:
    """The Authlib client of this app, or None when OIDC is not configured."""
    return current_app.extensions.get(_KEY)


def display_name() -> str | None:
    settings: Settings = current_app.extensions["signaalroute.settings"]
    return settings.oidc_name if settings.oidc_enabled else None
