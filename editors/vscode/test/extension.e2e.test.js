// End to end: the bundled extension (dist/extension.js), activated with the REAL
// vscode-languageclient against the REAL `pyreload serve` (bin/pyreload), inside
// the FAKE vscode module of test/fake-vscode. Fails, saying what is missing, when
// the binary is not built or the server does not behave as DESIGN.md says.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { extensionDir, workspaceCopy, requireServer } = require('./helpers');

const { fake } = vscode;
const SERVER_COMMANDS = ['pyreload.deepReload', 'pyreload.rebind', 'pyreload.patchInPlace', 'pyreload.reloadDependents', 'pyreload.restartInterpreter'];
const FIRST_RELOAD_MS = 60000; // starting the embedded interpreter is part of the first reload
const RELOAD_MS = 30000;
// The server starts the root's interpreter after initialize and sends
// pyreload/status "ready" once it has imported the packages.
const READY_MS = 120000;

function staleImports(file) {
  return fake.diagnostics(file).filter((d) => d.source === 'pyreload' && codeOf(d) === 'stale-import');
}

function codeOf(d) {
  return d.code && typeof d.code === 'object' ? d.code.value : d.code;
}

function describeDiagnostics(file) {
  return JSON.stringify(fake.diagnostics(file).map((d) => ({ line: d.range.start.line, code: codeOf(d), source: d.source, message: d.message })));
}

describe('VS Code extension with the real language client and pyreload serve', () => {
  let root, ext, api, context, views, core;
  const sent = [];
  const reports = [];
  const statuses = [];

  before(async () => {
    const bin = requireServer();
    root = workspaceCopy('pyreload-vscode-');
    views = path.join(root, 'app', 'views.py');
    core = path.join(root, 'shop', 'core.py');
    fake.reset({ folders: [root], manifest: path.join(extensionDir, 'package.json') });
    await fake.setSetting('pyreload.path', bin, 'global');
    ext = require('../dist/extension'); // the esbuild bundle the package ships
    context = fake.extensionContext(extensionDir);
    api = await ext.activate(context);
    const client = api.client();
    if (!client) {
      const errors = fake.state.messages.filter((m) => m.kind === 'error').map((m) => m.message);
      throw new Error(`the language client did not start: ${errors.join('; ')}`);
    }
    // Record what goes over the wire for workspace/executeCommand.
    const send = client.sendRequest.bind(client);
    client.sendRequest = (type, ...rest) => {
      sent.push({ method: typeof type === 'string' ? type : type.method, params: rest[0] });
      return send(type, ...rest);
    };
    api.onReport((r) => reports.push(r));
    api.onStatus((s) => statuses.push(s));
  });

  // waitReady waits for the pyreload/status "ready" notification of the root
  // (after index `from` of the statuses received); fails at once on "failed".
  async function waitReady(from = 0) {
    const uri = vscode.Uri.file(root).toString();
    const mine = () => statuses.slice(from).filter((s) => s.root === uri);
    const s = await fake.waitFor(() => mine().find((x) => x.state === 'ready' || x.state === 'failed'), READY_MS,
      `the pyreload/status "ready" notification of ${uri}`).catch((err) => {
      throw new Error(`${err.message} (statuses so far: ${JSON.stringify(statuses)})`);
    });
    assert.equal(s.state, 'ready', `the interpreter of ${uri} failed to start: ${JSON.stringify(statuses)}`);
    return s;
  }

  // Later tests fail at once, not after their timeouts, once the server is gone.
  function requireRunning() {
    assert.ok(api && api.client() && api.client().isRunning(), 'the pyreload language server is not running (see the first failure)');
  }

  after(async () => {
    if (ext) await ext.deactivate();
    for (const d of (context && context.subscriptions) || []) d.dispose();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('starts the server and lets the client register the server commands', async () => {
    const client = api.client();
    assert.ok(client.isRunning(), 'client running');
    const caps = client.initializeResult && client.initializeResult.capabilities;
    assert.ok(caps, 'server answered initialize');
    const advertised = (caps.executeCommandProvider && caps.executeCommandProvider.commands) || [];
    for (const id of SERVER_COMMANDS) {
      assert.ok(advertised.includes(id), `server must advertise ${id} in executeCommandProvider.commands (has ${JSON.stringify(advertised)})`);
    }
    const ids = await vscode.commands.getCommands();
    for (const id of [...SERVER_COMMANDS, 'pyreload.client.deepReload', 'pyreload.client.restartInterpreter', 'pyreload.client.showLastReport']) {
      assert.ok(ids.includes(id), `command ${id} registered`);
    }
    const status = fake.state.statusItems.find((s) => s.name === 'pyreload');
    assert.ok(status && status.visible, 'status bar item shown');
    if (!statuses.length) {
      assert.equal(status.text, '$(sync~spin) pyreload: starting…', 'until the interpreter is ready');
    }
    const ready = await waitReady();
    assert.ok(ready.pids.length > 0, `pyreload/status ready names the interpreter: ${JSON.stringify(ready)}`);
    assert.deepEqual(api.statuses().map((s) => s.state), ['ready']);
    assert.equal(status.text, '$(sync) pyreload');
  });

  it('palette "Deep Reload Package" reloads the active file\'s package; stale-import diagnostics arrive', async () => {
    requireRunning();
    fake.openDocument(views);
    await vscode.window.showTextDocument(fake.openDocument(core));
    await vscode.commands.executeCommand('pyreload.client.deepReload');
    const req = sent.find((s) => s.method === 'workspace/executeCommand' && s.params.command === 'pyreload.deepReload');
    assert.ok(req, `workspace/executeCommand pyreload.deepReload sent (sent: ${JSON.stringify(sent)})`);
    assert.deepEqual(req.params.arguments, [{ uri: vscode.Uri.file(core).toString() }], 'middleware added the active file URI');
    const errors = fake.state.messages.filter((m) => m.kind === 'error');
    assert.deepEqual(errors, [], 'no error shown');

    const diags = await fake.waitFor(() => staleImports(views).length > 0 && staleImports(views), FIRST_RELOAD_MS,
      `a stale-import diagnostic on app/views.py (have ${describeDiagnostics(views)})`).catch((err) => {
      throw new Error(`${err.message}; now: ${describeDiagnostics(views)}`);
    });
    assert.equal(diags.length, 1, describeDiagnostics(views));
    assert.equal(diags[0].range.start.line, 1, 'at line 2, `from shop.core import hello`');
    assert.match(diags[0].message, /hello/);
  });

  it('the pyreload/report notification updates the status bar and Show Last Report', async () => {
    requireRunning();
    await fake.waitFor(() => reports.some((r) => r.package === 'shop'), RELOAD_MS, 'a pyreload/report notification for shop');
    const r = reports.filter((x) => x.package === 'shop').pop();
    assert.equal(r.ok, true);
    assert.ok(r.stale >= 1, `report counts the stale reference: ${JSON.stringify(r)}`);
    const status = fake.state.statusItems.find((s) => s.name === 'pyreload');
    assert.match(status.text, /^\$\(warning\) shop \d\d:\d\d:\d\d$/);
    await vscode.commands.executeCommand('pyreload.client.showLastReport');
    const out = fake.state.outputs.find((o) => o.name === 'pyreload');
    assert.ok(out.shown > 0, 'output channel shown');
    assert.match(out.text, /pyreload report for package shop/);
  });

  it('the quick fix from the client\'s code action provider clears the diagnostic', async () => {
    requireRunning();
    const providers = fake.providers('CodeActionsProvider');
    assert.ok(providers.length > 0, 'server provides code actions (codeActionProvider)');
    const doc = fake.openDocument(views);
    const diags = staleImports(views);
    assert.equal(diags.length, 1);
    const token = new vscode.CancellationTokenSource().token;
    const context = { diagnostics: diags, only: vscode.CodeActionKind.QuickFix, triggerKind: vscode.CodeActionTriggerKind.Invoke };
    let actions = [];
    for (const p of providers) {
      actions.push(...((await p.provider.provideCodeActions(doc, diags[0].range, context, token)) || []));
    }
    const fixes = actions.filter((a) => a.kind && a.kind.value === 'quickfix');
    assert.ok(fixes.length > 0, `quickfix actions offered: ${JSON.stringify(actions.map((a) => a.title))}`);
    const fix = fixes.find((a) => /rebind/i.test(a.title) || (a.command && a.command.command === 'pyreload.rebind')) || fixes[0];
    let action = fix;
    if (!action.edit && !action.command) {
      for (const p of providers) {
        if (p.provider.resolveCodeAction) action = (await p.provider.resolveCodeAction(action, token)) || action;
      }
    }
    if (action.edit) await vscode.workspace.applyEdit(action.edit);
    if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments || []));
    await fake.waitFor(() => staleImports(views).length === 0, RELOAD_MS, `the stale-import to clear after "${fix.title}"`).catch((err) => {
      throw new Error(`${err.message}; now: ${describeDiagnostics(views)}`);
    });
  });

  it('saving a file of the package reloads it (onSave default true)', async () => {
    requireRunning();
    const doc = fake.openDocument(core);
    const before = reports.length;
    fake.setText(doc, doc.getText().replace('hello from shop', 'hello again from shop'));
    await doc.save();
    await fake.waitFor(() => reports.length > before, RELOAD_MS, 'a reload report after didSave');
    await fake.waitFor(() => staleImports(views).length === 1, RELOAD_MS, 'the stale-import after the on-save reload').catch((err) => {
      throw new Error(`${err.message}; now: ${describeDiagnostics(views)}`);
    });
  });

  it('turning pyreload.onSave off stops reload on save', async () => {
    requireRunning();
    await fake.setSetting('pyreload.onSave', false);
    // Let the server take in the change (didChangeConfiguration / workspace/configuration).
    await new Promise((r) => setTimeout(r, 1000));
    const doc = fake.openDocument(core);
    const before = reports.length;
    fake.setText(doc, doc.getText().replace('hello again', 'hello once more'));
    await doc.save();
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal(reports.length, before, `no reload after save with onSave=false, got ${JSON.stringify(reports.slice(before))}`);
  });

  it('palette "Restart Interpreter" runs pyreload.restartInterpreter without error', async () => {
    requireRunning();
    const before = statuses.length;
    await vscode.commands.executeCommand('pyreload.client.restartInterpreter');
    assert.ok(sent.some((s) => s.method === 'workspace/executeCommand' && s.params.command === 'pyreload.restartInterpreter'));
    assert.deepEqual(fake.state.messages.filter((m) => m.kind === 'error'), []);
    await waitReady(before);
    const status = fake.state.statusItems.find((s) => s.name === 'pyreload');
    assert.match(status.text, /^\$\(\w+\) shop \d\d:\d\d:\d\d$/, 'back to the last report once ready');
  });
});
