/* Signaalroute, Modelleren: a small properties panel for what our runtime reads from a model.
 *
 * Lane -> role, user task -> form and Dutch instructions, timer expressions, conditions and the
 * default path of gateways, the decision of a business rule task, scripts, and documentation
 * (with the source reference). Every change goes through bpmn-js' modeling commands, so undo/redo
 * and the "unsaved changes" state work as for changes on the canvas.
 *
 * The spiffworkflow extensions are read and written as generic moddle elements, with exactly
 * the names the models in processes/ use (spiffworkflow:properties/property name=
 * "formJsonSchemaFilename", spiffworkflow:instructionsForEndUser, spiffworkflow:calledDecisionId).
 * We register no moddle descriptor on purpose: with one, bpmn-moddle drops every spiffworkflow
 * element the descriptor does not list (preScript, unitTests, ...); generic elements survive.
 */
(function () {
  'use strict';

  var SPIFF_NS = 'http://spiffworkflow.org/bpmn/schema/1.0/core';
  var FORM_PROPERTY = 'formJsonSchemaFilename';
  var TIMER_KINDS = [
    ['timeDate', 'Datum of tijdstip (timeDate)'],
    ['timeDuration', 'Duur (timeDuration)'],
    ['timeCycle', 'Herhaling (timeCycle)']
  ];
  var TYPE_NAMES = {
    'bpmn:Process': 'Proces', 'bpmn:Collaboration': 'Samenwerking', 'bpmn:Participant': 'Pool',
    'bpmn:Lane': 'Lane', 'bpmn:UserTask': 'Gebruikerstaak', 'bpmn:ManualTask': 'Handmatige taak',
    'bpmn:ScriptTask': 'Scripttaak', 'bpmn:BusinessRuleTask': 'Beslistaak', 'bpmn:ServiceTask': 'Servicetaak',
    'bpmn:Task': 'Taak', 'bpmn:CallActivity': 'Aanroep van een proces', 'bpmn:SubProcess': 'Subproces',
    'bpmn:StartEvent': 'Startgebeurtenis', 'bpmn:EndEvent': 'Eindgebeurtenis',
    'bpmn:IntermediateCatchEvent': 'Tussengebeurtenis (wachten)', 'bpmn:IntermediateThrowEvent': 'Tussengebeurtenis',
    'bpmn:BoundaryEvent': 'Randgebeurtenis', 'bpmn:ExclusiveGateway': 'Exclusieve gateway (één pad)',
    'bpmn:ParallelGateway': 'Parallelle gateway', 'bpmn:InclusiveGateway': 'Inclusieve gateway',
    'bpmn:EventBasedGateway': 'Gebeurtenisgateway', 'bpmn:SequenceFlow': 'Pijl',
    'bpmn:TextAnnotation': 'Notitie', 'bpmn:DataObjectReference': 'Gegevensobject'
  };

  // Readable ids, the same rules as engine/modelling/element_ids.py (the server checks again).
  var ID_MAX = 64;
  var NCNAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
  // What bpmn-js generates (Activity_1co9rst, Flow_0abc123, Gateway_...): not meant for people.
  var GENERATED = /^[A-Z][A-Za-z]*_[0-9a-z]{7}$/;

  function cases(count) { return count === 1 ? '1 lopende zaak staat' : count + ' lopende zaken staan'; }

  function idProblem(newId, current, registry, inUse, fixed) {
    if (newId === current) { return null; }
    if (!newId) { return 'Geef een id.'; }
    if (newId.length > ID_MAX) { return 'Een id is hoogstens ' + ID_MAX + ' tekens lang.'; }
    if (!NCNAME.test(newId)) {
      return 'Een id begint met een letter of _ en bevat alleen letters zonder accent, cijfers, _, - en . ' +
        '(geen spaties), bijvoorbeeld signaal_verrijken.';
    }
    var taken = registry.filter(function (e) { return e.businessObject && e.businessObject.id === newId; }).length;
    if (taken) { return "Het id '" + newId + "' bestaat al in dit model."; }
    if (inUse[current]) {
      return cases(inUse[current]) + " nu op '" + current + "'. Met een ander id kunnen zij niet naar de nieuwe " +
        'versie worden verplaatst; laat het id staan tot die zaken verder zijn of gesloten.';
    }
    if (fixed[current]) { return "Signaalroute zoekt '" + current + "' zelf op (" + fixed[current] + '); dit id blijft zo.'; }
    return null;
  }

  function proposeId(name, registry) {
    var base = (name || '').normalize('NFKD').replace(/[^\x00-\x7f]/g, '').toLowerCase()
      .replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40).replace(/_+$/, '') || 'element';
    if (!/^[a-z]/.test(base)) { base = 'stap_' + base; }
    var candidate = base;
    var number = 2;
    while (registry.get(candidate) || registry.filter(function (e) { return e.businessObject && e.businessObject.id === candidate; }).length) {
      candidate = base + '_' + number;
      number += 1;
    }
    return candidate;
  }

  function is(bo, type) { return !!bo && typeof bo.$instanceOf === 'function' && bo.$instanceOf(type); }

  function spiffName(element) {
    if (!element || !element.$type) { return null; }
    var ns = element.$descriptor && element.$descriptor.ns;
    var parts = element.$type.split(':');
    if ((ns && ns.uri === SPIFF_NS) || (!ns && parts[0] === 'spiffworkflow')) { return parts[1]; }
    return null;
  }

  function normalise(text) { return (text || '').trim().toLowerCase().split(/\s+/).join(' '); }

  function make(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) {
      var value = attributes[key];
      if (value === undefined || value === null || value === false) { return; }
      if (key === 'text') { node.textContent = value; } else if (key in node && key !== 'list') { node[key] = value; } else { node.setAttribute(key, value === true ? '' : value); }
    });
    (children || []).forEach(function (child) { if (child) { node.append(child); } });
    return node;
  }

  function Panel(modeler, container, meta) {
    this.modeler = modeler;
    this.container = container;
    this.meta = meta || { roles: [], forms: [], decisions: [] };
    this.modeling = modeler.get('modeling');
    this.moddle = modeler.get('moddle');
    this.registry = modeler.get('elementRegistry');
    this.canvas = modeler.get('canvas');
    this.element = null;
    var self = this;
    modeler.on('selection.changed', function (event) {
      self.show(event.newSelection.length === 1 ? event.newSelection[0] : null);
    });
    modeler.on('elements.changed', function (event) {
      if (!self.element) { return; }
      var id = self.element.id;
      if (event.elements.some(function (changed) { return changed.id === id || (changed.labelTarget && changed.labelTarget.id === id); })) {
        self.show(self.registry.get(id) || null);
      }
    });
    modeler.on('import.done', function () { self.show(null); });
    // A task drawn here gets its id from its first name ("Signaal verrijken" -> signaal_verrijken),
    // in the same undo step as the name. Ids from the file are never touched.
    var created = {};
    modeler.on('commandStack.shape.create.postExecuted', function (event) {
      var shape = event.context.shape;
      if (shape && shape.businessObject && GENERATED.test(shape.businessObject.id)) { created[shape.id] = true; }
    });
    modeler.on('commandStack.element.updateLabel.postExecuted', function (event) {
      var element = event.context.element;
      if (element && element.type === 'label') { element = element.labelTarget; }
      var bo = element && element.businessObject;
      if (!bo || !created[element.id] || !GENERATED.test(bo.id) || !bo.name || !is(bo, 'bpmn:FlowNode')) { return; }
      delete created[element.id];
      self.modeling.updateProperties(element, { id: proposeId(bo.name, self.registry) });
      self.proposed = element.id;
    });
  }

  Panel.prototype.target = function (element) {
    if (element && element.type === 'label' && element.labelTarget) { return element.labelTarget; }
    if (element) { return element; }
    var root = this.canvas.getRootElement();
    if (root && is(root.businessObject, 'bpmn:Collaboration')) {
      // A diagram with pools: "the process itself" is the first pool's process.
      var pool = this.registry.find(function (e) { return is(e.businessObject, 'bpmn:Participant'); });
      if (pool) { return pool; }
    }
    return root;
  };

  // --- reading and writing the model -----------------------------------------------------------

  Panel.prototype.extensions = function (bo) {
    return (bo.extensionElements && bo.extensionElements.values) || [];
  };

  Panel.prototype.findSpiff = function (bo, local) {
    return this.extensions(bo).find(function (value) { return spiffName(value) === local; }) || null;
  };

  Panel.prototype.spiff = function (local, attributes) {
    return this.moddle.createAny('spiffworkflow:' + local, SPIFF_NS, attributes || {});
  };

  Panel.prototype.setSpiff = function (element, local, replacement) {
    var bo = element.businessObject;
    var values = this.extensions(bo).slice();
    var index = values.findIndex(function (value) { return spiffName(value) === local; });
    if (replacement) {
      if (index >= 0) { values.splice(index, 1, replacement); } else { values.push(replacement); }
    } else if (index >= 0) {
      values.splice(index, 1);
    } else {
      return;
    }
    if (bo.extensionElements) {
      if (replacement) { replacement.$parent = bo.extensionElements; }
      this.modeling.updateModdleProperties(element, bo.extensionElements, { values: values });
    } else {
      var extensions = this.moddle.create('bpmn:ExtensionElements', { values: values });
      extensions.$parent = bo;
      if (replacement) { replacement.$parent = extensions; }
      this.modeling.updateProperties(element, { extensionElements: extensions });
    }
  };

  Panel.prototype.spiffText = function (bo, local) {
    var found = this.findSpiff(bo, local);
    return found ? (found.$body || '') : '';
  };

  Panel.prototype.setSpiffText = function (element, local, text) {
    this.setSpiff(element, local, text ? this.spiff(local, { $body: text }) : null);
  };

  Panel.prototype.form = function (bo) {
    var properties = this.findSpiff(bo, 'properties');
    var found = ((properties && properties.$children) || []).find(function (child) {
      return spiffName(child) === 'property' && child.name === FORM_PROPERTY;
    });
    return found ? (found.value || '') : '';
  };

  Panel.prototype.setForm = function (element, name) {
    var current = this.findSpiff(element.businessObject, 'properties');
    var children = ((current && current.$children) || []).slice();
    var index = children.findIndex(function (child) {
      return spiffName(child) === 'property' && child.name === FORM_PROPERTY;
    });
    var property = name ? this.spiff('property', { name: FORM_PROPERTY, value: name }) : null;
    if (index >= 0) {
      if (property) { children.splice(index, 1, property); } else { children.splice(index, 1); }
    } else if (property) {
      children.unshift(property);
    }
    var replacement = null;
    if (children.length) {
      replacement = this.spiff('properties');
      replacement.$children = children;
      children.forEach(function (child) { child.$parent = replacement; });
    }
    this.setSpiff(element, 'properties', replacement);
  };

  Panel.prototype.documentation = function (bo) {
    return (bo.documentation && bo.documentation[0] && bo.documentation[0].text) || '';
  };

  Panel.prototype.setDocumentation = function (element, owner, text) {
    var rest = (owner.documentation || []).slice(1);
    var documentation = text ? [this.moddle.create('bpmn:Documentation', { text: text })].concat(rest) : rest;
    if (owner === element.businessObject) {
      this.modeling.updateProperties(element, { documentation: documentation });
    } else {
      this.modeling.updateModdleProperties(element, owner, { documentation: documentation });
    }
  };

  Panel.prototype.setName = function (element, name) {
    if (element === this.canvas.getRootElement()) {
      this.modeling.updateProperties(element, { name: name || undefined });
    } else {
      this.modeling.updateLabel(element, name);
    }
  };

  Panel.prototype.timer = function (bo) {
    return (bo.eventDefinitions || []).find(function (definition) { return is(definition, 'bpmn:TimerEventDefinition'); }) || null;
  };

  Panel.prototype.setTimer = function (element, definition, kind, expression) {
    var properties = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
    if (expression) { properties[kind] = this.moddle.create('bpmn:FormalExpression', { body: expression }); }
    this.modeling.updateModdleProperties(element, definition, properties);
  };

  Panel.prototype.roleOf = function (laneName) {
    var key = normalise(laneName);
    return this.meta.roles.find(function (role) { return role.names.indexOf(key) >= 0; }) || null;
  };

  // --- drawing the panel ------------------------------------------------------------------------

  Panel.prototype.field = function (id, label, control, help) {
    control.id = id;
    var children = [make('label', { for: id, text: label })];
    if (help) {
      children.push(make('p', { className: 'hulp', id: id + '-hulp', text: help }));
      control.setAttribute('aria-describedby', id + '-hulp');
    }
    children.push(control);
    return make('div', { className: 'veld' }, children);
  };

  Panel.prototype.text = function (id, label, value, apply, help, multiline) {
    var control = multiline ? make('textarea', { rows: multiline, className: 'utrecht-textarea' })
      : make('input', { type: 'text', className: 'utrecht-textbox', autocomplete: 'off' });
    control.value = value || '';
    control.addEventListener('change', function () { apply(control.value.trim()); });
    return this.field(id, label, control, help);
  };

  Panel.prototype.select = function (id, label, options, value, apply, help) {
    var control = make('select', { className: 'utrecht-select' });
    options.forEach(function (option) {
      var node = make('option', { value: option[0], text: option[1] });
      if (option[0] === value) { node.selected = true; }
      control.append(node);
    });
    control.addEventListener('change', function () { apply(control.value); });
    return this.field(id, label, control, help);
  };

  // Who does this task: its lane and the role that lane names. An unknown role is the lane's to fix,
  // so the task only points there (the server's check reports it once, on the lane).
  Panel.prototype.laneOf = function (element) {
    var self = this;
    var bo = element.businessObject;
    var lane = this.registry.find(function (candidate) {
      var laneBo = candidate.businessObject;
      return is(laneBo, 'bpmn:Lane') && (laneBo.flowNodeRef || []).indexOf(bo) >= 0;
    });
    var box = make('p', { className: 'lane-rol', 'data-testid': 'lane-rol' });
    if (!lane) {
      box.append(is(bo, 'bpmn:UserTask') ? 'Lane: geen. Zet de taak in een lane; die bepaalt wie haar krijgt.'
        : 'Lane: geen.');
      return box;
    }
    var laneName = lane.businessObject.name || lane.id;
    var role = this.roleOf(lane.businessObject.name);
    var go = make('button', { type: 'button', className: 'link-knop', text: laneName });
    go.addEventListener('click', function () { self.modeler.get('selection').select(lane); });
    box.append('Lane: ', go, role ? ' · rol: ' + role.label : ' · rol onbekend (kies de rol bij de lane)');
    return box;
  };

  // The id people read in the diff, the replay and the audit: validated before bpmn-js gets it.
  Panel.prototype.idField = function (element) {
    var self = this;
    var bo = element.businessObject;
    var inUse = (window.SignaalrouteConcept && window.SignaalrouteConcept.inUse) || {};
    var help = this.proposed === element.id ? 'Voorgesteld uit de naam; u kunt het wijzigen.'
      : (GENERATED.test(bo.id) ? 'Een leesbaar id (zoals signaal_verrijken) staat in de vergelijking, het afspelen en de audit.'
        : (inUse[bo.id] ? cases(inUse[bo.id]) + ' nu op dit element: het id blijft zo.' : 'Letters, cijfers en _; uniek in dit model.'));
    var wrapper = this.text('eig-id', 'Id', bo.id, function () {}, help);
    var input = wrapper.querySelector('input');
    var error = make('p', { className: 'foutmelding', id: 'eig-id-fout', hidden: true });
    input.setAttribute('spellcheck', 'false');
    input.after(error);
    input.addEventListener('change', function (event) {
      event.stopImmediatePropagation();
      var value = input.value.trim();
      var problem = idProblem(value, bo.id, self.registry.getAll(), inUse,
        (window.SignaalrouteConcept && window.SignaalrouteConcept.fixedIds) || {});
      error.textContent = problem || '';
      error.hidden = !problem;
      input.setAttribute('aria-invalid', problem ? 'true' : 'false');
      wrapper.classList.toggle('veld--fout', !!problem);
      if (problem || value === bo.id) { return; }
      self.proposed = null;
      self.modeling.updateProperties(element, { id: value });
      self.modeler.get('selection').select(self.registry.get(value));
    });
    input.setAttribute('aria-describedby', 'eig-id-hulp eig-id-fout');
    return wrapper;
  };

  Panel.prototype.label = function (element) {
    var bo = element.businessObject;
    var type = TYPE_NAMES[bo.$type] || bo.$type.replace('bpmn:', '');
    if (is(bo, 'bpmn:SequenceFlow') && !bo.name) {
      var from = bo.sourceRef ? (bo.sourceRef.name || bo.sourceRef.id) : '?';
      var to = bo.targetRef ? (bo.targetRef.name || bo.targetRef.id) : '?';
      return type + ': ' + from + ' → ' + to;
    }
    return type + ': ' + (bo.name || bo.id);
  };

  // Pointing at shapes needs a mouse; this list reaches every element by keyboard too.
  Panel.prototype.chooser = function (current) {
    var self = this;
    var root = this.canvas.getRootElement();
    var elements = this.registry.filter(function (element) {
      return element.type !== 'label' && element !== root && element.businessObject && element.businessObject.$type;
    });
    var options = [['', '— het proces zelf —']].concat(elements.map(function (element) {
      return [element.id, self.label(element)];
    }).sort(function (a, b) { return a[1].localeCompare(b[1], 'nl'); }));
    return this.select('eig-element', 'Element', options, current ? current.id : '', function (value) {
      var element = value ? self.registry.get(value) : null;
      var selection = self.modeler.get('selection');
      if (element) {
        self.canvas.scrollToElement(element);
        selection.select(element);
      } else {
        selection.select(null);
      }
    }, 'Of klik een element in het diagram aan.');
  };

  Panel.prototype.show = function (selected) {
    var active = document.activeElement;
    var focusId = active && this.container.contains(active) ? active.id : null;
    var element = this.target(selected);
    this.element = selected ? element : null;
    var heading = make('h2', { className: 'utrecht-heading-2', id: 'eigenschappen-titel', text: 'Eigenschappen' });
    this.container.replaceChildren(heading, this.chooser(selected ? element : null));
    if (!element || !element.businessObject) { return; }
    var bo = element.businessObject;
    var self = this;
    var parts = [];
    parts.push(make('p', {}, [
      make('strong', { text: TYPE_NAMES[bo.$type] || bo.$type.replace('bpmn:', '') }), ' ',
      make('span', { className: 'kenmerk', text: bo.id })
    ]));
    if (!selected) {
      parts.push(make('p', { className: 'hulp', text: 'Kies een element in het diagram om het te bewerken; hieronder staat het proces zelf.' }));
    } else if (!is(bo, 'bpmn:Process') && !is(bo, 'bpmn:Collaboration') && !is(bo, 'bpmn:Participant')) {
      parts.push(this.idField(element));
    }
    if (is(bo, 'bpmn:Lane')) {
      var role = this.roleOf(bo.name);
      var options = [['', '— kies een rol —']].concat(this.meta.roles.map(function (r) { return [r.value, r.label]; }));
      if (bo.name && !role) { options.push(['?', 'Onbekende rol: ' + bo.name]); }
      parts.push(this.select('eig-rol', 'Rol van deze lane', options, role ? role.value : (bo.name ? '?' : ''), function (value) {
        var chosen = self.meta.roles.find(function (r) { return r.value === value; });
        if (chosen) { self.setName(element, chosen.label); }
      }, 'Taken in deze lane komen in de werkbak van deze rol.'));
    } else if (!is(bo, 'bpmn:Collaboration')) {
      parts.push(this.text('eig-naam', 'Naam', bo.name, function (value) { self.setName(element, value); }));
    }
    if (is(bo, 'bpmn:FlowNode')) { parts.push(this.laneOf(element)); }
    if (is(bo, 'bpmn:UserTask')) {
      var current = this.form(bo);
      var forms = [['', '— geen formulier —']].concat(this.meta.forms.map(function (f) { return [f.name, f.title + ' (' + f.name + ')']; }));
      if (current && !this.meta.forms.some(function (f) { return f.name === current; })) {
        forms.push([current, current + ' (bestaat niet)']);
      }
      parts.push(this.select('eig-formulier', 'Formulier', forms, current, function (value) { self.setForm(element, value); },
        'Het JSON Schema uit Formulieren dat de taakpagina toont.'));
      parts.push(this.text('eig-instructies', 'Instructies voor de medewerker', this.spiffText(bo, 'instructionsForEndUser'),
        function (value) { self.setSpiffText(element, 'instructionsForEndUser', value); },
        'In het Nederlands. Regiogegevens met {{ regio.contacten.politie }} of {{ regio.overleg }}.', 4));
    }
    var timer = this.timer(bo);
    if (timer) {
      var kind = (TIMER_KINDS.find(function (k) { return timer[k[0]]; }) || TIMER_KINDS[0])[0];
      var expression = timer[kind] ? (timer[kind].body || '') : '';
      parts.push(make('h3', { text: 'Timer' }));
      parts.push(this.select('eig-timer-soort', 'Soort timer', TIMER_KINDS, kind, function (value) {
        self.setTimer(element, timer, value, expression);
      }));
      parts.push(this.text('eig-timer', 'Timerexpressie', expression, function (value) {
        self.setTimer(element, timer, kind, value);
      }, 'Bijvoorbeeld werkdagen(5) of werkdagen(termijn_terugkoppeling) als datum, "P5D" als duur.'));
    }
    if (is(bo, 'bpmn:SequenceFlow')) {
      var source = bo.sourceRef;
      if (is(source, 'bpmn:ExclusiveGateway') || is(source, 'bpmn:InclusiveGateway')) {
        var isDefault = source.default === bo;
        parts.push(this.text('eig-voorwaarde', 'Voorwaarde', bo.conditionExpression ? bo.conditionExpression.body : '', function (value) {
          self.modeling.updateProperties(element, {
            conditionExpression: value ? self.moddle.create('bpmn:FormalExpression', { body: value }) : undefined
          });
        }, isDefault ? 'Dit is het standaardpad: een voorwaarde telt hier niet.' : 'Bijvoorbeeld acuut == True of route == "locatie".', 2));
        var box = make('input', { type: 'checkbox', id: 'eig-standaard' });
        box.checked = isDefault;
        box.addEventListener('change', function () {
          self.modeling.updateProperties(element.source, { default: box.checked ? bo : undefined });
        });
        parts.push(make('div', { className: 'veld' }, [make('label', { className: 'keuze', for: 'eig-standaard' }, [box, ' Standaardpad van de gateway'])]));
      }
    }
    if (is(bo, 'bpmn:ExclusiveGateway') || is(bo, 'bpmn:InclusiveGateway')) {
      var outgoing = (element.outgoing || []).filter(function (c) { return is(c.businessObject, 'bpmn:SequenceFlow'); });
      if (outgoing.length > 1) {
        var choices = [['', '— geen standaardpad —']].concat(outgoing.map(function (c) {
          var flow = c.businessObject;
          return [flow.id, (flow.name || 'naar ' + ((flow.targetRef && (flow.targetRef.name || flow.targetRef.id)) || '?'))];
        }));
        parts.push(this.select('eig-standaardpad', 'Standaardpad', choices, bo.default ? bo.default.id : '', function (value) {
          var flow = outgoing.find(function (c) { return c.businessObject.id === value; });
          self.modeling.updateProperties(element, { default: flow ? flow.businessObject : undefined });
        }, 'Het pad als geen voorwaarde waar is; zo loopt geen zaak vast.'));
      }
    }
    if (is(bo, 'bpmn:BusinessRuleTask')) {
      var decision = this.text('eig-beslissing', 'Beslissing (DMN)', this.spiffText(bo, 'calledDecisionId'), function (value) {
        self.setSpiffText(element, 'calledDecisionId', value);
      }, 'Het id van een beslissing in een uitgerolde beslistabel.');
      var input = decision.querySelector('input');
      input.setAttribute('list', 'eig-beslissingen');
      var datalist = make('datalist', { id: 'eig-beslissingen' });
      this.meta.decisions.forEach(function (id) { datalist.append(make('option', { value: id })); });
      decision.append(datalist);
      parts.push(decision);
    }
    if (is(bo, 'bpmn:CallActivity')) {
      parts.push(this.text('eig-aanroep', 'Aangeroepen proces', bo.calledElement, function (value) {
        self.modeling.updateProperties(element, { calledElement: value || undefined });
      }, 'Het id van een uitgerold proces.'));
    }
    if (is(bo, 'bpmn:ScriptTask')) {
      parts.push(this.text('eig-script', 'Script', bo.script, function (value) {
        self.modeling.updateProperties(element, { script: value || undefined });
      }, 'Python in de zandbak: geen imports, geen namen met _.', 4));
    }
    var owner = is(bo, 'bpmn:Participant') && bo.processRef ? bo.processRef : bo;
    if (!is(owner, 'bpmn:Collaboration')) {
      parts.push(this.text('eig-documentatie', owner === bo ? 'Documentatie' : 'Documentatie van het proces', this.documentation(owner),
        function (value) { self.setDocumentation(element, owner, value); },
        'Vermeld de bron, bijvoorbeeld: 000 Bijlage 3 stap 2 (docs/bronnen/000_4eb49870de54bd16.txt).', 3));
    }
    parts.forEach(function (part) { self.container.append(part); });
    if (focusId) {
      var again = document.getElementById(focusId);
      if (again) { again.focus(); }
    }
  };

  window.SignaalroutePanel = {
    attach: function (modeler, container, meta) { return new Panel(modeler, container, meta); }
  };
}());
