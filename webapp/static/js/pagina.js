// Small enhancements for every page; an external file, because the CSP allows no inline script.
document.addEventListener("DOMContentLoaded", () => {
  // After a failed submit the page opens on its error summary: focus moves there, so a screen reader reads
  // the errors first and Tab leads to the links into the fields (NL Design System error summary pattern).
  const summary = document.querySelector(".foutsamenvatting[tabindex='-1']");
  if (summary) {
    summary.focus();
  }

  // A table wider than the screen scrolls inside its own box (WCAG 1.4.10); keyboard users must be able to
  // reach that box to scroll it, so a table that overflows joins the tab order (and leaves it when it fits).
  const tables = Array.from(document.querySelectorAll("table.utrecht-table"));
  const reachable = () => {
    for (const table of tables) {
      if (table.scrollWidth > table.clientWidth + 1) {
        table.setAttribute("tabindex", "0");
      } else if (table.getAttribute("tabindex") === "0") {
        table.removeAttribute("tabindex");
      }
    }
  };
  reachable();
  window.addEventListener("resize", reachable);
});
