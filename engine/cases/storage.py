"""Where the bytes of case files live: outside the database, addressed by their SHA-256.

The core speaks to :class:`BlobStore` only, so an S3-compatible store can replace the directory
(``put`` becomes a PUT of the object named by the hash, ``delete`` a DELETE) without touching the
services. A key is always a hex SHA-256 computed here, never a name a user typed, so no upload can
choose where it lands (a file name is never used as a path).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobMissing(LookupError):
    """No bytes under this hash (deleted, or never written)."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _checked(digest: str) -> str:
    if not _SHA256.fullmatch(digest):
        raise ValueError("not a lower-case hex SHA-256")
    return digest


class BlobStore(Protocol):
    """Content-addressed storage: the same bytes always have the same key, stored once."""

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store ``data``; return (its SHA-256, True when it was not stored before)."""

    def get(self, digest: str) -> bytes:
        """The bytes stored under ``digest``. :raises BlobMissing: when there are none."""

    def exists(self, digest: str) -> bool: ...

    def delete(self, digest: str) -> bool:
        """Remove the bytes; False when there were none."""


class DirectoryBlobStore:
    """Files under ``root/ab/cd/<sha256>``: two levels of fan-out keep directories small."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path_of(self, digest: str) -> Path:
        digest = _checked(digest)
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> tuple[str, bool]:
        digest = sha256_of(data)
        target = self.path_of(digest)
        if target.exists():
            return digest, False
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Write beside the target and rename: a reader or a crash never sees half a file under the hash.
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest, True

    def get(self, digest: str) -> bytes:
        try:
            return self.path_of(digest).read_bytes()
        except FileNotFoundError as exc:
            raise BlobMissing(digest) from exc

    def exists(self, digest: str) -> bool:
        return self.path_of(digest).exists()

    def delete(self, digest: str) -> bool:
        try:
            self.path_of(digest).unlink()
        except FileNotFoundError:
            return False
        return True
