/* Signaalroute, Modelleren: a diagram-js module that keeps the console quiet.
 *
 * bpmn-js 18 and dmn-js 17 still place their replace menu with ContextPad#getPad, which diagram-js
 * deprecated with a console warning on every call. This answers the same (the open pad's element,
 * or a new one) without the warning, until the libraries move to ContextPad#getPosition.
 */
(function () {
  'use strict';

  function QuietContextPad(contextPad) {
    contextPad.getPad = function (target) {
      return { html: this.isOpen(target) ? this._current.html : this._createHtml(target) };
    };
  }
  QuietContextPad.$inject = ['contextPad'];

  window.SignaalrouteContextPad = {
    __init__: ['signaalrouteContextPad'],
    signaalrouteContextPad: ['type', QuietContextPad]
  };
}());
