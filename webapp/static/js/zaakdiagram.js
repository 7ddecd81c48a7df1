// Case page: draw the deployed diagram the case runs on, mark the path taken ('zaak-bezocht') and the open
// steps ('zaak-open'), and give every called process the case went through its own marked diagram below,
// reached by clicking the call activity. Same data and approach as the auditor's step-through (afspelen.js).
// Progressive enhancement: the open tasks are listed as text on the page already.
(function () {
  'use strict';
  var box = document.querySelector('[data-verloop]');
  if (!box || typeof window.BpmnJS !== 'function') { return; }

  function load(url, asJson) {
    return fetch(url, { credentials: 'same-origin' }).then(function (response) {
      if (!response.ok) { throw new Error('HTTP ' + response.status); }
      return asJson ? response.json() : response.text();
    });
  }

  function badge(text, className) {
    var el = document.createElement('span');
    el.className = className;
    el.textContent = text;
    return el;
  }


  function draw(container, processId, progress) {
    var viewer = new window.BpmnJS({ container: container });
    return load(progress.models[processId], false).then(function (xml) {
      return viewer.importXML(xml);
    }).then(function () {
      var canvas = viewer.get('canvas');
      var overlays = viewer.get('overlays');
      var registry = viewer.get('elementRegistry');
      var prefix = processId + ':';
      canvas.zoom('fit-viewport');
      Object.keys(progress.visited).forEach(function (key) {
        var id = key.slice(prefix.length);
        if (key.indexOf(prefix) !== 0 || !registry.get(id)) { return; }
        canvas.addMarker(id, 'zaak-bezocht');
      });
      var open = [];
      progress.active.forEach(function (key) {
        var id = key.slice(prefix.length);
        if (key.indexOf(prefix) !== 0 || !registry.get(id)) { return; }
        open.push(id);
        canvas.addMarker(id, 'zaak-open');
        overlays.add(id, { position: { bottom: 4, left: -8 }, html: badge('open', 'zaak-open-label') });
      });
      window.Signaalroute.showWhereItWaits(viewer, open);
      viewer.get('eventBus').on('element.click', function (event) {
        var called = event.element.businessObject && event.element.businessObject.calledElement;
        var target = called && document.getElementById('deelproces-' + called);
        if (target) { target.scrollIntoView(); target.focus(); }
      });
      container.dataset.geladen = 'ja';
    });
  }

  load(box.dataset.verloop, true).then(function (progress) {
    var main = document.getElementById('zaak-diagram');
    if (!progress.path_known) {
      box.insertBefore(badge('Het gevolgde pad kon niet worden bepaald; de openstaande stappen zijn gemarkeerd.',
        'hulp'), main);
    }
    var work = [draw(main, progress.process_id, progress)];
    Object.keys(progress.processes).forEach(function (processId) {
      if (processId === progress.process_id || !progress.models[processId]) { return; }
      var section = document.createElement('section');
      section.className = 'zaak-deelproces';
      section.id = 'deelproces-' + processId;
      section.tabIndex = -1;
      var heading = document.createElement('h3');
      heading.className = 'utrecht-heading-3';
      heading.textContent = 'Deelproces: ' + progress.processes[processId];
      var diagram = document.createElement('div');
      diagram.className = 'zaak-diagram';
      diagram.dataset.proces = processId;
      section.appendChild(heading);
      section.appendChild(diagram);
      box.appendChild(section);
      work.push(draw(diagram, processId, progress));
    });
    return Promise.all(work);
  }).catch(function () {
    box.textContent = 'Het diagram kon niet worden getoond; de openstaande taken staan hierboven.';
  });
}());
