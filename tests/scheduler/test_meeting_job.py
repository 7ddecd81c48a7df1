"""The scheduler's meeting job: plans from complete profiles, says once why an incomplete one is not planned."""

from __future__ import annotations

from sqlalchemy import select

from engine.config import Settings
from engine.db import unit_of_work
from engine.models import Meeting
from scheduler import jobs
from tests.support.meetings import PLANNED


def test_the_leader_plans_meetings_and_logs_each_incomplete_region_once(chain, db_url, tmp_path, leading,  # noqa: F811
                                                                         log_lines):  # noqa: F811
    leading(Settings(instance_dir=tmp_path, database_url=db_url, secret_key="k" * 64))
    jobs._runtime.regions = PLANNED
    jobs.run_meetings()
    jobs.run_meetings()
    with unit_of_work(chain.factory) as session:
        regions = {m.region for m in session.scalars(select(Meeting))}
        assert regions == {"fryslan"} and len(session.scalars(select(Meeting)).all()) == 4
    unplanned = [line for line in log_lines if "meetings not planned" in line]
    assert len(unplanned) == 1, "one warning per incomplete region (Limburg), not per minute; none without a meeting"
    assert all("AAN TE VULLEN" not in line and "weekdag" in line for line in unplanned)
