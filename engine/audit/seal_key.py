"""The key that signs seals: Ed25519, kept outside the database.

Someone with write access to the database alone could rewrite a case's chain, its head and every
unsigned seal consistently. A signature made with a key the database does not hold stops that: a
forged seal does not verify. The private key lives in a file (``SIGNAALROUTE_ZEGEL_SLEUTEL``, by
default ``instance/zegelsleutel.pem``); a host that only verifies may hold just the public key
(``SIGNAALROUTE_ZEGEL_PUBLIEKE_SLEUTEL``).
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from engine.config import ConfigurationError, Settings

KEY_FILE_NAME = "zegelsleutel.pem"


def _key_id(public: Ed25519PublicKey) -> str:
    """A short fingerprint, so a seal names the key that made it (rotation leaves old seals checkable)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class SealVerifier:
    """Checks signatures with a public key."""

    public_key: Ed25519PublicKey

    @property
    def key_id(self) -> str:
        return _key_id(self.public_key)

    def verifies(self, digest: str, signature: str | None) -> bool:
        if not signature:
            return False
        try:
            self.public_key.verify(base64.b64decode(signature, validate=True), digest.encode())
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class SealKey:
    """Signs seal digests; its verifier checks them."""

    private_key: Ed25519PrivateKey

    @property
    def verifier(self) -> SealVerifier:
        return SealVerifier(self.private_key.public_key())

    @property
    def key_id(self) -> str:
        return self.verifier.key_id

    def sign(self, digest: str) -> str:
        return base64.b64encode(self.private_key.sign(digest.encode())).decode()

    def public_pem(self) -> str:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def default_key_path(instance_dir: Path) -> Path:
    return instance_dir / KEY_FILE_NAME


def ensure_seal_key(path: Path) -> Path:
    """Create a new private key file once (mode 0600); never overwrite one."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
    return path


def read_seal_key(path: Path) -> SealKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError as exc:
        raise ConfigurationError(
            f"Zegelsleutel {path} bestaat niet; maak hem met 'signaalroute initialiseren'.") from exc
    except ValueError as exc:
        raise ConfigurationError(f"Zegelsleutel {path} is geen geldige PEM-sleutel.") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"Zegelsleutel {path} is geen Ed25519-sleutel.")
    return SealKey(key)


def seal_key(settings: Settings) -> SealKey:
    """The configured key. The default path inside ``instance/`` is created on first use, like the
    secret key of ``signaalroute initialiseren``; an explicitly configured path must exist (several hosts
    must share one key, so a missing file there is a mistake, never a reason to make a new key)."""
    if settings.seal_key_file is not None:
        return read_seal_key(settings.seal_key_file)
    return read_seal_key(ensure_seal_key(default_key_path(settings.instance_dir)))


def available_seal_key(settings: Settings) -> SealKey | None:
    """The key when this host holds one, never creating it: a web host verifies, it need not seal."""
    path = settings.seal_key_file or default_key_path(settings.instance_dir)
    return read_seal_key(path) if path.exists() else None


def seal_verifier(settings: Settings) -> SealVerifier:
    """Verify with the public key file when one is configured, else with the private key's public half."""
    if settings.seal_public_key_file is not None:
        try:
            key = serialization.load_pem_public_key(settings.seal_public_key_file.read_bytes())
        except (FileNotFoundError, ValueError) as exc:
            raise ConfigurationError(
                f"Publieke zegelsleutel {settings.seal_public_key_file} ontbreekt of is ongeldig.") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise ConfigurationError(f"{settings.seal_public_key_file} is geen Ed25519-sleutel.")
        return SealVerifier(key)
    return seal_key(settings).verifier


def available_verifier(settings: Settings) -> SealVerifier | None:
    """What this host can check seals with, never creating a key; None when it holds no key at all."""
    if settings.seal_public_key_file is not None:
        return seal_verifier(settings)
    key = available_seal_key(settings)
    return key.verifier if key else None
