"""No suppressed count can be computed back from what is published.

The checker here is independent of engine.monitoring.suppression: it writes every published cell
as a linear form over the finest cells (gemeente x month x field x category) and asks, by its own
exact elimination, whether a hidden cell's form lies in the span of the published ones.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from engine.db import unit_of_work
from engine.monitoring import dashboard, suppression
from engine.monitoring.suppression import Publication, Relation
from tests.support.monitoring import generated_region

ALL = dashboard.ALL


class Span:
    """Row echelon basis of sparse rational vectors; ``contains`` says whether a vector is in their span."""

    def __init__(self) -> None:
        self.rows: dict[object, dict[object, Fraction]] = {}  # pivot -> row with 1 at pivot

    def _reduce(self, vector: dict[object, Fraction]) -> dict[object, Fraction]:
        v = {k: Fraction(x) for k, x in vector.items() if x}
        changed = True
        while changed:
            changed = False
            for col in sorted(v, key=repr):
                row = self.rows.get(col)
                if row is not None:
                    factor = v[col]
                    for k, x in row.items():
                        v[k] = v.get(k, Fraction(0)) - factor * x
                        if not v[k]:
                            del v[k]
                    changed = True
                    break
        return v

    def add(self, vector: dict[object, Fraction]) -> None:
        v = self._reduce(vector)
        if v:
            pivot = min(v, key=repr)
            self.rows[pivot] = {k: x / v[pivot] for k, x in v.items()}

    def contains(self, vector: dict[object, Fraction]) -> bool:
        return not self._reduce(vector)


def base_form(key, gemeenten, categories, months_of, first_dim):
    """The cell as a sum of finest cells (g, y, m, dim, c); a total counts the first field's cells."""
    g, y, m, dim, c = key
    form: dict[object, Fraction] = {}
    dims = [(first_dim, categories[first_dim])] if dim == ALL else [(dim, [c])]
    for gg in (gemeenten if g == ALL else [g]):
        for mm in (months_of(y) if m == ALL else [m]):
            for d, cats in dims:
                for cc in cats:
                    form[(gg, y, mm, d, cc)] = Fraction(1)
    return form


def assert_nothing_derivable(published: dashboard.Published, counts: dashboard.Counts, scope: dashboard.Scope):
    year = published.year
    keys = {**{k: published.months for k in published.months.values}}
    for y, layer in published.years.items():
        if y != year:
            keys.update({k: layer for k in layer.values})
    gemeenten = list(scope.gemeenten) if scope.gemeente_id is None else [scope.gemeente_id]
    # Gemeenten without any signal are fixed at zero: knowing more only makes more cells derivable.
    with_data = {g for (g, _, _, _) in counts.yearly}
    with_data |= {k[0] for k, layer in keys.items() if layer.shown(k) is None}
    gemeenten = [g for g in gemeenten if g in with_data]

    def months_of(y):
        return list(range(1, 13)) if y == year else [ALL]

    first = next(iter(dashboard.DIMENSIONS))
    dims_used = {k[3] for k in keys if k[3] != ALL}
    span = Span()
    for key, layer in keys.items():
        if layer.shown(key) is not None:
            form = base_form(key, gemeenten, counts.categories, months_of, first)
            if key[0] != ALL and key[0] not in gemeenten:
                continue  # a gemeente without signals: its cells are all zero and published
            span.add(form)
    for y in {k[1] for k in keys}:  # every field splits the same signals: these sums are equal, and known
        for g in gemeenten:
            for m in months_of(y):
                for dim in dims_used - {first}:
                    row = {(g, y, m, dim, c): Fraction(1) for c in counts.categories[dim]}
                    for c in counts.categories[first]:
                        row[(g, y, m, first, c)] = Fraction(-1)
                    span.add(row)
    hidden = [k for k, layer in keys.items() if layer.shown(k) is None]
    for key in hidden:
        assert key[0] == ALL or key[0] in gemeenten
        assert not span.contains(base_form(key, gemeenten, counts.categories, months_of, first)), key
    return hidden


@pytest.mark.parametrize(("role", "org"), [("ketenregisseur", "fryslan-ketenregisseur"), ("af", "leeuwarden")])
def test_no_cell_of_any_published_table_is_derivable(region, role, org):
    generated_region(region)
    with unit_of_work(region.factory) as session:
        actor = region.person(role, org)
        scope = dashboard.scope_for(session, actor)
        pages = {year: dashboard._published(session, scope, year)[0] for year in (2025, 2026)}
        # A year's figures look the same on every page that shows them (its own page, the trend on
        # another year's page, the reports): one page can never complete another.
        for year, page in pages.items():
            for other, other_page in pages.items():
                for key in other_page.years[year].values:
                    assert page.shown(key) == other_page.shown(key), (year, other, key)
        for year in (2025, 2026):
            published, counts = dashboard._published(session, scope, year)
            hidden = assert_nothing_derivable(published, counts, scope)
            assert hidden if year == 2026 else True
            for key, value in published.months.values.items():  # every small count is among the hidden
                if 0 < value < suppression.THRESHOLD:
                    assert published.shown(key) is None


def test_the_issues_example_cannot_be_undone_by_subtraction():
    # A total of 10 next to 7 and one small cell: hiding the 3 alone would leave 10 - 7.
    cells = {("a",): 7, ("b",): 3, ("t",): 10}
    result = suppression.suppress(Publication(dict(cells), [Relation(("t",), (("a",), ("b",)))]))
    assert ("b",) in result.hidden and (("a",) in result.hidden or ("t",) in result.hidden)
    assert result.shown(("t",)) == 10  # the part is hidden, not the total


def random_table(rng: random.Random, rows: int, cols: int) -> Publication:
    values = {}
    for r in range(rows):
        for c in range(cols):
            values[(r, c)] = rng.choice([0, 0, 1, 2, 3, 4, 5, 7, 9, 12, 30])
    for r in range(rows):
        values[(r, "*")] = sum(values[(r, c)] for c in range(cols))
    for c in range(cols):
        values[("*", c)] = sum(values[(r, c)] for r in range(rows))
    values[("*", "*")] = sum(values[(r, "*")] for r in range(rows))
    relations = [Relation((r, "*"), tuple((r, c) for c in range(cols))) for r in range(rows)]
    relations += [Relation(("*", c), tuple((r, c) for r in range(rows))) for c in range(cols)]
    relations += [Relation(("*", "*"), tuple((r, "*") for r in range(rows))),
                  Relation(("*", "*"), tuple(("*", c) for c in range(cols)))]
    return Publication(values, relations)


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_keep_every_hidden_cell_undeterminable(seed):
    rng = random.Random(seed)
    rows, cols = rng.randint(2, 6), rng.randint(2, 6)
    table = suppression.suppress(random_table(rng, rows, cols))
    span = Span()
    forms = {}
    for key in table.values:  # as sums of the inner cells
        r, c = key
        forms[key] = {(rr, cc): Fraction(1) for rr in (range(rows) if r == "*" else [r])
                      for cc in (range(cols) if c == "*" else [c])}
    for key, form in forms.items():
        if key not in table.hidden:
            span.add(form)
    for key in table.hidden:
        assert not span.contains(forms[key]), key
    assert all(key in table.hidden for key, v in table.values.items() if 0 < v < suppression.THRESHOLD)
