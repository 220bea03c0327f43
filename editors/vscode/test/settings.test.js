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
  assert.deepEqual([...SETTINGS].sort(), ['attach', 'debounceMs', 'entry', 'exclude', 'mode', 'onSave', 'packages', 'pythonPath']);
});
