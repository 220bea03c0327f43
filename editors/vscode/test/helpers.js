// Shared helpers of the extension tests: where the server binary and the
// fixture workspace are, and a fresh copy of the workspace per test file.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const extensionDir = path.resolve(__dirname, '..');
const repoRoot = path.resolve(extensionDir, '..', '..');
const fixtures = path.join(repoRoot, 'editors', 'fixtures');
const serverBin = process.env.PYRELOAD_BIN || path.join(repoRoot, 'bin', 'pyreload');

/** workspaceCopy copies editors/fixtures to a new temporary root. */
function workspaceCopy(prefix) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  fs.cpSync(fixtures, dir, { recursive: true });
  return dir;
}

/** requireServer fails with what to do when bin/pyreload is missing. */
function requireServer() {
  if (!fs.existsSync(serverBin)) {
    throw new Error(`the language server binary ${serverBin} does not exist: run \`make\` at the repository root first`);
  }
  return serverBin;
}

module.exports = { extensionDir, repoRoot, fixtures, serverBin, workspaceCopy, requireServer };
