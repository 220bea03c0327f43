// Unit tests of the status bar and report formatting (no server needed).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { statusText, reportLines, isReport } = require('../out/report');

const at = new Date(2024, 0, 2, 9, 5, 7);

test('status bar before any reload', () => {
  const s = statusText(undefined);
  assert.equal(s.text, '$(sync) pyreload');
  assert.match(s.tooltip, /no reload yet/);
});

test('status bar after a clean reload shows package, result and time', () => {
  const s = statusText({ package: 'shop', ok: true, modules: 2, duration_ms: 12.4, stale: 0, summary: 'shop: 2 modules', at });
  assert.equal(s.text, '$(check) shop 09:05:07');
  assert.match(s.tooltip, /shop reloaded 2 modules in 12 ms at 09:05:07/);
});

test('status bar warns about stale references and errors on rollback', () => {
  assert.match(statusText({ package: 'shop', ok: true, modules: 1, duration_ms: 3, stale: 1, summary: '', at }).text, /^\$\(warning\) shop/);
  assert.match(statusText({ package: 'shop', ok: true, modules: 1, duration_ms: 3, stale: 2, summary: '', at }).tooltip, /2 stale references/);
  const failed = statusText({ package: 'shop', ok: false, modules: 0, duration_ms: 3, stale: 0, summary: 'SyntaxError', at });
  assert.match(failed.text, /^\$\(error\) shop/);
  assert.match(failed.tooltip, /rolled back/);
});

test('report lines', () => {
  assert.match(reportLines(undefined)[0], /no reload has run yet/);
  const lines = reportLines({ package: 'shop', ok: true, modules: 2, duration_ms: 5, stale: 1, summary: 'a\nb', at });
  assert.match(lines[0], /pyreload report for package shop/);
  assert.ok(lines.includes('  stale:    1'));
  assert.deepEqual(lines.slice(-2), ['  a', '  b']);
});

test('isReport', () => {
  assert.ok(isReport({ package: 'shop', ok: true }));
  assert.ok(!isReport({ package: 'shop' }));
  assert.ok(!isReport(null));
});
