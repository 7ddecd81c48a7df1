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


@dataclass
class Publication:
    """The figures one page (or report) shows, with the sums that tie them together."""

    values: dict[Key, int] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    hidden: set[Key] = field(default_factory=set)

    def shown(self, key: Key) -> int | None:
        """The published value, or None when the cell is suppressed."""
        return None if key in self.hidden else self.values[key]


def _rref(rows: list[dict[Key, Fraction]]) -> list[dict[Key, Fraction]]:
    """Reduced row echelon form of sparse rows (dict column -> nonzero value), exact."""
    basis: list[tuple[Key, dict[Key, Fraction]]] = []  # (pivot, row), each row zero at the other pivots
    for original in rows:
        row = dict(original)
        for pivot, brow in basis:
            factor = row.get(pivot)
            if factor:
                for col, val in brow.items():
                    new = row.get(col, Fraction(0)) - factor * val
                    if new:
                        row[col] = new
                    else:
                        row.pop(col, None)
        if not row:
            continue
        pivot = min(row, key=repr)
        lead = row[pivot]
        row = {col: val / lead for col, val in row.items()}
        for i, (other_pivot, brow) in enumerate(basis):
            factor = brow.get(pivot)
            if factor:
                for col, val in row.items():
                    new = brow.get(col, Fraction(0)) - factor * val
                    if new:
                        brow[col] = new
                    else:
                        brow.pop(col, None)
                basis[i] = (other_pivot, brow)
        basis.append((pivot, row))
    return [row for _, row in basis]


def derivable(relations: Iterable[Relation], hidden: set[Key]) -> set[Key]:
    """The hidden cells that the published ones determine by linear combination."""
    rows: list[dict[Key, Fraction]] = []
    for relation in relations:
        row: dict[Key, Fraction] = defaultdict(Fraction)
        if relation.total in hidden:
            row[relation.total] += 1
        for part in relation.parts:
            if part in hidden:
                row[part] -= 1
        row = {k: v for k, v in row.items() if v}
        if row:
            rows.append(row)
    return {next(iter(row)) for row in _rref(rows) if len(row) == 1}


def _primary(values: Mapping[Key, int], threshold: int) -> set[Key]:
    return {key for key, value in values.items() if 0 < value < threshold}


def _complement(publication: Publication, by_key: Mapping[Key, list[Relation]], hidden: set[Key],
                cell: Key) -> Key:
    """The published cell to hide next so that ``cell`` is no longer pinned down.

    Looks at the equations through ``cell`` first, then (breadth first) at the equations through
    the hidden cells those reach: a cell can be pinned down by a chain of equations. Within the
    nearest equations it prefers a non-zero part with the smallest value, then a zero, then a
    total, so totals stay readable as long as possible.
    """
    seen, frontier = {cell}, [cell]
    while frontier:
        choices = []
        reached: list[Key] = []
        for key in frontier:
            for relation in by_key[key]:
                for member in (relation.total, *relation.parts):
                    if member in hidden:
                        if member not in seen:
                            seen.add(member)
                            reached.append(member)
                        continue
                    value = publication.values[member]
                    kind = 2 if member == relation.total else (0 if value > 0 else 1)
                    choices.append((kind, value, repr(member), member))
        if choices:
            return min(choices)[3]
        frontier = reached
    raise AssertionError("suppression found no cell to hide")  # a pinned cell always has a published neighbour


def suppress(publication: Publication, *, threshold: int = THRESHOLD) -> Publication:
    """Hide small cells, then hide the fewest/smallest extra cells until none can be computed back.

    Greedy (see :func:`_complement`): each round hides one more cell, so it ends, and it ends only
    when the exact check above finds no hidden cell that the published ones determine.
    """
    hidden = _primary(publication.values, threshold)
    by_key: dict[Key, list[Relation]] = defaultdict(list)
    for relation in publication.relations:
        for key in (relation.total, *relation.parts):
            by_key[key].append(relation)
    while True:
        found = derivable(publication.relations, hidden)
        if not found:
            break
        hidden.add(_complement(publication, by_key, hidden, min(found, key=repr)))
    publication.hidden = hidden
    return publication
