// Runs ONE upstream test file with nodeunit's own runner API and writes the
// outcome of each test to the JSON file UPSTREAM_RESULT:
//   { file, tests: [{ name, passed, assertions, error? }], crashed?, loaded }
// (`loaded`: the package's modules the file asked for, original or mapped to compat, from the hook).
// A test that never calls test.done() is recorded as failed ("undone").
'use strict';
const fs = require('node:fs');

const [nodeunitDir, testFile] = process.argv.slice(2);
const out = process.env.UPSTREAM_RESULT;
const tests = [];
const started = new Set();
let finished = false;
let crashed;

function firstError(assertions) {
  const failure = assertions.find((a) => a.failed());
  if (failure === undefined) return undefined;
  const e = failure.error;
  const text = e && (e.message || e.name) ? `${e.name || 'Error'}: ${e.message || ''}` : String(e);
  return text.split('\n')[0].slice(0, 300);
}

function loaded() {
  const sets = globalThis.__upstreamLoaded || { original: [], compat: [] };
  return { original: [...sets.original].sort(), compat: [...sets.compat].sort() };
}

function write() {
  for (const name of started) tests.push({ name, passed: false, assertions: 0, error: 'undone: test.done() was never called' });
  started.clear();
  fs.writeFileSync(out, JSON.stringify({ file: testFile, tests, crashed, finished, loaded: loaded() }));
}

process.on('exit', write);
process.on('uncaughtException', (error) => {
  crashed = `${error && error.name}: ${error && error.message}`.split('\n')[0];
  process.exit(1);
});

const nodeunit = require(nodeunitDir);
try {
  nodeunit.runFiles([testFile], {
    testStart(name) {
      started.add(name.join(' › '));
    },
    testDone(name, assertions) {
      const key = name.join(' › ');
      started.delete(key);
      tests.push({ name: key, passed: assertions.failures() === 0, assertions: assertions.length, error: firstError(assertions) });
    },
    done() {
      finished = true;
    },
  });
} catch (error) {
  crashed = `loading the file failed: ${error && error.name}: ${error && error.message}`.split('\n')[0];
}
