"""Charts as SVG, drawn by pygal (pinned in pyproject.toml) from a published table's own numbers.

The SVG is shown as an image with a text alternative and the table beside it carries the same
figures, so a screen reader reads the table; suppressed cells are gaps, never a guessed value.
No script is embedded (``js=[]``): the page's CSP allows none, and an image runs none anyway.
"""

from __future__ import annotations

import sys

import pygal
from pygal.style import Style

# pygal 3.1 appends a legacy import hook (for its map plugins, unused here) to sys.meta_path; on
# Python 3.11 every import that reaches it warns (ImportWarning), which the tests treat as errors.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

from engine.monitoring.dashboard import Table  # noqa: E402 - after the hook is gone

# Colours with at least 3:1 contrast against white and against each other's neighbours in a stack.
_STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#1a1a1a", foreground_strong="#1a1a1a",
    foreground_subtle="#555555", font_family="Noto Sans, Arial, sans-serif",
    colors=("#0b3d91", "#c0392b", "#1e7b34", "#8e44ad", "#b35c00", "#00737a", "#5a5a5a", "#a0226b"),
    label_font_size=13, major_label_font_size=13, legend_font_size=13, title_font_size=15,
)


def svg(table: Table) -> bytes:
    """The table's chart: stacked bars per period, horizontal bars per gemeente, lines for lead times."""
    kind = {"stacked": pygal.StackedBar, "hbar": pygal.HorizontalStackedBar, "line": pygal.Line}.get(
        table.chart, pygal.Bar)
    # Horizontal bars get a line per gemeente, so 30 names stay readable.
    height = max(420, 160 + 24 * len(table.x_labels)) if table.chart == "hbar" else 420
    chart = kind(style=_STYLE, js=[], disable_xml_declaration=False, width=800, height=height,
                 legend_at_bottom=True, legend_at_bottom_columns=3, print_values=False, show_y_guides=True,
                 x_label_rotation=0 if len(table.x_labels) <= 12 else 45, truncate_legend=40,
                 allow_interruptions=True, include_x_axis=True, title=table.title,
                 no_data_text="Geen gegevens")
    chart.x_labels = table.x_labels
    for name, values in table.series:
        chart.add(name, values)
    rendered: bytes = chart.render()
    return rendered
