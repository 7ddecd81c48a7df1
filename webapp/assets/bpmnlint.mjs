// bpmnlint for the modeller, bundled by `make assets` (esbuild) into webapp/static/vendor/bpmnlint/bpmnlint.js.
// A hint while drawing; the server's deploy validation (engine/services/deployments.validate) decides.
// Rules are imported one by one: the browser cannot resolve them at run time as the CLI does.
import Linter from 'bpmnlint/lib/linter';
import StaticResolver from 'bpmnlint/lib/resolver/static-resolver';
import endEventRequired from 'bpmnlint/rules/end-event-required';
import fakeJoin from 'bpmnlint/rules/fake-join';
import noDisconnected from 'bpmnlint/rules/no-disconnected';
import noDuplicateSequenceFlows from 'bpmnlint/rules/no-duplicate-sequence-flows';
import noImplicitSplit from 'bpmnlint/rules/no-implicit-split';
import singleBlankStartEvent from 'bpmnlint/rules/single-blank-start-event';
import startEventRequired from 'bpmnlint/rules/start-event-required';
import superfluousGateway from 'bpmnlint/rules/superfluous-gateway';
import conditionalFlows from 'bpmnlint/rules/conditional-flows';

const RULES = {
  'start-event-required': startEventRequired,
  'end-event-required': endEventRequired,
  'no-disconnected': noDisconnected,
  'no-duplicate-sequence-flows': noDuplicateSequenceFlows,
  'no-implicit-split': noImplicitSplit,
  'fake-join': fakeJoin,
  'single-blank-start-event': singleBlankStartEvent,
  'superfluous-gateway': superfluousGateway,
  'conditional-flows': conditionalFlows,
};

const cache = {};
const config = { rules: {} };
for (const [name, rule] of Object.entries(RULES)) {
  cache[`rule:bpmnlint/${name}`] = rule;
  config.rules[name] = 'warn';
}

// Dutch texts per rule; bpmnlint's own messages are English.
const MESSAGES = {
  'start-event-required': 'Het proces heeft geen startgebeurtenis.',
  'end-event-required': 'Het proces heeft geen eindgebeurtenis.',
  'no-disconnected': 'Dit element is met geen enkele pijl verbonden.',
  'no-duplicate-sequence-flows': 'Twee pijlen verbinden dezelfde elementen.',
  'no-implicit-split': 'Meerdere uitgaande pijlen zonder gateway: gebruik een gateway.',
  'fake-join': 'Meerdere inkomende pijlen zonder gateway: gebruik een samenvoegende gateway.',
  'single-blank-start-event': 'Het proces heeft meer dan één lege startgebeurtenis.',
  'superfluous-gateway': 'Deze gateway heeft één ingang en één uitgang en doet niets.',
  'conditional-flows': 'Een uitgaande pijl van deze gateway heeft geen voorwaarde en is geen standaardpad.',
};

window.SignaalrouteLint = {
  rules: Object.keys(RULES),
  async lint(definitions) {
    const linter = new Linter({ config, resolver: new StaticResolver(cache) });
    const results = await linter.lint(definitions);
    const issues = [];
    for (const [rule, reports] of Object.entries(results)) {
      for (const report of reports) {
        issues.push({ rule, element_id: report.id, message: MESSAGES[rule] || report.message });
      }
    }
    return issues;
  },
};
