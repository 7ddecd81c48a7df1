"""One row of figures per case, kept in the step's transaction, so the dashboard aggregates in SQL.

It holds categories and durations only (no name, no free text): what monitoring needs (003
ch. 7) and the CoMensha export asks for. Durations are whole seconds from the signal, so the
same SQL computes percentiles on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base
from engine.models.types import Timestamp


class CaseFigure(Base):
    __tablename__ = "case_figure"
    __table_args__ = (
        Index("ix_case_figure_region_period", "region", "year", "month"),
        Index("ix_case_figure_gemeente_period", "organisation_id", "year", "month"),
    )

    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))  # the gemeente of the case
    region: Mapped[str | None] = mapped_column(String(80), nullable=True)
    route: Mapped[str] = mapped_column(String(200))  # the process id
    created_at: Mapped[Timestamp]
    year: Mapped[int] = mapped_column(Integer)   # of the signal, Europe/Amsterdam
    month: Mapped[int] = mapped_column(Integer)
    acuut: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    bron: Mapped[str | None] = mapped_column(String(40), nullable=True)
    vorm: Mapped[str | None] = mapped_column(String(20), nullable=True)
    uitkomst: Mapped[str | None] = mapped_column(String(40), nullable=True)
    geslacht: Mapped[str | None] = mapped_column(String(20), nullable=True)
    leeftijdsgroep: Mapped[str | None] = mapped_column(String(20), nullable=True)
    nationaliteitsgroep: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # Seconds from the signal to each step; NULL until the step happened.
    verrijkt_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    overgedragen_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    partner_terugkoppeling_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    melder_terugkoppeling_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    afgesloten_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Seconds the signal waited on the meeting's decision task (first one that was decided).
    overleg_wachttijd_s: Mapped[int | None] = mapped_column(Integer, nullable=True)




class CaseCount(Base):
    """Signals per gemeente, month, field and category: the dashboard's counts without a scan of all cases.

    Kept by engine.monitoring.figures in the same transaction as the case's row of figures: a step
    that changes a case's category moves one count from the old category to the new one. Month 0
    holds the whole year, so the trend over all years reads a few rows per year, not every month.
    """

    __tablename__ = "case_count"
    __table_args__ = (Index("ix_case_count_region_year", "region", "year", "month"),
                      Index("ix_case_count_region_month", "region", "month"))

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    field: Mapped[str] = mapped_column(String(40), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    region: Mapped[str | None] = mapped_column(String(80), nullable=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


__all__ = ["CaseCount", "CaseFigure"]
