"""Column aliases shared by the tables, so every table spells ids and times the same way."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from sqlalchemy import JSON, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import mapped_column

from engine.db import UTCDateTime

IntPK = Annotated[int, mapped_column(primary_key=True)]
Timestamp = Annotated[datetime, mapped_column(UTCDateTime())]
OptionalTimestamp = Annotated[datetime | None, mapped_column(UTCDateTime(), nullable=True)]
Name = Annotated[str, mapped_column(String(200))]
JsonDict = Annotated[dict[str, Any], mapped_column(JSON().with_variant(JSONB(), "postgresql"))]
