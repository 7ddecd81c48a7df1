"""The directory blob store: bytes under their SHA-256, stored once, never at a path a user chose."""

from __future__ import annotations

import hashlib

import pytest

from engine.cases.storage import BlobMissing, BlobStore, DirectoryBlobStore


def test_bytes_are_stored_under_their_sha256_once_and_read_back(tmp_path):
    store: BlobStore = DirectoryBlobStore(tmp_path / "bestanden")
    digest, created = store.put(b"proces-verbaal")
    assert digest == hashlib.sha256(b"proces-verbaal").hexdigest()
    assert created is True
    assert store.put(b"proces-verbaal") == (digest, False)  # the same content is one file
    assert store.get(digest) == b"proces-verbaal"
    path = tmp_path / "bestanden" / digest[:2] / digest[2:4] / digest
    assert path.read_bytes() == b"proces-verbaal"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in path.parent.iterdir()] == [digest]  # no temporary file left behind


def test_deleting_removes_the_bytes_and_a_second_delete_says_there_was_nothing(tmp_path):
    store = DirectoryBlobStore(tmp_path)
    digest, _ = store.put(b"brief")
    assert store.delete(digest) is True
    assert not store.exists(digest)
    assert store.delete(digest) is False
    with pytest.raises(BlobMissing):
        store.get(digest)


@pytest.mark.parametrize("key", ["../../etc/passwd", "a" * 63, "A" * 64, "g" * 64, "", "0" * 64 + "/x"])
def test_a_key_that_is_not_a_sha256_is_refused_so_no_path_can_be_smuggled_in(tmp_path, key):
    store = DirectoryBlobStore(tmp_path)
    with pytest.raises(ValueError):
        store.get(key)
    with pytest.raises(ValueError):
        store.delete(key)
