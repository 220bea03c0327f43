"""A long-running driver of the complex CLI for the tests: GET
/run?arg=-v&arg=status invokes the CLI in-process (click's CliRunner) and
answers its output; GET /tools?arg=... the tools group. Writes its port to ./port."""
import http.server
import os
import urllib.parse

from click.testing import CliRunner

import complex.cli

RUNNER = CliRunner()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        args = urllib.parse.parse_qs(url.query).get("arg", [])
        group = complex.cli.tools if url.path == "/tools" else complex.cli.cli
        result = RUNNER.invoke(group, args)
        data = result.output.encode()
        self.send_response(200 if result.exit_code == 0 else 500)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open("port.tmp", "w") as handle:
    handle.write(str(server.server_address[1]))
os.replace("port.tmp", "port")
server.serve_forever()
