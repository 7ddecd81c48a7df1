"""Specs are complete before threads share them: a half-built spec strands the case started on it."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor

from engine.modelling import specs
from engine.models import Deployment, ModelFile, ProcessDefinition
from engine.workflow import runner, shared_specs
from engine.workflow.bundle import SourceFile
from tests.support.base import START, model_files
from tests.support.chain import MODEL_FILES
from tests.support.restart_anywhere import CONSTRUCTS

THREADS = 16


def _definition(files, process_id: str) -> ProcessDefinition:
    """A deployment as the database would hand it over (not stored: the cache keys on its hash only)."""
    rows = [ModelFile(filename=f.filename, kind=f.kind, content=f.content, sha256=hashlib.sha256(f.content).hexdigest())
            for f in files]
    digest = hashlib.sha256(b"".join(bytes.fromhex(r.sha256) for r in rows)).hexdigest()
    return ProcessDefinition(deployment=Deployment(sha256=digest, files=rows), process_id=process_id)


def _all_at_once(work, count: int = THREADS):
    barrier = threading.Barrier(count)

    def go(_index: int):
        barrier.wait()
        return work()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(go, range(count)))


def test_a_thread_never_starts_a_case_on_a_spec_another_thread_is_still_building():
    """The interleaving forced: thread A pauses in the middle of building (spec assigned, tasks not yet
    connected) until thread B has asked for the spec too, or a second has passed (B is kept waiting)."""
    specs.forget_all()
    definition = _definition(model_files("drie_taken.bpmn"), "drie_taken")
    process_parser = specs.bundle_for(definition.deployment).parser.process_parsers["drie_taken"]
    inside, asked = threading.Event(), threading.Event()
    parse_node = process_parser.parse_node

    def paused_parse_node(node):
        if not inside.is_set():
            inside.set()
            asked.wait(timeout=1)
        return parse_node(node)

    process_parser.parse_node = paused_parse_node

    def start_case(wait_for_a: bool):
        if wait_for_a:
            inside.wait(timeout=5)
        try:
            spec, subprocess_specs = specs.specs_for(definition)
            workflow = runner.start(spec, subprocess_specs, {}, START)
            return [t.element_id for t in runner.ready_human_tasks(workflow)]
        except Exception as exc:  # noqa: BLE001 - a half-built spec fails in many ways; report which
            return [type(exc).__name__]
        finally:
            if wait_for_a:
                asked.set()

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(start_case, [False, True]))
    assert results == [["verrijken"], ["verrijken"]]


def test_cases_started_by_many_threads_on_a_cold_cache_all_wait_for_their_first_task():
    specs.forget_all()
    definition = _definition(model_files("drie_taken.bpmn"), "drie_taken")

    def start_case():
        spec, subprocess_specs = specs.specs_for(definition)
        return [t.element_id for t in runner.ready_human_tasks(runner.start(spec, subprocess_specs, {}, START))]

    assert _all_at_once(start_case) == [["verrijken"]] * THREADS


def test_every_thread_gets_the_whole_region_route_on_a_cold_cache():
    """The biggest model, with its call activities: each thread's spec equals one built alone."""
    files = [SourceFile(p.name, p.read_bytes()) for p in MODEL_FILES]
    process_id = "signaal_oost_brabant"
    alone, alone_subs = shared_specs.build(specs._parse_stored(files), process_id)
    expected = (shared_specs._SPEC_REGISTRY.convert(alone),
                {k: shared_specs._SPEC_REGISTRY.convert(v) for k, v in alone_subs.items()})
    specs.forget_all()
    definition = _definition(files, process_id)

    def built():
        spec, subprocess_specs = specs.specs_for(definition)
        return (shared_specs._SPEC_REGISTRY.convert(spec),
                {k: shared_specs._SPEC_REGISTRY.convert(v) for k, v in subprocess_specs.items()})

    assert all(result == expected for result in _all_at_once(built))


def test_a_shared_spec_is_rebuilt_the_way_spiffworkflow_restores_it():
    """Loop children are wired to their parent's merge before any child ran in this process."""
    files = [SourceFile(name, (CONSTRUCTS / name).read_bytes())
             for name in ("lus_zonder_voorwaarde.bpmn", "mi_sequentieel_aantal.bpmn")]
    bundle = specs._parse_stored(files)
    loops = []
    for process_id in ("lus_zonder_voorwaarde", "mi_sequentieel_aantal"):
        spec, _ = shared_specs.build(bundle, process_id)
        loops += [(spec, ts) for ts in spec.task_specs.values() if hasattr(ts, "merge_child")]
    assert len(loops) == 2
    for spec, loop in loops:
        assert spec.task_specs[loop.task_spec].completed_event.is_connected(loop.merge_child)
