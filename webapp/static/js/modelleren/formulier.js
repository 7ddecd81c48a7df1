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
