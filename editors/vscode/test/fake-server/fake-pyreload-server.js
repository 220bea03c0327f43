#!/usr/bin/env node
// FAKE `pyreload serve --stdio` for the extension's unit tests (status.test.js):
// a minimal LSP server over stdio that answers initialize and shutdown, and on
// the test-only request `fakeServer/notify` ({method, params}) sends that
// notification to the client before it answers. It lets the tests drive the
// pyreload/status and pyreload/report notifications (restarting, failed, ...)
// that the real server only sends when an interpreter dies. Not the real server.
'use strict';

let buffer = Buffer.alloc(0);

function send(msg) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
  process.stdout.write(`Content-Length: ${body.length}\r\n\r\n`);
  process.stdout.write(body);
}

function handle(msg) {
  if (msg.id === undefined || msg.method === undefined) {
    if (msg.method === 'exit') process.exit(0);
    return; // a notification, or a response to a request of ours
  }
  switch (msg.method) {
    case 'initialize':
      send({ id: msg.id, result: { capabilities: { executeCommandProvider: { commands: [] } }, serverInfo: { name: 'fake-pyreload-server' } } });
      return;
    case 'fakeServer/notify':
      send({ method: msg.params.method, params: msg.params.params });
      send({ id: msg.id, result: null });
      return;
    default:
      send({ id: msg.id, result: null });
  }
}

process.stdin.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const m = /Content-Length: (\d+)/i.exec(buffer.slice(0, end).toString('ascii'));
    const len = m ? Number(m[1]) : 0;
    if (buffer.length < end + 4 + len) return;
    const body = buffer.slice(end + 4, end + 4 + len).toString('utf8');
    buffer = buffer.slice(end + 4 + len);
    handle(JSON.parse(body));
  }
});
process.stdin.on('end', () => process.exit(0));
