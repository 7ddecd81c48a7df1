/* Signaalroute, Formulieren: redraw the server-rendered preview while the schema is typed.
 * Without script the "Voorbeeld tonen" button does the same with a full page. */
(function () {
  'use strict';

  var form = document.getElementById('formulier-form');
  var schema = document.getElementById('schema');
  var preview = document.getElementById('voorbeeld');
  if (!form || !schema || !preview) { return; }
  var timer = null;
  var sequence = 0;

  // Line numbers beside the schema: the checks say "regel 12", so the editor shows where that is.
  var gutter = document.createElement('pre');
  gutter.className = 'regelnummers';
  gutter.setAttribute('aria-hidden', 'true');
  gutter.dataset.testid = 'regelnummers';
  var frame = document.createElement('div');
  frame.className = 'code-met-regels';
  schema.before(frame);
  frame.append(gutter, schema);
  // Whatever the theme does to the textarea, the numbers line up with its lines (CSSOM, CSP allows it).
  var look = window.getComputedStyle(schema);
  ['paddingTop', 'paddingBottom', 'borderTopWidth', 'borderBottomWidth', 'fontSize', 'lineHeight', 'fontFamily']
    .forEach(function (property) { gutter.style[property] = look[property]; });
  var shown = 0;
  function number() {
    var lines = schema.value.split('\n').length;
    if (lines !== shown) {
      var text = [];
      for (var i = 1; i <= lines; i += 1) { text.push(String(i)); }
      gutter.textContent = text.join('\n') + '\n';
      shown = lines;
    }
    gutter.scrollTop = schema.scrollTop;
  }
  schema.addEventListener('input', number);
  schema.addEventListener('scroll', function () { gutter.scrollTop = schema.scrollTop; });
  number();

  function refresh() {
    var mine = ++sequence;
    var body = new URLSearchParams();
    body.set('schema', schema.value);
    fetch(form.dataset.voorbeeldUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'X-CSRFToken': form.dataset.csrf, 'Accept': 'text/html' },
      body: body
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null && mine === sequence) {
        // Markup drawn and escaped by the server's own templates (Jinja autoescape).
        preview.innerHTML = html;
      }
    }).catch(function () { /* keep the last preview; the button still works */ });
  }

  schema.addEventListener('input', function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });
}());
