#!/usr/bin/python3
"""A local HTTP receiver standing in for a webhook, Telegram or a WhatsApp
gateway (tests/lib/alerts.sh: alerts_receiver). Every POST is answered 200
{"ok":true} and appended to OUT as one line:

  PATH BODY                       (newlines in the body made spaces), or with
  {"path", "auth", "body"}        --json: the Authorization header and the
                                  body parsed as JSON

With --fail-first N the first N POSTs are answered 502 (an outage of the
service) and not recorded.

usage: http_receiver.py PORT OUT [--json] [--fail-first N]"""
import http.server
import json
import sys


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global fail_first
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if fail_first > 0:
            fail_first -= 1
            self.send_response(502)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok":false,"description":"Bad Gateway"}')
            return
        if as_json:
            line = json.dumps({"path": self.path, "auth": self.headers.get("Authorization"),
                               "body": json.loads(body)}).encode()
        else:
            line = self.path.encode() + b" " + body.replace(b"\n", b" ")
        with open(out, "ab") as f:
            f.write(line + b"\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok":true}')

    def log_message(self, *a):
        pass


port, out = int(sys.argv[1]), sys.argv[2]
opts = sys.argv[3:]
as_json = "--json" in opts
fail_first = int(opts[opts.index("--fail-first") + 1]) if "--fail-first" in opts else 0
http.server.HTTPServer(("127.0.0.1", port), Receiver).serve_forever()
