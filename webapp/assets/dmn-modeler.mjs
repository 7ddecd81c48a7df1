// dmn-js' own dist bundle ships Inferno's development build (a console warning on every load and its
// development checks). We bundle the same Modeler from its sources with NODE_ENV=production instead,
// which picks Inferno's production build; window.DmnJS is what the dist bundle exposed.
//
// CodeMirror (the FEEL editor in dmn-js) writes its theme into a <style> element through style-mod.
// Our CSP admits that element only with the page's nonce, and dmn-js passes none: mounting style-mod's
// style set for the document first, with the nonce, makes every later theme land in that element.
import DmnModeler from 'dmn-js/lib/Modeler';
import { StyleModule } from 'style-mod';

window.DmnJS = DmnModeler;
window.DmnJS.styleNonce = function (nonce) {
  StyleModule.mount(document, [], { nonce: nonce });
};
