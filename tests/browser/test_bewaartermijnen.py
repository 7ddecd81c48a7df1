"""WCAG 2.1 AA on the beheerder's retention page, with a case due for destruction and a destruction record."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from engine.accounts.actors import Actor
from engine.retention import retention
from engine.retention.retention_rules import load_rules
from signaalroute import passes
from tests.support.browser import log_in, serious_violations
from tests.support.chain import ROOT
from tests.support.helpers import deploy, start


def test_the_retention_page_passes_axe(axe_page, live_server, factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    gone = start(factory, world.af, at(), "drie_taken")
    due = start(factory, world.af, at() + timedelta(days=40), "drie_taken")
    at.advance(days=2 * 365 + 3)
    passes.destroy_expired(factory, rules=load_rules(ROOT / "retention.toml"), now=at(),
                              actor=Actor.system("planner"), trigger=retention.PLANNER)
    at.advance(days=40)
    log_in(axe_page, live_server, "beheerder")
    axe_page.get_by_role("link", name="Bewaartermijnen").click()
    expect(axe_page.get_by_role("heading", name="Bewaartermijnen", level=1)).to_be_visible()
    expect(axe_page.get_by_test_id("verslagen")).to_contain_text(f"SR-2026-{gone:05d}")
    expect(axe_page.get_by_test_id("te-vernietigen-lopend_signaal")).to_contain_text(f"SR-2026-{due:05d}")
    assert serious_violations(axe_page) == []
