"""Moved from tests/api/test_api.py: shared by several test modules."""

from __future__ import annotations

import io

from tests.support.base import MODELS


def upload(api_user, *names, comment="via API"):
    files = [(io.BytesIO((MODELS / n).read_bytes()), n) for n in names]
    return api_user.post("/api/v1/process-models", data={"files": files, "comment": comment},
                         content_type="multipart/form-data")


TOO_DEEP = "De JSON is te diep genest: hoogstens 64 niveaus van objecten en lijsten."


def nested(levels: int) -> str:
    return '{"data": ' + "[" * (levels - 1) + "]" * (levels - 1) + "}"
