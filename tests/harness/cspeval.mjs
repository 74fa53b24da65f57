// Runs Google's CSP Evaluator (npm csp_evaluator, installed by `make node-deps`) on policies
// and prints its findings as JSON. Input on stdin: a JSON array of policy strings.
// Output: a JSON array (one entry per policy) of findings
//   {type (name), severity (high|syntax|medium|high-maybe|strict-csp|medium-maybe|info),
//    severityCode, directive, value, description}.
// CSP3 rules plus the strict-CSP recommendations (those are never high or syntax).
import {createRequire} from 'node:module';
import {readFileSync} from 'node:fs';

const require = createRequire(process.env.CSP_EVALUATOR_BASE || import.meta.url);
const {CspEvaluator, DEFAULT_CHECKS, STRICTCSP_CHECKS} = require('csp_evaluator/dist/evaluator.js');
const {CspParser} = require('csp_evaluator/dist/parser.js');
const {Version} = require('csp_evaluator/dist/csp.js');
const {Severity, Type} = require('csp_evaluator/dist/finding.js');

const names = Object.fromEntries(Object.entries(Severity).filter(([k]) => isNaN(Number(k)))
  .map(([k, v]) => [v, k]));
const policies = JSON.parse(readFileSync(0, 'utf8'));
const out = policies.map((text) => {
  const parsed = new CspParser(text).csp;
  // Both check lists run on the *effective* policy (what a CSP3 browser enforces: with
  // hashes present 'unsafe-inline' is ignored), as CspEvaluator.evaluate() does by default.
  const findings = new CspEvaluator(parsed, Version.CSP3)
    .evaluate(undefined, [...DEFAULT_CHECKS, ...STRICTCSP_CHECKS]);
  return findings.map((f) => ({
    type: Type[f.type] || String(f.type),
    severity: (names[f.severity] || String(f.severity)).toLowerCase().replace('_', '-'),
    severityCode: f.severity,
    directive: f.directive, value: f.value ?? null, description: f.description,
  }));
});
process.stdout.write(JSON.stringify(out));
