// Afspelen: draw the recorded version's diagram and mark, for the chosen step, how often each element
// completed (a count badge) and which elements wait (a token marker). Progressive enhancement: the page
// already lists all of this as text; without the viewer nothing is lost.
(function () {
  'use strict';
  var box = document.getElementById('diagram');
  if (!box || typeof window.BpmnJS !== 'function') { return; }

  function badge(text, className) {
    var el = document.createElement('span');
    el.className = className;
    el.textContent = text;
    return el;
  }

  function load(url, asJson) {
    return fetch(url, { credentials: 'same-origin' }).then(function (response) {
      if (!response.ok) { throw new Error('HTTP ' + response.status); }
      return asJson ? response.json() : response.text();
    });
  }

  var viewer = new window.BpmnJS({ container: box });
  Promise.all([load(box.dataset.model, false), load(box.dataset.trace, true)]).then(function (loaded) {
    return viewer.importXML(loaded[0]).then(function () { return loaded[1]; });
  }).then(function (trace) {
    var canvas = viewer.get('canvas');
    var overlays = viewer.get('overlays');
    var registry = viewer.get('elementRegistry');
    var step = trace.steps[Number(box.dataset.step) - 1];
    var prefix = box.dataset.process + ':';
    canvas.zoom('fit-viewport');
    Object.keys(step.visited).forEach(function (key) {
      var id = key.slice(prefix.length);
      if (key.indexOf(prefix) !== 0 || !registry.get(id)) { return; }
      canvas.addMarker(id, 'afspelen-bezocht');
      overlays.add(id, { position: { top: -12, right: 12 }, html: badge(String(step.visited[key]), 'afspelen-teller') });
    });
    step.active.forEach(function (key) {
      var id = key.slice(prefix.length);
      if (key.indexOf(prefix) !== 0 || !registry.get(id)) { return; }
      canvas.addMarker(id, 'afspelen-actief');
      overlays.add(id, { position: { bottom: 4, left: -8 }, html: badge('wacht', 'afspelen-token') });
    });
  }).catch(function () {
    box.textContent = 'Het diagram kon niet worden getoond; de stappen staan hieronder als tekst.';
  });
}());
