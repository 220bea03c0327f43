// Settings pass-through, against the fake vscode configuration (no server needed).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const vscode = require('vscode');
const { extensionDir } = require('./helpers');

test('the fake vscode module is the one under test/fake-vscode', () => {
  assert.ok(vscode.fake, 'require("vscode") must resolve to test/fake-vscode (run with NODE_PATH=test/fake-vscode)');
  assert.match(vscode.env.appName, /Fake/);
});

test('explicitSettings passes what the user set and leaves defaults to pyproject.toml', async () => {
  const { explicitSettings, SETTINGS } = require('../out/extension');
  vscode.fake.reset({ folders: [extensionDir], manifest: path.join(extensionDir, 'package.json') });
  assert.deepEqual(explicitSettings(), {}, 'defaults are not sent');
  await vscode.fake.setSetting('pyreload.onSave', false);
  await vscode.fake.setSetting('pyreload.packages', ['shop'], 'global');
  await vscode.fake.setSetting('pyreload.mode', 'patch', 'global');
  await vscode.fake.setSetting('pyreload.mode', 'evict', 'workspace');
  await vscode.fake.setSetting('pyreload.path', '/opt/pyreload');
  assert.deepEqual(explicitSettings(), { onSave: false, packages: ['shop'], mode: 'evict' });
  assert.deepEqual([...SETTINGS].sort(), ['attach', 'debounceMs', 'entry', 'exclude', 'hooks', 'mode', 'onSave', 'packages', 'paths', 'pythonPath', 'reloadTimeoutMs']);
});

test('the Python extension\'s selected interpreter is pythonPath unless the user set one', async () => {
  const { serverSettings, PYTHON_EXTENSION } = require('../out/extension');
  vscode.fake.reset({ folders: [extensionDir], manifest: path.join(extensionDir, 'package.json') });
  assert.deepEqual(await serverSettings(), {}, 'without the Python extension nothing is added');
  const asked = [];
  vscode.fake.setExtension(PYTHON_EXTENSION, {
    environments: {
      getActiveEnvironmentPath(resource) {
        asked.push(resource && resource.fsPath);
        return { id: 'venv', path: '/proj/.venv/bin/python' };
      },
    },
  });
  assert.deepEqual(await serverSettings(), { pythonPath: '/proj/.venv/bin/python' });
  assert.deepEqual(asked, [extensionDir], 'asked for the first folder');
  const folder = vscode.Uri.file('/elsewhere');
  await serverSettings(folder);
  assert.equal(asked[1], '/elsewhere', 'asked for the folder the server asks about');
  await vscode.fake.setSetting('pyreload.pythonPath', '/usr/bin/python3.11', 'workspace');
  assert.deepEqual(await serverSettings(), { pythonPath: '/usr/bin/python3.11' }, 'the setting wins');
});

test('the binary: pyreload.path when set, else the one inside the extension, else pyreload on PATH', async () => {
  const fs = require('fs');
  const os = require('os');
  const { serverCommand } = require('../out/extension');
  vscode.fake.reset({ folders: [extensionDir], manifest: path.join(extensionDir, 'package.json') });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyreload-ext-'));
  try {
    assert.equal(serverCommand(dir), 'pyreload');
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'pyreload'), '#!/bin/sh\n', { mode: 0o644 });
    assert.equal(serverCommand(dir), path.join(dir, 'bin', 'pyreload'));
    assert.ok(fs.statSync(path.join(dir, 'bin', 'pyreload')).mode & 0o100, 'made executable');
    await vscode.fake.setSetting('pyreload.path', '/opt/pyreload', 'global');
    assert.equal(serverCommand(dir), '/opt/pyreload');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
