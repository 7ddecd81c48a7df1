// Shared by the case page (zaakdiagram.js) and the auditor's step-through (afspelen.js).
// When every waiting task of a diagram lies inside one collapsed sub-process, open that sub-process's
// plane (bpmn-js drill-down; its breadcrumb leads back), so the marked task is what the reader sees.
window.Signaalroute = window.Signaalroute || {};
window.Signaalroute.showWhereItWaits = function (viewer, ids) {
  var canvas = viewer.get('canvas');
  var registry = viewer.get('elementRegistry');
  if (!canvas.findRoot) { return; }
  var roots = ids.map(function (id) { return registry.get(id); }).filter(function (el) {
    return el && !/SubProcess|CallActivity/.test(el.type);
  }).map(function (el) { return canvas.findRoot(el); });
  if (!roots.length || !roots[0]) { return; }
  if (roots.every(function (root) { return root === roots[0]; }) && roots[0] !== canvas.getRootElement()) {
    canvas.setRootElement(roots[0]);
    canvas.zoom('fit-viewport');
  }
};
