// Checks of package.json: contributed commands and settings match the contract,
// and the extension never claims a command id the language client registers.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const manifest = require('../package.json');

const SERVER_COMMANDS = ['pyreload.deepReload', 'pyreload.rebind', 'pyreload.patchInPlace', 'pyreload.reloadDependents', 'pyreload.restartInterpreter'];

test('palette commands use pyreload.client.* ids, never the server ids', () => {
  const ids = manifest.contributes.commands.map((c) => c.command);
  assert.deepEqual(ids.sort(), ['pyreload.client.deepReload', 'pyreload.client.restartInterpreter', 'pyreload.client.showLastReport']);
  for (const id of SERVER_COMMANDS) assert.ok(!ids.includes(id), id);
  const titles = manifest.contributes.commands.map((c) => `${c.category}: ${c.title}`);
  assert.ok(titles.includes('pyreload: Deep Reload Package'));
  assert.ok(titles.includes('pyreload: Restart Interpreter'));
  assert.ok(titles.includes('pyreload: Show Last Report'));
});

// The server's settings keys are the JSON names of reload/config's Settings
// fields (config.Keys is made from them).
function serverKeys() {
  const src = require('fs').readFileSync(path.join(__dirname, '..', '..', '..', 'reload', 'config', 'config.go'), 'utf8');
  const struct = src.match(/\ntype Settings struct \{([\s\S]*?)\n\}/)[1];
  return [...struct.matchAll(/json:"(\w+)/g)].map((m) => m[1]);
}

test('every server setting is contributed and passed on', () => {
  const props = manifest.contributes.configuration.properties;
  for (const key of [...serverKeys(), 'path']) {
    assert.ok(props[`pyreload.${key}`], key);
  }
  const { SETTINGS } = require('../out/extension');
  assert.deepEqual([...SETTINGS].sort(), serverKeys().sort());
  assert.equal(props['pyreload.onSave'].default, true);
  assert.deepEqual(props['pyreload.mode'].enum, ['inplace', 'evict']);
  assert.equal(props['pyreload.mode'].default, 'inplace');
  assert.equal(props['pyreload.path'].default, 'pyreload');
});

test('vsce packaging prerequisites: repository, an MIT LICENSE file (no prompt), engines', () => {
  assert.ok(manifest.repository && manifest.repository.url);
  assert.equal(manifest.license, 'MIT');
  const fs = require('fs');
  const license = path.join(__dirname, '..', 'LICENSE');
  assert.equal(fs.readFileSync(license, 'utf8'), fs.readFileSync(path.join(__dirname, '..', '..', '..', 'LICENSE'), 'utf8'), 'editors/vscode/LICENSE is the repository LICENSE');
  assert.ok(fs.existsSync(path.join(__dirname, '..', 'README.md')));
  assert.equal(manifest.engines.vscode, '^1.82.0');
  assert.match(manifest.devDependencies['@vscode/vsce'], /^\^?3\./);
});

test('the package ships the esbuild bundle, not out/ and node_modules', () => {
  assert.equal(manifest.main, './dist/extension.js');
  assert.match(manifest.scripts['vscode:prepublish'], /bundle/);
  assert.match(manifest.scripts.bundle, /esbuild .*--bundle .*--external:vscode/);
  assert.ok(manifest.devDependencies.esbuild);
  assert.ok(!manifest.dependencies || !Object.keys(manifest.dependencies).some((d) => d === 'esbuild'));
});

test('workspace trust, per-folder settings and the pythonPath meaning', () => {
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, false, 'pyreload runs the workspace code');
  assert.match(manifest.capabilities.untrustedWorkspaces.description, /trusted/);
  const props = manifest.contributes.configuration.properties;
  for (const key of serverKeys()) {
    assert.equal(props[`pyreload.${key}`].scope, 'resource', key);
  }
  assert.equal(props['pyreload.path'].scope, 'machine-overridable');
  assert.match(props['pyreload.pythonPath'].description, /interpreter/);
  assert.match(props['pyreload.pythonPath'].description, /Python extension/);
  assert.doesNotMatch(props['pyreload.pythonPath'].description, /sys\.path/);
});
