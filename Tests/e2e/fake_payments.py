"""A local stand-in for the card payment provider, for the browser suite: the Stripe API's
shape (Checkout Sessions created with the secret key, a hosted page to pay on, and a signed
`checkout.session.completed` webhook back to Gonio). Test use only; never the internet.

    python3 fake_payments.py --port 8097 --webhook http://127.0.0.1:8093/api/v1/payments/webhook \
        --key sk_test_gonio_e2e --secret whsec_gonio_e2e
"""

import argparse
import hashlib
import hmac
import html
import json
import time
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SESSIONS = {}


def make_handler(args):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, status, body, content_type="application/json", headers=None):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def form(self):
            length = int(self.headers.get("Content-Length") or 0)
            return dict(urllib.parse.parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))

        def do_POST(self):
            if self.path == "/v1/checkout/sessions":
                if self.headers.get("Authorization") != f"Bearer {args.key}":
                    return self.reply(401, json.dumps({"error": {"message": "Invalid API Key"}}))
                f = self.form()
                if f.get("mode") != "payment" or not f.get("line_items[0][price_data][unit_amount]", "").isdigit():
                    return self.reply(400, json.dumps({"error": {"message": "Missing parameter"}}))
                sid = "cs_test_" + uuid.uuid4().hex[:12]
                SESSIONS[sid] = f
                return self.reply(200, json.dumps({"id": sid, "object": "checkout.session", "url": f"http://127.0.0.1:{args.port}/pay/{sid}"}))
            if self.path.startswith("/pay/"):
                sid = self.path.split("/")[2]
                f = SESSIONS.get(sid)
                if not f:
                    return self.reply(404, "no such session", "text/plain")
                event = {"id": "evt_" + uuid.uuid4().hex[:16], "type": "checkout.session.completed", "data": {"object": {
                    "id": sid, "object": "checkout.session", "payment_status": "paid",
                    "amount_total": int(f["line_items[0][price_data][unit_amount]"]),
                    "currency": f.get("line_items[0][price_data][currency]", "usd"),
                    "client_reference_id": f.get("client_reference_id"),
                    "metadata": {"invoice_id": f.get("metadata[invoice_id]")}}}}
                payload = json.dumps(event)
                t = int(time.time())
                sig = hmac.new(args.secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
                req = urllib.request.Request(args.webhook, data=payload.encode(), method="POST",
                                             headers={"Content-Type": "application/json", "Stripe-Signature": f"t={t},v1={sig}"})
                with urllib.request.urlopen(req, timeout=15) as r:
                    r.read()
                return self.reply(303, "", "text/plain", {"Location": f["success_url"]})
            return self.reply(404, "not found", "text/plain")

        def do_GET(self):
            if self.path == "/health":
                return self.reply(200, "ok", "text/plain")
            if self.path.startswith("/pay/"):
                sid = self.path.split("/")[2]
                f = SESSIONS.get(sid)
                if not f:
                    return self.reply(404, "no such session", "text/plain")
                name = html.escape(f.get("line_items[0][price_data][product_data][name]", ""))
                amount = int(f["line_items[0][price_data][unit_amount]"]) / 100
                page = (f"<!doctype html><html lang=en><head><title>Test checkout</title></head><body><main>"
                        f"<h1>Test checkout</h1><p>{name}</p><p id=amount>${amount:,.2f}</p>"
                        f"<form method=post action=/pay/{sid}><button type=submit>Pay</button></form>"
                        f"<p><a href=\"{html.escape(f['cancel_url'])}\">Cancel</a></p></main></body></html>")
                return self.reply(200, page, "text/html; charset=utf-8")
            return self.reply(404, "not found", "text/plain")

    return Handler


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=8097)
    p.add_argument("--webhook", required=True)
    p.add_argument("--key", default="sk_test_gonio_e2e")
    p.add_argument("--secret", default="whsec_gonio_e2e")
    a = p.parse_args()
    ThreadingHTTPServer(("127.0.0.1", a.port), make_handler(a)).serve_forever()
