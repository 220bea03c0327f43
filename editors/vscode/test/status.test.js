// The status bar item follows pyreload/status and pyreload/report, with the
// compiled extension and the REAL vscode-languageclient inside the FAKE vscode
// module, against the FAKE server test/fake-server/fake-pyreload-server.js, which
// sends whatever notification a test asks for (the real server only sends
// "restarting" or "failed" when an interpreter dies; the end-to-end test
// covers "ready" from the real server).
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');
const { extensionDir } = require('./helpers');

const { fake } = vscode;
const FAKE_SERVER = path.join(__dirname, 'fake-server', 'fake-pyreload-server.js');

describe('status bar with pyreload/status (fake server)', () => {
  let root, rootUri, ext, api, context;

  function item() {
    return fake.state.statusItems.find((s) => s.name === 'pyreload');
  }

  // notify makes the fake server send a notification, then waits until the
  // extension has taken it in.
  async function notify(method, params) {
    let timer;
    const seen = new Promise((resolve, reject) => {
      const d = (method === 'pyreload/report' ? api.onReport : api.onStatus)(() => {
        d.dispose();
        resolve();
      });
      timer = setTimeout(() => reject(new Error(`the extension did not take in ${method} ${JSON.stringify(params)}`)), 5000);
    });
    await api.client().sendRequest('fakeServer/notify', { method, params });
    await seen.finally(() => clearTimeout(timer));
  }

  before(async () => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pyreload-status-')));
    rootUri = vscode.Uri.file(root).toString();
    fake.reset({ folders: [root], manifest: path.join(extensionDir, 'package.json') });
    await fake.setSetting('pyreload.path', FAKE_SERVER, 'global');
    ext = require('../dist/extension'); // the esbuild bundle the package ships
    context = fake.extensionContext(extensionDir);
    api = await ext.activate(context);
    assert.ok(api.client() && api.client().isRunning(), 'the fake server runs');
  });

  after(async () => {
    if (ext) await ext.deactivate();
    for (const d of (context && context.subscriptions) || []) d.dispose();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('shows "pyreload: starting…" until the first pyreload/status', () => {
    assert.ok(item().visible);
    assert.equal(item().text, '$(sync~spin) pyreload: starting…');
    assert.match(item().tooltip, /starting the Python interpreter/);
    assert.deepEqual(api.statuses(), []);
  });

  it('"ready" shows the no-reload-yet item with the interpreter pids', async () => {
    await notify('pyreload/status', { root: rootUri, state: 'ready', pids: [4242] });
    assert.equal(item().text, '$(sync) pyreload');
    assert.match(item().tooltip, /interpreter ready \(pid 4242\); no reload yet/);
    const s = api.statuses();
    assert.equal(s.length, 1);
    assert.equal(s[0].root, rootUri);
    assert.equal(s[0].state, 'ready');
    assert.deepEqual(s[0].pids, [4242]);
    assert.ok(s[0].at instanceof Date);
  });

  it('a report after "ready" shows the last report as before', async () => {
    await notify('pyreload/report', { action: 'reload', package: 'shop', ok: true, modules: 2, duration_ms: 4, stale: 1, fixes: 0, summary: '1 stale' });
    assert.match(item().text, /^\$\(warning\) shop \d\d:\d\d:\d\d$/);
  });

  it('"restarting" shows "pyreload: restarting…"', async () => {
    await notify('pyreload/status', { root: rootUri, state: 'restarting', pids: null });
    assert.equal(item().text, '$(sync~spin) pyreload: restarting…');
    assert.match(item().tooltip, new RegExp(`restarting the Python interpreter of ${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.deepEqual(api.statuses()[0].pids, [], 'null pids are an empty list');
    assert.match(fake.state.outputs.find((o) => o.name === 'pyreload').text, /is restarting/);
  });

  it('"failed" shows "pyreload: failed" with a tooltip naming the root and what to do', async () => {
    await notify('pyreload/status', { root: rootUri, state: 'failed', pids: [] });
    assert.equal(item().text, '$(error) pyreload: failed');
    assert.ok(item().tooltip.includes(`interpreter of ${root} failed`), item().tooltip);
    assert.match(item().tooltip, /Restart Interpreter/);
  });

  it('"ready" again shows the last report', async () => {
    await notify('pyreload/status', { root: rootUri, state: 'ready', pids: [5151] });
    assert.match(item().text, /^\$\(warning\) shop \d\d:\d\d:\d\d$/);
  });

  it('per root: one failed root shows "failed" while another is ready', async () => {
    const other = vscode.Uri.file(path.join(root, 'other')).toString();
    await notify('pyreload/status', { root: other, state: 'failed', pids: [] });
    assert.equal(item().text, '$(error) pyreload: failed');
    assert.equal(api.statuses().length, 2);
    await notify('pyreload/status', { root: other, state: 'ready', pids: [6] });
    assert.match(item().text, /^\$\(warning\) shop/);
  });

  it('a malformed pyreload/status is ignored and logged', async () => {
    const text = item().text;
    await api.client().sendRequest('fakeServer/notify', { method: 'pyreload/status', params: { root: rootUri, state: 'exploded' } });
    await fake.waitFor(() => /malformed pyreload\/status/.test(fake.state.outputs.find((o) => o.name === 'pyreload').text), 5000, 'the malformed status logged');
    assert.equal(item().text, text);
    assert.equal(api.statuses().find((s) => s.root === rootUri).state, 'ready');
  });

  it('a server that cannot start shows "pyreload: failed" with the reason', async () => {
    await ext.deactivate();
    for (const d of context.subscriptions) d.dispose();
    fake.reset({ folders: [root], manifest: path.join(extensionDir, 'package.json') });
    await fake.setSetting('pyreload.path', path.join(root, 'no-such-pyreload'), 'global');
    context = fake.extensionContext(extensionDir);
    api = await ext.activate(context);
    assert.equal(item().text, '$(error) pyreload: failed');
    assert.match(item().tooltip, /could not start/);
    assert.deepEqual(api.statuses(), []);
  });
});
