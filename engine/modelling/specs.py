"""Parsed specs per deployment, cached by content hash.

Deployments are immutable and keyed here by the SHA-256 of their files, so a cached entry can
never be stale, whichever database or worker asks. Specs are built completely before they enter
the cache (:mod:`engine.workflow.shared_specs`): threads of a worker share them.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

from engine.models import Deployment, ProcessDefinition
from engine.workflow import shared_specs
from engine.workflow.bundle import Bundle, SourceFile, load_bundle

_MAX_ENTRIES = 64
_lock = threading.Lock()
_bundles: OrderedDict[str, Bundle] = OrderedDict()
_specs: OrderedDict[tuple[str, str], tuple[Any, dict[str, Any]]] = OrderedDict()


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any, limit: int) -> None:
    with _lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > limit:
            cache.popitem(last=False)


def _recall(cache: OrderedDict[Any, Any], key: Any) -> Any:
    with _lock:
        value = cache.get(key)
        if value is not None:
            cache.move_to_end(key)
        return value


def _stored_files(deployment: Deployment) -> list[SourceFile]:
    return [SourceFile(f.filename, f.content) for f in deployment.files]


def _parse_stored(files: list[SourceFile]) -> Bundle:
    """Parse bytes that passed the deploy checks once already (no schema validation again)."""
    return load_bundle(files, max_bytes=max(len(f.content) for f in files) + 1, validate_schema=False)


def bundle_for(deployment: Deployment) -> Bundle:
    """The parsed bundle of a deployment (its stored bytes were checked when deployed)."""
    bundle: Bundle | None = _recall(_bundles, deployment.sha256)
    if bundle is None:
        bundle = _parse_stored(_stored_files(deployment))
        _remember(_bundles, deployment.sha256, bundle, _MAX_ENTRIES)
    return bundle


def specs_from_stored_bytes(deployment: Deployment, process_id: str) -> tuple[Any, dict[str, Any]]:
    """Specs parsed from the bytes as they are in the database now, cached by *their* hash.

    Replay must notice a model edited in place: the recorded digest would still hit the normal
    cache, so this keys on a fresh hash of the current bytes instead (hashing is cheap; parsing
    is not).
    """
    files = _stored_files(deployment)
    digest = hashlib.sha256(b"".join(hashlib.sha256(f.content).digest() for f in files)).hexdigest()
    key = ("bytes:" + digest, process_id)
    found: tuple[Any, dict[str, Any]] | None = _recall(_specs, key)
    if found is None:
        found = shared_specs.build(_parse_stored(files), process_id)
        _remember(_specs, key, found, _MAX_ENTRIES * 4)
    return found


def specs_for(definition: ProcessDefinition) -> tuple[Any, dict[str, Any]]:
    """Process spec and subprocess specs of a definition, parsed once per worker."""
    key = (definition.deployment.sha256, definition.process_id)
    found: tuple[Any, dict[str, Any]] | None = _recall(_specs, key)
    if found is None:
        found = shared_specs.build(bundle_for(definition.deployment), definition.process_id)
        _remember(_specs, key, found, _MAX_ENTRIES * 4)
    return found


def forget_all() -> None:
    """Empty the caches, as a fresh worker starts (tests prove a case survives that between steps)."""
    with _lock:
        _bundles.clear()
        _specs.clear()
