/* Signaalroute, Modelleren: the DMN draft page. dmn-js opens straight on the decision table. */
(function () {
  'use strict';

  var root = document.getElementById('modelleren');
  if (!root || !window.DmnJS || !window.SignaalrouteConcept) { return; }
  // No input debounce: an edit typed just before "Controleren" must be in the XML that is sent.
  if (root.dataset.stijlNonce && window.DmnJS.styleNonce) { window.DmnJS.styleNonce(root.dataset.stijlNonce); }
  // Dutch labels for every view. Per view: dmn-js replaces a `common.additionalModules` by its own.
  var modules = window.SignaalrouteVertaling ? [window.SignaalrouteVertaling.module] : [];
  var modeler = new window.DmnJS({
    container: '#canvas',
    common: { debounceInput: false },
    drd: { additionalModules: modules.concat(window.SignaalrouteContextPad ? [window.SignaalrouteContextPad] : []) },
    decisionTable: { additionalModules: modules },
    literalExpression: { additionalModules: modules },
    boxedExpression: { additionalModules: modules }
  });
  var marked = [];
  var listeners = [];

  function cells(id) {
    return Array.prototype.slice.call(document.querySelectorAll('#canvas [data-element-id="' + CSS.escape(id) + '"]'));
  }

  function watchActiveViewer() {
    var viewer = modeler.getActiveViewer();
    if (!viewer) { return; }
    listeners.forEach(function (callback) { viewer.on('elements.changed', callback); });
  }

  var adapter = {
    importXML: function (xml) {
      return modeler.importXML(xml).then(function (result) {
        var table = modeler.getViews().find(function (view) { return view.type === 'decisionTable'; });
        var opened = table ? modeler.open(table) : Promise.resolve();
        return opened.then(function () {
          watchActiveViewer();
          return (result.warnings || []).map(function (warning) { return warning.message.split('\n')[0]; });
        });
      });
    },
    exportXML: function () {
      return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
    },
    onChange: function (callback) {
      listeners.push(callback);
      var viewer = modeler.getActiveViewer();
      if (viewer) { viewer.on('elements.changed', callback); }
    },
    has: function (id) { return cells(id).length > 0; },
    mark: function (ids) {
      ids.forEach(function (id) {
        cells(id).forEach(function (cell) { cell.classList.add('probleem-cel'); marked.push(cell); });
      });
    },
    clear: function () {
      marked.forEach(function (cell) { cell.classList.remove('probleem-cel'); });
      marked = [];
    },
    show: function (id) {
      var found = cells(id)[0];
      if (found) {
        found.scrollIntoView({ block: 'center' });
        if (typeof found.focus === 'function') { found.focus(); }
      }
    }
  };

  modeler.on('views.changed', watchActiveViewer);
  window.SignaalrouteConcept.start(adapter);
  window.signaalrouteDmn = modeler;  // for browser tests and the curious; nothing depends on it
}());
