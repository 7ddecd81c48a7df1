"""Small-cell suppression that cannot be undone by arithmetic.

A count below ``THRESHOLD`` (but not 0) could point at a person in a small gemeente, so it is not
published (primary suppression). Hiding it is not enough when a total and the other cells of its
row are published: the subtraction gives it back. So more cells are hidden (complementary
suppression) until no hidden cell is a linear combination of what is published.

The check is exact linear algebra over the rationals. Every published figure is a cell of one
cube (gemeente x year x month x category); a total is the sum of the cells it covers. With the
published cells known, the hidden cells satisfy the equations "total - sum of parts = 0" reduced
to the hidden unknowns. A hidden cell ``s`` is derivable exactly when the unit vector ``e_s`` lies
in the row space of those equations, i.e. when the reduced row echelon form has a row that is
``e_s`` itself (an RREF row space vector's coordinate at each pivot is its coefficient).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

THRESHOLD = 5

Key = tuple[Hashable, ...]


@dataclass(frozen=True)
class Relation:
    """``total`` equals the sum of ``parts`` (all keys of the same publication)."""

    total: Key
    parts: tuple[Key, ...]


@dataclass(eq=False)  # compared by identity: a cached layer is the same object
class Publication:
    """The figures one page (or report) shows, with the sums that tie them together."""

    values: dict[Key, int] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    hidden: set[Key] = field(default_factory=set)

    def shown(self, key: Key) -> int | None:
        """The published value, or None when the cell is suppressed."""
        return None if key in self.hidden else self.values[key]


Row = dict[Key, int]
PRIME = (1 << 61) - 1  # the search runs modulo this prime; the final answer is checked exactly


def _rref(rows: list[dict[Key, Fraction]]) -> list[dict[Key, Fraction]]:
    """Reduced row echelon form of sparse rows (dict column -> nonzero value), exact."""
    basis: list[tuple[Key, dict[Key, Fraction]]] = []  # (pivot, row), each row zero at the other pivots
    for original in rows:
        row = dict(original)
        for pivot, brow in basis:
            factor = row.get(pivot)
            if factor:
                _axpy(row, brow, factor)
        if not row:
            continue
        pivot = min(row, key=repr)
        lead = row[pivot]
        row = {col: val / lead for col, val in row.items()}
        for _, brow in basis:
            factor = brow.get(pivot)
            if factor:
                _axpy(brow, row, factor)
        basis.append((pivot, row))
    return [row for _, row in basis]


def _axpy(target: dict[Key, Fraction], source: dict[Key, Fraction], factor: Fraction) -> None:
    """target -= factor * source, dropping zeros."""
    for col, val in source.items():
        new = target.get(col, Fraction(0)) - factor * val
        if new:
            target[col] = new
        else:
            target.pop(col, None)


def _rref_mod(rows: list[Row]) -> list[Row]:
    """The same reduction modulo PRIME: integer arithmetic, many times faster than fractions."""
    basis: dict[Key, Row] = {}
    for original in rows:
        row = dict(original)
        for pivot, brow in basis.items():
            factor = row.get(pivot)
            if factor:
                for col, val in brow.items():
                    new = (row.get(col, 0) - factor * val) % PRIME
                    if new:
                        row[col] = new
                    else:
                        row.pop(col, None)
        if not row:
            continue
        pivot = next(iter(row))
        lead = row[pivot]
        inverse = lead if lead in (1, PRIME - 1) else pow(lead, PRIME - 2, PRIME)  # ±1 is its own inverse
        row = {col: val * inverse % PRIME for col, val in row.items()}
        for brow in basis.values():
            factor = brow.get(pivot)
            if factor:
                for col, val in row.items():
                    new = (brow.get(col, 0) - factor * val) % PRIME
                    if new:
                        brow[col] = new
                    else:
                        brow.pop(col, None)
        basis[pivot] = row
    return list(basis.values())


def _hidden_rows(relations: Iterable[Relation], hidden: set[Key]) -> list[Row]:
    rows: list[Row] = []
    for relation in relations:
        row: Row = defaultdict(int)
        if relation.total in hidden:
            row[relation.total] += 1
        for part in relation.parts:
            if part in hidden:
                row[part] -= 1
        row = {k: v for k, v in row.items() if v}
        if row:
            rows.append(row)
    return rows


def derivable(relations: Iterable[Relation], hidden: set[Key]) -> set[Key]:
    """The hidden cells that the published ones determine by linear combination (exact)."""
    rows = [{k: Fraction(v) for k, v in row.items()} for row in _hidden_rows(relations, hidden)]
    return {next(iter(row)) for row in _rref(rows) if len(row) == 1}


def _derivable_fast(relations: Iterable[Relation], hidden: set[Key]) -> set[Key]:
    """:func:`derivable` modulo a large prime, for the search.

    It can differ from the exact answer only when the prime divides a minor of the system (for
    0/±1 rows of this size practically never); :func:`suppress` stops only when the exact check
    agrees, so the result is exact either way.
    """
    rows = [{k: v % PRIME for k, v in row.items()} for row in _hidden_rows(relations, hidden)]
    return {next(iter(row)) for row in _rref_mod(rows) if len(row) == 1}


def _primary(values: Mapping[Key, int], threshold: int) -> set[Key]:
    return {key for key, value in values.items() if 0 < value < threshold}


def _candidates(publication: Publication, by_key: Mapping[Key, list[Relation]], hidden: set[Key],
                cell: Key, fixed: set[Key], levels: int = 2) -> list[Key]:
    """Published cells near ``cell``: in the equations through it, then through the hidden cells those reach.

    Ordered by preference: a non-zero part with the smallest value, then a zero part, then a total,
    so totals stay readable as long as possible; a zero under a total of zero comes last (that it is
    zero is plain to anyone, so hiding it protects nothing in practice).
    """
    seen, frontier = {cell}, [cell]
    ranked: dict[Key, tuple[int, int, int, str]] = {}
    depth = 0
    while frontier and (depth < levels or not ranked):
        reached: list[Key] = []
        for key in frontier:
            for relation in by_key[key]:
                for member in (relation.total, *relation.parts):
                    if member in hidden or member in fixed:
                        if member in hidden and member not in seen:
                            seen.add(member)
                            reached.append(member)
                        continue
                    value = publication.values[member]
                    if value > 0:
                        kind = 2 if member == relation.total else 0
                    else:
                        kind = 3 if any(publication.values[r.total] == 0 for r in by_key[member]
                                        if member in r.parts) else 1
                    rank = (depth, kind, value, repr(member))
                    if member not in ranked or rank < ranked[member]:
                        ranked[member] = rank
        frontier = reached
        depth += 1
    return sorted(ranked, key=lambda k: ranked[k][1:] + (ranked[k][0],))


class _Search:
    """The greedy search's state: what is hidden, and which hidden cells are still pinned down.

    Hidden cells that share an equation form components; a cell's derivability depends on its
    component only, so after hiding one more cell only the component it joins is solved again.
    """

    def __init__(self, publication: Publication, hidden: set[Key], frozen: set[Key]):
        self.publication = publication
        self.hidden = hidden
        self.frozen = frozen
        self.by_key: dict[Key, list[Relation]] = defaultdict(list)
        for relation in publication.relations:
            for key in (relation.total, *relation.parts):
                self.by_key[key].append(relation)
        self.found = _derivable_fast(publication.relations, hidden)

    def component(self, start: Key, hidden: set[Key]) -> tuple[set[Key], list[Relation]]:
        members, frontier, relations, seen = {start}, [start], [], set()
        while frontier:
            key = frontier.pop()
            for relation in self.by_key[key]:
                if id(relation) in seen:
                    continue
                seen.add(id(relation))
                relations.append(relation)
                for member in (relation.total, *relation.parts):
                    if member in hidden and member not in members:
                        members.add(member)
                        frontier.append(member)
        return members, relations

    def found_with(self, cell: Key) -> set[Key]:
        """The pinned cells if ``cell`` were hidden too."""
        hidden = self.hidden | {cell}
        members, relations = self.component(cell, hidden)
        return (self.found - members) | _derivable_fast(relations, members)

    def hide(self, cell: Key) -> None:
        self.found = self.found_with(cell)
        self.hidden.add(cell)

    def complement(self, cell: Key, tries: int = 4) -> Key:
        """The published cell to hide next so that ``cell`` is no longer pinned down.

        Looks one step ahead: of the first few candidates it takes the one after which the fewest
        hidden cells stay derivable (``cell`` itself freed first), which avoids the long chains of
        hidden cells that a purely local choice starts.
        """
        candidates = _candidates(self.publication, self.by_key, self.hidden, cell, self.frozen)
        if not candidates:  # a pinned cell always has a published neighbour in its equations
            raise AssertionError("suppression found no cell to hide")
        best: tuple[int, int, int] | None = None
        chosen = candidates[0]
        for order, candidate in enumerate(candidates[:tries]):
            left = self.found_with(candidate)
            score = (int(cell in left), len(left), order)
            if best is None or score < best:
                best, chosen = score, candidate
            if score[:2] == (0, 0):
                break
        return chosen


def _no_lonely_hidden_cell(publication: Publication, hidden: set[Key], frozen: set[Key]) -> None:
    """A quick first pass: no equation may hold exactly one hidden cell (it would give it away).

    This necessary condition settles most of the work cheaply (one more cell per such equation, the
    smallest non-zero part, else a zero part, else the total); the exact search then handles what
    only a combination of equations reveals.
    """
    plain_zero = {p for r in publication.relations if publication.values[r.total] == 0 for p in r.parts}
    changed = True
    while changed:
        changed = False
        for relation in publication.relations:
            members = (relation.total, *relation.parts)
            if sum(1 for m in members if m in hidden) != 1:
                continue
            choices = [(0 if publication.values[p] > 0 else (3 if p in plain_zero else 1), publication.values[p],
                        repr(p), p) for p in relation.parts if p not in hidden and p not in frozen]
            if relation.total not in hidden and relation.total not in frozen:
                choices.append((2, publication.values[relation.total], repr(relation.total), relation.total))
            if choices:
                hidden.add(min(choices)[3])
                changed = True


def suppress(publication: Publication, *, threshold: int = THRESHOLD, fixed: Publication | None = None) -> Publication:
    """Hide small cells, then hide the fewest/smallest extra cells until none can be computed back.

    Greedy (see :class:`_Search`): each round hides one more cell, so it ends, and it ends only
    when the exact check (:func:`derivable`) finds no hidden cell that the published ones determine.

    ``fixed``: an already suppressed publication whose cells this one repeats (the year's figures
    under a month table). Its hidden cells stay hidden and its published cells stay published, so
    two pages that both show a cell show it the same way; only this publication's own cells are
    hidden as complements.
    """
    frozen: set[Key] = set()
    hidden = _primary(publication.values, threshold)
    if fixed is not None:
        publication.values.update(fixed.values)
        publication.relations = [*fixed.relations, *publication.relations]
        frozen = set(fixed.values)
        hidden = (hidden - frozen) | fixed.hidden
    _no_lonely_hidden_cell(publication, hidden, frozen)
    search = _Search(publication, hidden, frozen)
    while True:
        if not search.found:
            search.found = derivable(publication.relations, search.hidden)  # the exact word
            if not search.found:
                break
        search.hide(search.complement(min(search.found, key=repr)))
    publication.hidden = search.hidden
    return publication
