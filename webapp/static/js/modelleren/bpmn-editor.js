/* Signaalroute, Modelleren: the BPMN draft page. bpmn-js Modeler + our properties panel + bpmnlint hints. */
(function () {
  'use strict';

  var root = document.getElementById('modelleren');
  if (!root || !window.BpmnJS || !window.SignaalrouteConcept) { return; }
  // Dutch labels (vertaling.js) and the minimap (diagram-js-minimap) as additional diagram-js modules.
  var modules = [];
  if (window.SignaalrouteVertaling) { modules.push(window.SignaalrouteVertaling.module); }
  if (window.DiagramJSMinimap) { modules.push(window.DiagramJSMinimap); }
  if (window.SignaalrouteContextPad) { modules.push(window.SignaalrouteContextPad); }
  var modeler = new window.BpmnJS({ container: '#canvas', additionalModules: modules, minimap: { open: window.matchMedia('(min-width: 40rem)').matches } });
  var canvas = modeler.get('canvas');
  var registry = modeler.get('elementRegistry');
  var selection = modeler.get('selection');
  var commandStack = modeler.get('commandStack');
  var marked = [];
  var hinted = [];

  // "Toon in het model": the element in the middle of the canvas at 100 %, where its label is readable.
  function centre(element) {
    var box = canvas.viewbox();
    var scale = Math.max(box.scale, 1);
    var width = box.outer.width / scale;
    var height = box.outer.height / scale;
    var x = element.x + (element.width || 0) / 2;
    var y = element.y + (element.height || 0) / 2;
    if (element.waypoints && element.waypoints.length) {
      var middle = element.waypoints[Math.floor(element.waypoints.length / 2)];
      var before = element.waypoints[Math.floor(element.waypoints.length / 2) - 1] || middle;
      x = (middle.x + before.x) / 2;
      y = (middle.y + before.y) / 2;
    }
    canvas.viewbox({ x: x - width / 2, y: y - height / 2, width: width, height: height });
  }

  function shapeFor(id) {
    var element = registry.get(id);
    if (element) { return element; }
    // A problem may name a nested element (a timer definition, say): mark the shape that holds it.
    return registry.find(function (candidate) {
      var bo = candidate.businessObject;
      return !!bo && (bo.eventDefinitions || []).some(function (definition) { return definition.id === id; });
    }) || null;
  }

  var adapter = {
    importXML: function (xml) {
      return modeler.importXML(xml).then(function (result) {
        canvas.zoom('fit-viewport', 'auto');
        return (result.warnings || []).map(function (warning) { return warning.message.split('\n')[0]; });
      });
    },
    exportXML: function () {
      return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
    },
    onChange: function (callback) { modeler.on('commandStack.changed', callback); },
    has: function (id) { return !!shapeFor(id); },
    mark: function (ids) {
      ids.forEach(function (id) {
        var element = shapeFor(id);
        if (element && marked.indexOf(element.id) < 0) {
          canvas.addMarker(element, 'probleem');
          marked.push(element.id);
        }
      });
    },
    clear: function () {
      marked.forEach(function (id) { if (registry.get(id)) { canvas.removeMarker(id, 'probleem'); } });
      marked = [];
    },
    show: function (id) {
      var element = shapeFor(id);
      if (!element) { return; }
      centre(element);
      selection.select(element);
      var panel = document.getElementById('eigenschappen');
      var first = panel && panel.querySelector('input, select, textarea');
      if (first) { first.focus(); }
    }
  };

  function updateButtons() {
    var undo = root.querySelector('[data-actie="ongedaan"]');
    var redo = root.querySelector('[data-actie="opnieuw"]');
    undo.disabled = !commandStack.canUndo();
    redo.disabled = !commandStack.canRedo();
  }

  root.querySelector('[data-actie="ongedaan"]').addEventListener('click', function () { commandStack.undo(); });
  root.querySelector('[data-actie="opnieuw"]').addEventListener('click', function () { commandStack.redo(); });
  root.querySelector('[data-actie="passend"]').addEventListener('click', function () { canvas.zoom('fit-viewport', 'auto'); });
  modeler.on('commandStack.changed', updateButtons);

  // The editor alone on the screen (the Fullscreen API on our own block, so toolbar and panel come along).
  var full = root.querySelector('[data-actie="vol-scherm"]');
  if (root.requestFullscreen && document.fullscreenEnabled) {
    full.hidden = false;
    full.addEventListener('click', function () {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { root.requestFullscreen(); }
    });
    document.addEventListener('fullscreenchange', function () {
      var on = document.fullscreenElement === root;
      full.setAttribute('aria-pressed', on ? 'true' : 'false');
      full.textContent = on ? 'Volledig scherm sluiten' : 'Volledig scherm';
      canvas.resized();
    });
  }

  // The properties panel folds away for room to draw; the canvas then takes the full width.
  var fold = root.querySelector('[data-actie="paneel"]');
  var werkvlak = root.querySelector('.werkvlak');
  fold.addEventListener('click', function () {
    var hide = fold.getAttribute('aria-expanded') === 'true';
    fold.setAttribute('aria-expanded', hide ? 'false' : 'true');
    fold.textContent = hide ? 'Eigenschappen tonen' : 'Eigenschappen verbergen';
    werkvlak.classList.toggle('werkvlak--zonder-paneel', hide);
    document.getElementById('eigenschappen').hidden = hide;
    canvas.resized();
  });

  // bpmnlint: hints while drawing. The server's check decides; these only help earlier.
  var hintList = document.getElementById('hints');
  var lintTimer = null;
  function lint() {
    if (!window.SignaalrouteLint || !hintList) { return; }
    window.SignaalrouteLint.lint(modeler.getDefinitions()).then(function (issues) {
      hinted.forEach(function (id) { if (registry.get(id)) { canvas.removeMarker(id, 'hint'); } });
      hinted = [];
      hintList.replaceChildren();
      if (!issues.length) {
        var none = document.createElement('li');
        none.className = 'leeg';
        none.textContent = 'Geen hints.';
        hintList.append(none);
      }
      issues.forEach(function (issue) {
        var item = document.createElement('li');
        var element = issue.element_id ? registry.get(issue.element_id) : null;
        var name = element && element.businessObject && element.businessObject.name;
        item.textContent = issue.message + (issue.element_id ? ' (' + (name ? name + ', ' : '') + issue.element_id + ')' : '');
        hintList.append(item);
        if (element && element.type !== 'label' && hinted.indexOf(element.id) < 0) {
          canvas.addMarker(element, 'hint');
          hinted.push(element.id);
        }
      });
    }).catch(function () { /* a hint that fails is no reason to stop editing */ });
  }
  function lintSoon() {
    window.clearTimeout(lintTimer);
    lintTimer = window.setTimeout(lint, 600);
  }
  modeler.on('commandStack.changed', lintSoon);

  window.SignaalrouteConcept.start(adapter).then(function () {
    updateButtons();
    lint();
    return fetch(root.dataset.gegevensUrl, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (response) { return response.json(); })
      .then(function (meta) {
        window.SignaalroutePanel.attach(modeler, document.getElementById('eigenschappen'), meta).show(null);
      });
  });

  window.signaalrouteModeler = modeler;  // for browser tests and the curious; nothing depends on it
}());
