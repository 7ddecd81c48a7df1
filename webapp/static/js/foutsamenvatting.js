// After a failed submit the page opens on its error summary: focus moves there, so a screen reader reads
// the errors first and Tab leads to the links into the fields (NL Design System "Foutmelding" pattern).
// An external file, because the CSP allows no inline script.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".foutsamenvatting[tabindex='-1']");
  if (summary) {
    summary.focus();
  }
});
