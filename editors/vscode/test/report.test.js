// Unit tests of the status bar and report formatting (no server needed).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { statusText, statusBarText, reportLines, isReport, isStatus, toStatus, rootName } = require('../out/report');

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

const ready = { root: 'file:///w/proj', state: 'ready', pids: [11, 12], at };

test('status bar: starting until the first pyreload/status', () => {
  const s = statusBarText([], undefined);
  assert.equal(s.text, '$(sync~spin) pyreload: starting…');
  assert.match(s.tooltip, /starting the Python interpreter/);
  assert.equal(statusBarText([], { package: 'shop', ok: true, modules: 1, duration_ms: 1, stale: 0, summary: '', at }).text,
    '$(sync~spin) pyreload: starting…', 'a restarted server starts again');
});

test('status bar: ready shows the last report, or no reload yet with the pids', () => {
  const none = statusBarText([ready], undefined);
  assert.equal(none.text, '$(sync) pyreload');
  assert.match(none.tooltip, /interpreter ready \(pid 11, 12\); no reload yet/);
  const r = { package: 'shop', ok: true, modules: 2, duration_ms: 12.4, stale: 0, summary: '', at };
  assert.deepEqual(statusBarText([ready], r), statusText(r));
});

test('status bar: restarting and failed win over the report, per root', () => {
  const r = { package: 'shop', ok: true, modules: 2, duration_ms: 12.4, stale: 0, summary: '', at };
  const restarting = statusBarText([{ ...ready, state: 'restarting' }], r);
  assert.equal(restarting.text, '$(sync~spin) pyreload: restarting…');
  assert.match(restarting.tooltip, /restarting the Python interpreter of \/w\/proj \(since 09:05:07\)/);
  const failed = statusBarText([ready, { root: 'file:///w/other%20dir', state: 'failed', pids: [], at }, { ...ready, state: 'restarting' }], r);
  assert.equal(failed.text, '$(error) pyreload: failed');
  assert.match(failed.tooltip, /interpreter of \/w\/other dir failed at 09:05:07/);
  assert.match(failed.tooltip, /Restart Interpreter/);
});

test('status bar: a server that could not start', () => {
  const s = statusBarText([], undefined, 'spawn pyreload ENOENT');
  assert.equal(s.text, '$(error) pyreload: failed');
  assert.match(s.tooltip, /could not start: spawn pyreload ENOENT/);
  assert.match(s.tooltip, /pyreload\.path/);
});

test('isStatus and toStatus', () => {
  assert.ok(isStatus({ root: 'file:///w', state: 'ready', pids: [1] }));
  assert.ok(isStatus({ root: 'file:///w', state: 'failed', pids: null }));
  assert.ok(!isStatus({ root: 'file:///w', state: 'exploded' }));
  assert.ok(!isStatus({ state: 'ready' }));
  assert.ok(!isStatus(null));
  assert.deepEqual(toStatus({ root: 'file:///w', state: 'failed', pids: null }, at), { root: 'file:///w', state: 'failed', pids: [], at });
  assert.equal(rootName('file:///w/a%20b'), '/w/a b');
  assert.equal(rootName('not a uri'), 'not a uri');
});
