"""Where a replayed step stands inside called processes and sub-processes, in words and per diagram.

A waiting task inside a called process (``overdracht_partners:overdracht_politie``) is invisible on the
case's main diagram; this module names the call activity or sub-process box in each parent that leads to
it, so the auditor's step-through can mark that box and say, in Dutch, what waits inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.audit.replay_names import ElementNames
from engine.models import ProcessDefinition


@dataclass(frozen=True)
class Call:
    parent: str       # process id that holds the box
    element: str      # the call activity or sub-process element id
    called: str       # process id it runs (for an embedded sub-process: its own element id)

    @property
    def key(self) -> str:
        return f"{self.parent}:{self.element}"

    @property
    def embedded(self) -> bool:
        """An embedded sub-process runs a spec named after its own element; a call activity names another."""
        return self.called == self.element


@dataclass
class Position:
    containers: dict[str, list[str]] = field(default_factory=dict)  # box key -> active keys somewhere inside
    sentences: list[dict[str, str]] = field(default_factory=list)     # {"tekst": "in ‘A’ → ‘B’ wacht", "box": ...}
    called: dict[str, str] = field(default_factory=dict)              # box key -> process id it runs
    labels: dict[str, str] = field(default_factory=dict)              # box key -> "hier binnen: ‘B’"


class Model:
    """The calls and element names of one process version (built from its parsed specs)."""

    def __init__(self, definition: ProcessDefinition):
        self.main = definition.process_id
        self.element_names = ElementNames([definition])
        self.process_names: dict[str, str] = dict(self.element_names.processes)
        self.calls: list[Call] = [Call(e.process, e.element, e.calls)
                                  for e in self.element_names.elements.values() if e.calls]

    def embedded(self) -> list[str]:
        """Process ids that are drawn inside their parent's diagram (embedded sub-processes)."""
        return sorted({c.called for c in self.calls if c.embedded})

    def chains(self, key: str) -> list[list[Call]]:
        """Every chain of boxes from the main process down to the process of ``key`` (outermost first).

        A process called from two boxes gives two chains: the replayed tasks do not say which box ran it.
        """
        process = key.split(":", 1)[0]

        def up(current: str, seen: frozenset[str]) -> list[list[Call]]:
            if current == self.main:
                return [[]]
            found = []
            for call in self.calls:
                if call.called == current and call.parent not in seen:
                    found += [[*chain, call] for chain in up(call.parent, seen | {current})]
            return found

        return up(process, frozenset())

    def position(self, active: list[str]) -> Position:
        """The boxes holding each active key, and one Dutch sentence per active position inside a box."""
        found = Position()
        for key in active:
            for chain in self.chains(key):
                if not chain:
                    continue
                for call in chain:
                    inside = found.containers.setdefault(call.key, [])
                    if key not in inside:
                        inside.append(key)
                path = " → ".join(self.element_names.quoted(c.key) for c in chain)
                sentence = f"in {path} → {self.element_names.quoted(key)} wacht"
                # The diagram to open is that of the innermost called process: an embedded sub-process
                # inside it is drawn on a plane of that same diagram (only in the main process is it its own box).
                drawn_in = [c for c in chain if not c.embedded] or chain
                if all(s["tekst"] != sentence for s in found.sentences):  # boxes calling the same process read alike
                    found.sentences.append({"tekst": sentence, "box": drawn_in[-1].key})
                found.called.update({c.key: c.called for c in chain})
        for box, keys in found.containers.items():
            more = f" en {len(keys) - 1} meer" if len(keys) > 1 else ""
            found.labels[box] = f"hier binnen: {self.element_names.quoted(keys[0])}{more}"
        return found


def describe(definition: ProcessDefinition, active: list[str]) -> Position:
    """Building a Model is cheap: the parsed specs themselves are cached by :func:`specs_for`."""
    return Model(definition).position(active)
