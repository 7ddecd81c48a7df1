// Afspelen: draw the recorded version's diagram and mark, for the chosen step, how often each element
// completed (a count badge) and which elements wait (a token marker). A call activity or sub-process box
// that holds a waiting position is marked too ('afspelen-bevat-actief', labelled "hier binnen: ..."); a
// click on it (or on the button beside its sentence in the text list) draws the called process below,
// marked the same way. Progressive enhancement: the page already lists all of this as text.
(function () {
  'use strict';
  var box = document.getElementById('diagram');
  if (!box || typeof window.BpmnJS !== 'function') { return; }
  var inner = document.getElementById('deelproces');
  var innerBox = document.getElementById('deelproces-diagram');
  var innerViewer = null;

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


  // Mark one diagram: every key whose process part is the drawn process (or an embedded sub-process
  // drawn inside it) names an element of this diagram.
  function mark(viewer, processId, step, onBox) {
    var canvas = viewer.get('canvas');
    var overlays = viewer.get('overlays');
    var registry = viewer.get('elementRegistry');
    var own = [processId].concat(step.embedded || []);
    function element(key) {
      var cut = key.indexOf(':');
      if (own.indexOf(key.slice(0, cut)) < 0) { return null; }
      var id = key.slice(cut + 1);
      return registry.get(id) ? id : null;
    }
    canvas.zoom('fit-viewport');
    Object.keys(step.visited).forEach(function (key) {
      var id = element(key);
      if (!id) { return; }
      canvas.addMarker(id, 'afspelen-bezocht');
      overlays.add(id, { position: { top: -12, right: 12 }, html: badge(String(step.visited[key]), 'afspelen-teller') });
    });
    var waiting = [];
    step.active.forEach(function (key) {
      var id = element(key);
      if (!id) { return; }
      waiting.push(id);
      canvas.addMarker(id, 'afspelen-actief');
      overlays.add(id, { position: { bottom: 4, left: -8 }, html: badge('wacht', 'afspelen-token') });
    });
    Object.keys(step.containers || {}).forEach(function (key) {
      var id = element(key);
      if (!id) { return; }
      canvas.addMarker(id, 'afspelen-bevat-actief');
      overlays.add(id, { position: { top: -28, left: 0 }, html: badge(step.labels[key], 'afspelen-binnen') });
    });
    window.Signaalroute.showWhereItWaits(viewer, waiting);
    viewer.get('eventBus').on('element.click', function (event) {
      var key = Object.keys(step.calls || {}).filter(function (k) { return element(k) === event.element.id; })[0];
      if (key) { onBox(key); }
    });
  }

  function openBox(step, key) {
    var called = step.calls[key];
    if (!step.models[called]) {
      // An embedded sub-process is part of the diagram that holds it (the main one, or a called
      // process's drawn below): bpmn-js's own drill-down shows it.
      [mainViewer, innerViewer].some(function (viewer) {
        var canvas = viewer && viewer.get('canvas');
        var plane = canvas && canvas.findRoot && canvas.findRoot(called + '_plane');
        if (plane) { canvas.setRootElement(plane); }
        return Boolean(plane);
      });
      return Promise.resolve();
    }
    inner.hidden = false;
    document.getElementById('deelproces-kop').textContent = 'Deelproces: ' + step.processes[called];
    if (innerViewer) { innerViewer.destroy(); }
    innerViewer = new window.BpmnJS({ container: innerBox });
    innerBox.dataset.proces = called;
    return load(step.models[called], false).then(function (xml) {
      return innerViewer.importXML(xml);
    }).then(function () {
      mark(innerViewer, called, step, function (nested) { openBox(step, nested); });
      innerBox.dataset.geladen = 'ja';
      inner.focus();
    }).catch(function () {
      innerBox.textContent = 'Het diagram van dit deelproces kon niet worden getoond.';
    });
  }

  var mainViewer = new window.BpmnJS({ container: box });
  Promise.all([load(box.dataset.model, false), load(box.dataset.trace, true)]).then(function (loaded) {
    return mainViewer.importXML(loaded[0]).then(function () { return loaded[1]; });
  }).then(function (trace) {
    var step = trace.steps[Number(box.dataset.step) - 1];
    mark(mainViewer, box.dataset.process, step, function (key) { openBox(step, key); });
    var offered = {};
    document.querySelectorAll('[data-testid="positie"] li[data-box]').forEach(function (item) {
      // One button per box: every sentence below the first of a box would open the same diagram.
      if (!step.calls[item.dataset.box] || offered[item.dataset.box]) { return; }
      offered[item.dataset.box] = true;
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'utrecht-button utrecht-button--subtle afspelen-toon';
      button.textContent = 'Toon het diagram van dit deelproces';
      button.addEventListener('click', function () { openBox(step, item.dataset.box); });
      item.appendChild(document.createTextNode(' '));
      item.appendChild(button);
    });
    box.dataset.geladen = 'ja';
  }).catch(function () {
    box.textContent = 'Het diagram kon niet worden getoond; de stappen staan hieronder als tekst.';
  });
}());
