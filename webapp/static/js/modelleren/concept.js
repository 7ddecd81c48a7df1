/* Signaalroute, Modelleren: what every draft page does, whatever draws the model.
 *
 * Loads the draft, saves it, asks the server to check it (the full deploy validation), lists the
 * problems in Dutch and lets the editor mark them, and deploys with a mandatory comment. The
 * editor (bpmn-editor.js, dmn-editor.js) passes an adapter:
 *   importXML(xml) -> Promise<warnings[]>, exportXML() -> Promise<xml>, onChange(callback),
 *   has(id), mark(ids), clear(), show(id).
 * The server decides: a check here only shows what it said, and deploying checks again.
 */
(function () {
  'use strict';

  var root = document.getElementById('modelleren');
  if (!root) { return; }
  var data = root.dataset;
  var status = document.getElementById('status');
  var list = document.getElementById('problemen');
  var verdict = document.getElementById('controle-uitslag');
  var warningList = document.getElementById('waarschuwingen');
  var warningTitle = document.getElementById('waarschuwingen-titel');
  var deployForm = document.getElementById('uitrollen');
  var readOnly = data.alleenLezen === 'ja';
  var state = { revision: null, savedXml: null, dirty: false, busy: false };
  var adapter = null;

  function say(text) { status.textContent = text; }

  function button(action) { return root.querySelector('[data-actie="' + action + '"]'); }

  function enable() {
    var on = !readOnly && !state.busy;
    ['opslaan', 'controleren'].forEach(function (action) { button(action).disabled = !on; });
    if (deployForm) { deployForm.querySelector('button[type=submit]').disabled = !on; }
  }

  function call(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Accept': 'application/json', 'Content-Type': 'application/json', 'X-CSRFToken': data.csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (payload) {
        return { ok: response.ok, status: response.status, body: payload || {} };
      });
    }, function () {
      return { ok: false, status: 0, body: { error: { message: 'De server is niet bereikbaar. Probeer het opnieuw.' } } };
    });
  }

  function errorOf(result) {
    return (result.body && result.body.error) || { message: 'Er ging iets mis (' + result.status + ').' };
  }

  function setDirty(value) {
    state.dirty = value;
    if (value) { say('Niet opgeslagen wijzigingen.'); }
  }

  // Settings for another engine (camunda:assignee, zeebe:*) that the runtime ignores: shown, never blocking.
  function showWarnings(warnings) {
    warningList.replaceChildren();
    warningTitle.hidden = !warnings || !warnings.length;
    (warnings || []).forEach(function (warning) {
      var item = document.createElement('li');
      item.append(warning.message);
      warningList.append(item);
    });
  }

  function showProblems(problems, files) {
    adapter.clear();
    list.replaceChildren();
    if (!problems.length) {
      verdict.className = 'controle-ok';
      verdict.textContent = 'In orde: de server vond geen fouten' +
        (files && files.length > 1 ? ' (samen gecontroleerd met ' + files.slice(1).join(', ') + ')' : '') +
        '. U kunt dit concept uitrollen.';
      return;
    }
    verdict.className = 'controle-fout';
    verdict.textContent = problems.length === 1 ? 'De server vond 1 fout. Zonder fouten kunt u uitrollen.'
      : 'De server vond ' + problems.length + ' fouten. Zonder fouten kunt u uitrollen.';
    adapter.mark(problems.filter(function (p) { return p.in_model && p.element_id; })
      .map(function (p) { return p.element_id; }));
    problems.forEach(function (problem) {
      var item = document.createElement('li');
      item.dataset.elementId = problem.element_id || '';
      item.append(problem.message);
      var where = [];
      if (problem.file && !problem.in_model) { where.push('in ' + problem.file); }
      if (problem.line) { where.push('regel ' + problem.line); }
      if (problem.element_id) { where.push('element ' + problem.element_id); }
      if (where.length) {
        var place = document.createElement('span');
        place.className = 'plek';
        place.textContent = ' (' + where.join(', ') + ')';
        item.append(place);
      }
      if (problem.in_model && problem.element_id && adapter.has(problem.element_id)) {
        var show = document.createElement('button');
        show.type = 'button';
        show.className = 'utrecht-button utrecht-button--secondary-action knop-klein';
        show.textContent = 'Toon in het model';
        var hidden = document.createElement('span');
        hidden.className = 'visueel-verborgen';
        hidden.textContent = ': ' + problem.element_id;
        show.append(hidden);
        show.addEventListener('click', function () { adapter.show(problem.element_id); });
        item.append(' ', show);
      }
      list.append(item);
    });
  }

  function save() {
    return adapter.exportXML().then(function (xml) {
      if (xml === state.savedXml) {
        setDirty(false);
        say('Concept opgeslagen.');
        return true;
      }
      say('Opslaan…');
      return call(data.opslaanUrl, { xml: xml, revision: state.revision }).then(function (result) {
        if (!result.ok) { say(errorOf(result).message); return false; }
        state.revision = result.body.revision;
        state.savedXml = xml;
        setDirty(false);
        say(result.body.message || 'Concept opgeslagen.');
        return true;
      });
    });
  }

  function check() {
    return adapter.exportXML().then(function (xml) {
      say('De server controleert het model…');
      var body = { xml: xml === state.savedXml ? null : xml, revision: state.revision };
      return call(data.controlerenUrl, body).then(function (result) {
        if (!result.ok) {
          var error = errorOf(result);
          say(error.message);
          if (Array.isArray(error.details)) { showProblems(error.details); }
          return false;
        }
        state.revision = result.body.revision;
        state.savedXml = xml;
        setDirty(false);
        showProblems(result.body.problems, result.body.files);
        showWarnings(result.body.warnings);
        say(result.body.ok ? 'Opgeslagen en gecontroleerd: geen fouten.'
          : 'Opgeslagen en gecontroleerd: ' + result.body.problems.length + ' ' +
            (result.body.problems.length === 1 ? 'fout' : 'fouten') + '.');
        return result.body.ok;
      });
    });
  }

  function busy(work) {
    if (state.busy) { return Promise.resolve(false); }
    state.busy = true;
    enable();
    return work().catch(function (error) {
      say('Er ging iets mis: ' + (error && error.message ? error.message : error));
      return false;
    }).then(function (outcome) {
      state.busy = false;
      enable();
      return outcome;
    });
  }

  function commentError(text) {
    var message = document.getElementById('toelichting-fout');
    var field = document.getElementById('toelichting-veld');
    message.textContent = text || '';
    message.hidden = !text;
    field.classList.toggle('veld--fout', !!text);
    document.getElementById('toelichting').setAttribute('aria-invalid', text ? 'true' : 'false');
  }

  function deploy(event) {
    event.preventDefault();
    var textarea = document.getElementById('toelichting');
    var comment = textarea.value.trim();
    if (!comment) {
      commentError('Schrijf kort wat er verandert en waarom; dat komt in de versiegeschiedenis.');
      textarea.focus();
      return;
    }
    commentError('');
    busy(function () {
      return save().then(function (saved) {
        if (!saved) { return false; }
        say('Uitrollen…');
        return call(data.uitrollenUrl, { revision: state.revision, toelichting: comment }).then(function (result) {
          if (result.ok) {
            state.dirty = false;
            window.location.assign(result.body.url);
            return true;
          }
          var error = errorOf(result);
          if (Array.isArray(error.details)) {
            showProblems(error.details);
            verdict.focus();
          } else if (error.details && error.details.toelichting) {
            commentError(error.details.toelichting);
          }
          say('Niet uitgerold: ' + error.message);
          return false;
        });
      });
    });
  }

  function start(editor) {
    adapter = editor;
    verdict.tabIndex = -1;
    button('opslaan').addEventListener('click', function () { busy(save); });
    button('controleren').addEventListener('click', function () { busy(check); });
    if (deployForm) { deployForm.addEventListener('submit', deploy); }
    window.addEventListener('beforeunload', function (event) {
      if (state.dirty) { event.preventDefault(); event.returnValue = ''; }
    });
    return fetch(data.inhoudUrl, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (response) {
        if (!response.ok) { throw new Error('het concept kon niet worden geladen (' + response.status + ')'); }
        return response.json();
      })
      .then(function (body) {
        state.revision = body.revision;
        window.SignaalrouteConcept.inUse = body.ids_in_gebruik || {};
        window.SignaalrouteConcept.fixedIds = body.vaste_ids || {};
        return adapter.importXML(body.xml).then(function (warnings) {
          return adapter.exportXML().then(function (xml) {
            state.savedXml = xml;
            adapter.onChange(function () { setDirty(true); });
            if (body.problems && body.problems.length) { showProblems(body.problems); }
            if (warnings.length) {
              var note = document.createElement('p');
              note.className = 'melding melding--fout';
              note.dataset.testid = 'importwaarschuwingen';
              note.textContent = 'Let op: de editor kon ' + warnings.length + ' onderdeel/onderdelen van het bestand ' +
                'niet lezen; bij opslaan gaan die verloren. ' + warnings.join(' · ');
              root.before(note);
            }
            say(readOnly ? 'Alleen lezen: dit concept is al uitgerold.' : 'Model geladen.');
            enable();
          });
        });
      })
      .catch(function (error) { say('Het model kon niet worden geopend: ' + error.message); });
  }

  // inUse: element id -> running cases standing there (the panel refuses to rename those ids).
  // fixedIds: ids the runtime looks up itself -> why (never renamed either).
  window.SignaalrouteConcept = { start: start, say: say, inUse: {}, fixedIds: {} };
}());
