"""A tiny OpenID Connect provider for tests, Keycloak-shaped, that signs ID tokens with a test RSA key.

It is a Flask app reached through a ``requests`` transport adapter: Authlib's discovery, token and
JWKS requests land here, and any other address fails — the tests never touch the network. The
browser's part (the person logging in at the provider) is :meth:`FakeProvider.authorize`.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from flask import Flask, jsonify, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

HOST = "https://idp.example.test"
ISSUER = f"{HOST}/realms/gemeente"
CLIENT_ID = "signaalroute"
CLIENT_SECRET = "client-geheim-voor-tests"  # noqa: S105


class FakeProvider:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "sleutel-1", "use": "sig", "alg": "RS256"})
        self.signing_key = self.key  # a test may swap in a key the provider does not publish
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests = 0
        self.app = self._build()

    def authorize(self, location: str, **identity: Any) -> str:
        """The person logs in at the provider: check the authorization request, return the way back.

        ``identity`` becomes the ID token's claims (``sub``, ``preferred_username``, ...).
        """
        url = urlsplit(location)
        assert f"{url.scheme}://{url.netloc}{url.path}" == f"{ISSUER}/protocol/openid-connect/auth"
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
        assert "openid" in query["scope"].split()
        assert query["code_challenge_method"] == "S256" and query["nonce"] and query["state"]
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": query["nonce"], "challenge": query["code_challenge"],
                            "redirect_uri": query["redirect_uri"], "identity": identity}
        back = urlsplit(query["redirect_uri"])
        return f"{back.path}?{urlencode({'code': code, 'state': query['state']})}"

    def _id_token(self, nonce: str, identity: dict[str, Any]) -> str:
        now = int(time.time())  # Authlib checks exp/iat against the wall clock
        claims = {"iss": ISSUER, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": nonce, **identity}
        return jwt.encode({"alg": "RS256", "kid": self.signing_key.kid}, claims, self.signing_key)

    def _build(self) -> Flask:
        app = Flask("nep-idp")

        @app.get("/realms/gemeente/.well-known/openid-configuration")
        def discovery():
            return jsonify({
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/protocol/openid-connect/auth",
                "token_endpoint": f"{ISSUER}/protocol/openid-connect/token",
                "jwks_uri": f"{ISSUER}/protocol/openid-connect/certs",
                "userinfo_endpoint": f"{ISSUER}/protocol/openid-connect/userinfo",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            })

        @app.get("/realms/gemeente/protocol/openid-connect/certs")
        def certs():
            return jsonify({"keys": [self.key.as_dict(private=False)]})

        @app.post("/realms/gemeente/protocol/openid-connect/token")
        def token():
            self.token_requests += 1
            auth = request.authorization
            if auth is None or (auth.username, auth.password) != (CLIENT_ID, CLIENT_SECRET):
                return jsonify({"error": "invalid_client"}), 401
            grant = self.codes.pop(request.form.get("code", ""), None)
            if grant is None or request.form.get("redirect_uri") != grant["redirect_uri"]:
                return jsonify({"error": "invalid_grant"}), 400
            verifier = request.form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge != grant["challenge"]:
                return jsonify({"error": "invalid_grant", "error_description": "PKCE"}), 400
            return jsonify({"access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 300,
                            "id_token": self._id_token(grant["nonce"], grant["identity"])})

        return app


class _ToProvider(BaseAdapter):
    def __init__(self, app: Flask):
        super().__init__()
        self.client = app.test_client()

    def send(self, prepared, **_kwargs):  # noqa: ANN001 - requests' adapter interface
        url = urlsplit(prepared.url)
        answer = self.client.open(url.path, method=prepared.method, query_string=url.query,
                                  headers={k: v for k, v in prepared.headers.items() if k.lower() != "host"},
                                  data=prepared.body)
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.get_data()
        response.headers = CaseInsensitiveDict(dict(answer.headers))
        response.url = prepared.url
        response.request = prepared
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


def install(monkeypatch, provider: FakeProvider) -> None:
    """Route ``requests`` to the fake provider; every other address raises instead of leaving the machine."""
    adapter = _ToProvider(provider.app)

    def get_adapter(_session, url: str):
        if url.startswith(HOST + "/"):
            return adapter
        raise requests.ConnectionError(f"geen netwerk in tests: {url}")

    monkeypatch.setattr(requests.Session, "get_adapter", get_adapter)
