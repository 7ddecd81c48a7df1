"""The model helpers werkdagen() and kantooruren(): ISO 8601 text for timers, from the workflow clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.workflow import bundle, clock, runner, sandbox, script_engine
from engine.workflow.bundle import SourceFile
from engine.workflow.calendar import AMSTERDAM
from engine.workflow.script_engine import MODEL_HELPERS

MAUNDY_THURSDAY = datetime(2026, 4, 2, 10, 0, tzinfo=AMSTERDAM)


def timer_process(expression: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wacht" name="Wacht twee werkdagen">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition id="t"><bpmn:timeDate>{expression}</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wacht" />
    <bpmn:sequenceFlow id="f2" sourceRef="wacht" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>""".encode()


@pytest.fixture(autouse=True)
def _fresh_calendar(monkeypatch):
    """The helpers build their calendar once from the environment; every test starts without one."""
    monkeypatch.delenv("SIGNAALROUTE_EXTRA_NON_WORKING_DAYS", raising=False)
    script_engine._calendar.cache_clear()
    yield
    script_engine._calendar.cache_clear()


def evaluate(expression: str, at: datetime = MAUNDY_THURSDAY):
    with clock.frozen_at(at):
        return sandbox.evaluate(expression, {}, helpers=MODEL_HELPERS)


def test_werkdagen_gives_the_moment_that_many_working_days_later_as_utc_iso_text():
    assert evaluate("werkdagen(1)") == "2026-04-07T08:00:00+00:00"  # Tuesday 10.00 in Amsterdam


def test_werkdagen_of_zero_on_a_working_day_is_the_clock_itself():
    assert evaluate("werkdagen(0)") == "2026-04-02T08:00:00+00:00"


def test_werkdagen_accepts_a_whole_number_written_as_a_float():
    assert evaluate("werkdagen(1.0)") == evaluate("werkdagen(1)")


def test_kantooruren_counts_only_office_hours_on_working_days():
    thursday_four_pm = datetime(2026, 4, 2, 16, 0, tzinfo=AMSTERDAM)
    # Half an hour on Thursday, then Good Friday, the weekend and Easter Monday pass, then 8.00-8.30.
    assert evaluate("kantooruren(1)", thursday_four_pm) == "2026-04-07T06:30:00+00:00"
    assert evaluate("kantooruren(0.5)", thursday_four_pm) == "2026-04-02T14:30:00+00:00"


def test_the_helpers_text_is_what_spiffworkflow_parses_as_a_timer_date():
    text = evaluate("werkdagen(2)")
    assert datetime.fromisoformat(text) == datetime(2026, 4, 8, 8, 0, tzinfo=UTC)


def test_a_decree_day_from_the_environment_is_skipped(monkeypatch):
    monkeypatch.setenv("SIGNAALROUTE_EXTRA_NON_WORKING_DAYS", "2026-04-07")
    assert evaluate("werkdagen(1)") == "2026-04-08T08:00:00+00:00"


def test_a_bad_environment_setting_fails_at_first_use_with_a_dutch_message_naming_it(monkeypatch):
    monkeypatch.setenv("SIGNAALROUTE_EXTRA_NON_WORKING_DAYS", "2026-04-07,7 april")
    with pytest.raises(sandbox.SandboxRuntimeError, match="Ongeldige datum '7 april'"):
        evaluate("werkdagen(1)")


@pytest.mark.parametrize("expression", [
    "werkdagen(-1)", "werkdagen(10**9)", "werkdagen(3651)", "werkdagen(1.5)", "werkdagen('3')",
    "werkdagen(True)", "werkdagen(float('nan'))",
])
def test_werkdagen_refuses_what_is_not_a_sensible_number_of_days_in_dutch(expression):
    with pytest.raises(sandbox.SandboxRuntimeError, match=r"werkdagen\(\) verwacht een geheel aantal werkdagen"):
        evaluate(expression)


@pytest.mark.parametrize("expression", ["kantooruren(-0.5)", "kantooruren(20001)", "kantooruren(float('inf'))"])
def test_kantooruren_refuses_what_is_not_a_sensible_number_of_hours_in_dutch(expression):
    with pytest.raises(sandbox.SandboxRuntimeError, match=r"kantooruren\(\) verwacht een aantal uren"):
        evaluate(expression)


def test_the_largest_allowed_amounts_still_give_an_answer():
    assert evaluate("werkdagen(3650)").startswith("2040-")
    assert evaluate("kantooruren(20000)").startswith("2035-")


@pytest.mark.parametrize(("expression", "due"), [
    # Thursday 2 April: Good Friday, the weekend and Easter Monday do not count.
    ("werkdagen(1)", datetime(2026, 4, 7, 10, 0, tzinfo=AMSTERDAM)),
    ("werkdagen(2)", datetime(2026, 4, 8, 10, 0, tzinfo=AMSTERDAM)),
])
def test_a_timedate_timer_with_werkdagen_waits_until_after_easter(expression, due):
    spec, subprocesses = bundle.load_bundle([SourceFile("t.bpmn", timer_process(expression))]).specs("p")
    workflow = runner.start(spec, subprocesses, {}, MAUNDY_THURSDAY)
    timers = runner.waiting_timers(workflow)
    assert [(t.element_id, t.kind) for t in timers] == [("wacht", "date")]
    assert timers[0].due_at == due


def test_a_timedate_timer_with_werkdagen_passes_the_deploy_checks():
    checked = bundle.check_bundle([SourceFile("t.bpmn", timer_process("werkdagen(2)"))], form_exists=lambda _: True)
    assert checked.executable_process_ids == ["p"]
