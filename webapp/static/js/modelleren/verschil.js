/* Signaalroute, Modelleren: two versions side by side, what changed marked (the server computed it). */
(function () {
  'use strict';

  var root = document.getElementById('verschil');
  if (!root || !window.BpmnJS) { return; }
  var markers = JSON.parse(root.dataset.markers || '{}');

  function open(container, url, kinds) {
    var viewer = new window.BpmnJS({ container: container });
    return fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (response) { return response.json(); })
      .then(function (body) { return viewer.importXML(body.xml); })
      .then(function () {
        var canvas = viewer.get('canvas');
        var registry = viewer.get('elementRegistry');
        canvas.zoom('fit-viewport', 'auto');
        kinds.forEach(function (kind) {
          (markers[kind] || []).forEach(function (id) {
            if (registry.get(id)) { canvas.addMarker(id, 'verschil--' + kind); }
          });
        });
        return viewer;
      });
  }

  Promise.all([
    open('#canvas-oud', root.dataset.oudUrl, ['verwijderd', 'gewijzigd']),
    open('#canvas-nieuw', root.dataset.nieuwUrl, ['toegevoegd', 'gewijzigd'])
  ]).then(function (viewers) {
    root.dataset.geladen = 'ja';
    window.signaalrouteVerschil = viewers;  // for browser tests
  }).catch(function (error) {
    var note = document.createElement('p');
    note.className = 'melding melding--fout';
    note.textContent = 'De diagrammen konden niet worden getoond: ' + error.message + '. De tabel hieronder noemt elk verschil.';
    root.before(note);
  });
}());
