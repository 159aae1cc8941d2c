"""Alerts to real receivers on loopback, end to end through `aegis-eval serve`.

* A webhook receiver verifies every request with the Standard Webhooks reference library
  (`standardwebhooks`, PyPI) under the secret Aegis was given; it answers 503 (Retry-After: 1)
  to its first requests, so deliveries are retried.
* Slack bodies are parsed and validated by Slack's own SDK (`slack_sdk`'s Block Kit models);
  PagerDuty bodies are validated against PagerDuty's published Events API v2 schema
  (`schemas/pagerduty-events-v2.json`); SMS requests have Twilio's shape and basic auth; email
  reaches an `aiosmtpd` server that requires STARTTLS (a certificate made here, trusted through
  the channel's `ca_file`) and a login.
* Slack's channel is limited to 30 messages a minute: they arrive at least 2 s apart.
* The server is killed (SIGKILL) while notifications wait to be retried, and started again:
  every notification is then delivered, and none twice.
* A PHI canary (a patient's name and SSN in the traces) reaches no receiver.
* `GET /v1/alerts` shows the alerts and each attempt, to their organisation only.

usage: python test.py <aegis-eval binary>
"""

import base64
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jsonschema
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from slack_sdk.models.blocks import Block
from standardwebhooks.webhooks import Webhook

BIN = sys.argv[1]
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
CANARY_NAME = "Zebediah Quimbleworth"
CANARY_SSN = "536-22-8491"
FAIL_FIRST = 3

received = {"hook": [], "slack": [], "pd": [], "gone": [], "sms": [], "mail": []}
SMS_SID = "AC0123456789abcdef"
SMS_TOKEN = "sms-token-secret-1"
SMTP_USER, SMTP_PASSWORD = "aegis", "smtp-password-secret-1"
lock = threading.Lock()
hook_requests = [0]


class Receiver(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        path = self.path.strip("/")
        with lock:
            if path == "hook":
                hook_requests[0] += 1
                if hook_requests[0] <= FAIL_FIRST:
                    self.send_response(503)
                    self.send_header("Retry-After", "1")
                    self.end_headers()
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    Webhook(SECRET).verify(body, headers)
                    verified = True
                except Exception as e:  # noqa: BLE001 - any failure is a failed check
                    verified = f"{type(e).__name__}: {e}"
                received["hook"].append(
                    {"id": headers.get("webhook-id"), "verified": verified, "body": body.decode()}
                )
            elif path in ("slack", "pd"):
                received[path].append({"body": body.decode(), "at": time.time()})
            elif path == f"2010-04-01/Accounts/{SMS_SID}/Messages.json":
                received["sms"].append({"body": body.decode(), "auth": self.headers.get("authorization", ""),
                                        "type": self.headers.get("content-type", "")})
                self.send_response(201)
                self.end_headers()
                return
            elif path == "gone":
                received["gone"].append({"body": body.decode()})
                self.send_response(410)
                self.end_headers()
                return
        self.send_response(202 if path == "pd" else 200)
        self.end_headers()


class Mailbox:
    async def handle_DATA(self, server, session, envelope):
        with lock:
            received["mail"].append({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                                     "data": envelope.content.decode("utf-8", "replace"),
                                     "tls": session.ssl is not None, "login": session.authenticated})
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def check(cond, what):
    if not cond:
        print(f"FAIL: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


def get(url, key):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def main():
    rport = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", rport), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    work = tempfile.mkdtemp(prefix="aegis-alerts-")
    # An SMTP server that requires STARTTLS and a login, with a certificate for localhost.
    cert, keyfile = os.path.join(work, "smtp.pem"), os.path.join(work, "smtp.key")
    # A private CA, and the server's certificate signed by it (a CA's own certificate is no
    # server certificate to a careful client).
    ca, ca_key, csr = (os.path.join(work, n) for n in ("ca.pem", "ca.key", "smtp.csr"))
    ext = os.path.join(work, "smtp.ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n"
                "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    for cmd in (
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", ca_key, "-out", ca, "-subj", "/CN=Aegis test CA"],
        ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", keyfile, "-out", csr,
         "-subj", "/CN=localhost"],
        ["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
         "-days", "1", "-out", cert, "-extfile", ext],
    ):
        subprocess.run(cmd, check=True, capture_output=True)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, keyfile)
    smtp_port = free_port()
    smtp = Controller(Mailbox(), hostname="127.0.0.1", port=smtp_port, tls_context=tls,
                      require_starttls=True, authenticator=authenticator, auth_required=True)
    smtp.start()
    store = os.path.join(work, "svc")
    config = os.path.join(work, "aegis.toml")
    with open(config, "w") as f:
        f.write(
            f"""
[alerts]
look_every = "1s"
allow_networks = ["127.0.0.0/8", "::1/128"]

[[alerts.channels]]
name = "hooks"
kind = "webhook"
url = "http://127.0.0.1:{rport}/hook"
secret_env = "TEST_WEBHOOK_SECRET"

[[alerts.channels]]
name = "ops-slack"
kind = "slack"
url_env = "TEST_SLACK_URL"
severities = ["critical"]
per_minute = 30

[[alerts.channels]]
name = "mail"
kind = "email"
smtp_host = "localhost"
smtp_port = {smtp_port}
security = "starttls"
username = "{SMTP_USER}"
password_env = "TEST_SMTP_PASSWORD"
from = "Aegis <alerts@aegis.example>"
to = ["oncall@hospital.example", "pharmacy@hospital.example"]
ca_file = "{ca}"
severities = ["critical"]

[[alerts.channels]]
name = "sms"
kind = "sms"
url = "http://127.0.0.1:{rport}"
account_sid = "{SMS_SID}"
auth_token_env = "TEST_SMS_TOKEN"
from = "+15550000000"
to = "+15551234567"
severities = ["critical"]

[[alerts.channels]]
name = "oncall"
kind = "pagerduty"
url = "http://127.0.0.1:{rport}/pd"
routing_key_env = "TEST_PD_KEY"
severities = ["critical", "error"]

[[alerts.channels]]
name = "retired"
kind = "webhook"
url = "http://127.0.0.1:{rport}/gone"
secret_env = "TEST_WEBHOOK_SECRET"
severities = ["critical"]

[[alerts.channels]]
name = "metadata"
kind = "webhook"
url = "http://169.254.169.254/latest/meta-data/"
secret_env = "TEST_WEBHOOK_SECRET"
severities = ["critical"]

[[alerts.rules]]
domain = "healthcare"
id = "by_application"
when = {{ issue = "critical" }}
group_by = "application"
notify = ["oncall"]

[[alerts.rules]]
domain = "healthcare"
id = "quick_overdose"
description = "An overdose; resolves 2 s after the last one."
when = {{ validator = "no_medication_overdose" }}
severity = "error"
cooldown = "2s"
notify = ["oncall"]
"""
        )
    env = dict(os.environ)
    env.update(
        TEST_WEBHOOK_SECRET=SECRET,
        TEST_SLACK_URL=f"http://127.0.0.1:{rport}/slack",
        TEST_PD_KEY="R0UTINGKEY0000000000000000000000",
        TEST_SMTP_PASSWORD=SMTP_PASSWORD,
        TEST_SMS_TOKEN=SMS_TOKEN,
        AEGIS_CONFIG=config,
    )
    env.pop("AEGIS_JUDGE_PROVIDER", None)
    keys = {}
    for org in ("acme", "other"):
        out = subprocess.run(
            [BIN, "orgs", "create", org, "--store", store],
            check=True, capture_output=True, text=True, env=env,
        ).stdout
        keys[org] = out.strip().splitlines()[2]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(os.path.join(work, "serve.log"), "w")

    def start():
        p = subprocess.Popen(
            [BIN, "serve", "--store", store, "--addr", f"127.0.0.1:{port}", "--workers", "1",
             "--no-judge", "-v"],
            env=env, stdout=log, stderr=log,
        )
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                return p
            except OSError:
                time.sleep(0.1)
        p.kill()
        sys.exit("the server did not start: " + open(log.name).read())

    proc = start()
    # The bundled healthcare traces (overdoses, emergencies not routed: critical findings),
    # with a patient's name and SSN written into every input.
    lines = []
    for line in open("examples/traces/healthcare.jsonl"):
        if not line.strip():
            continue
        t = json.loads(line)
        t["input"] = f"Patient {CANARY_NAME}, SSN {CANARY_SSN}. " + t["input"]
        lines.append(json.dumps(t))
    req = urllib.request.Request(
        url + "/v1/traces", data="\n".join(lines).encode(), method="POST",
        headers={"Authorization": f"Bearer {keys['acme']}", "Content-Type": "application/x-ndjson"},
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        check(r.status == 202, "traces accepted (202)")
    # One answer evaluated in the request (POST /v1/evaluate), from an application of its own.
    overdose = json.loads(next(l for l in lines if '"hc-002"' in l))
    overdose["id"] = "in-request-1"
    overdose.setdefault("metadata", {})["application"] = "evaluate-app"
    req = urllib.request.Request(
        url + "/v1/evaluate", data=json.dumps(overdose).encode(), method="POST",
        headers={"Authorization": f"Bearer {keys['acme']}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        check(r.status == 200, "an answer evaluated in the request")
    # Wait until the alerts have fired and the webhook has refused its first requests; then
    # kill the server while those notifications wait to be retried.
    deadline = time.time() + 60
    while time.time() < deadline and hook_requests[0] < FAIL_FIRST:
        time.sleep(0.1)
    check(hook_requests[0] >= FAIL_FIRST, "the webhook was tried and answered 503")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    restarted = time.time()
    proc = start()
    alerts = []
    deadline = time.time() + 90
    while time.time() < deadline:
        alerts = get(url + "/v1/alerts", keys["acme"])["alerts"]
        details = [get(url + f"/v1/alerts/{a['id']}", keys["acme"]) for a in alerts]
        pending = [n for d in details for n in d["notifications"] if n["state"] == "pending"]
        quick = [a for a in alerts if a["rule"] == "quick_overdose"]
        if alerts and not pending and quick and all(a["state"] == "resolved" for a in quick):
            break
        time.sleep(0.5)
    # Every read is scoped to the caller's organisation.
    theirs = get(url + "/v1/alerts", keys["other"])["alerts"]
    try:
        get(url + f"/v1/alerts/{alerts[0]['id']}", keys["other"]) if alerts else None
        foreign = "read"
    except urllib.error.HTTPError as e:
        foreign = e.code
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    server.shutdown()
    smtp.stop()
    check(theirs == [] and foreign == 404, "another organisation sees none of these alerts (404)")

    check(len(alerts) >= 2, f"alerts fired ({len(alerts)}: {sorted({a['rule'] for a in alerts})})")
    rules = {a["rule"] for a in alerts}
    check({"critical_finding", "emergency_not_routed"} <= rules, "critical findings and emergencies alert")
    triggers = [n for d in details for n in d["notifications"]
                if n["channel"] == "hooks" and n["event"] == "trigger"]
    check(all(n["state"] == "delivered" for n in triggers), "every webhook notification was delivered")
    hook = received["hook"]
    check(all(h["verified"] is True for h in hook),
          "standardwebhooks verified every signature: " + str([h["verified"] for h in hook if h["verified"] is not True][:2]))
    ids = [h["id"] for h in hook]
    check(len(ids) == len(set(ids)), f"no notification delivered twice ({len(ids)} deliveries)")
    check(set(ids) == {n["message_id"] for n in triggers},
          "each notification the store lists reached the receiver, under its id")
    attempts = [a for d in details for a in d["attempts"]]
    check(any(a["status"] == 503 for a in attempts), "the 503 answers are in the delivery history")
    for h in hook:
        data = json.loads(h["body"])
        check(data["type"] == "alert.firing" and data["data"]["severity"] in ("critical", "error", "warning", "info"),
              f"webhook body: {data['type']}, {data['data']['rule']}")
        break
    check(received["slack"], "Slack received the critical alerts")
    for m in received["slack"]:
        b = json.loads(m["body"])
        if not (isinstance(b.get("text"), str) and b["text"] and b["blocks"][0]["type"] == "header"):
            check(False, "Slack body: a text fallback and Block Kit blocks")
        for block in b["blocks"]:
            Block.parse(block).validate_json()  # raises on what Slack would refuse
    check(True, f"slack_sdk parsed and validated every block of {len(received['slack'])} Slack messages")
    # The limit is the running server's: counted from the restart.
    times = [m["at"] for m in received["slack"] if m["at"] > restarted]
    gaps = [b - a for a, b in zip(times, times[1:])]
    check(len(times) >= 2 and min(gaps) >= 1.9,
          f"Slack's rate limit (30 a minute) held: {len(times)} messages, smallest gap {min(gaps or [0]):.2f} s")
    check(received["pd"], "PagerDuty received the critical and error alerts")
    here = os.path.dirname(os.path.abspath(__file__))
    pd_schema = json.load(open(os.path.join(here, "schemas", "pagerduty-events-v2.json")))
    checker = jsonschema.Draft4Validator(pd_schema, format_checker=jsonschema.FormatChecker())
    bodies = [json.loads(p["body"]) for p in received["pd"]]
    errors = [e.message for b in bodies for e in checker.iter_errors(b)]
    check(not errors, f"{len(bodies)} PagerDuty events valid against PagerDuty's published schema {errors[:2]}")
    check(all(b["event_action"] == "resolve" or (b["dedup_key"] and b["payload"]["summary"]) for b in bodies),
          "every trigger has its dedup_key and payload")
    # SMS: Twilio's Messages API shape, with the account's basic auth.
    check(received["sms"], "the SMS receiver got the critical alerts")
    for m in received["sms"]:
        form = urllib.parse.parse_qs(m["body"])
        auth = base64.b64decode(m["auth"].split(" ", 1)[1]).decode()
        check(form["To"] == ["+15551234567"] and form["From"] == ["+15550000000"] and form["Body"][0]
              and m["type"].startswith("application/x-www-form-urlencoded")
              and auth == f"{SMS_SID}:{SMS_TOKEN}", "SMS: To, From, Body as a form, with basic auth")
        break
    # Email: over STARTTLS, logged in, to both recipients.
    check(received["mail"], "the SMTP server received the critical alerts")
    for m in received["mail"]:
        check(m["tls"] and m["login"] and sorted(m["to"]) == ["oncall@hospital.example", "pharmacy@hospital.example"]
              and "Subject: [CRITICAL]" in m["data"], "email: STARTTLS, login, both recipients, a subject")
        break
    # A rule of the configuration, resolved after its cooldown: PagerDuty gets the resolve
    # with the trigger's dedup_key.
    pd = [json.loads(p["body"]) for p in received["pd"]]
    quick = [a for a in alerts if a["rule"] == "quick_overdose"]
    check(quick and all(a["state"] == "resolved" for a in quick), "a configured rule fired and resolved itself after its cooldown")
    keys_triggered = {b["dedup_key"] for b in pd if b["event_action"] == "trigger"}
    resolves = [b for b in pd if b["event_action"] == "resolve"]
    check(resolves and all(b["dedup_key"] in keys_triggered for b in resolves),
          "PagerDuty got `resolve` with the dedup_key it was triggered with")
    # Results evaluated in the request go through the per-result rules too.
    check(any(a["rule"] == "by_application" and a["group_key"] == "evaluate-app" for a in alerts),
          "a result evaluated in the request raised its alert (grouped by its application)")
    # A channel aimed at the cloud metadata address: refused before any connection.
    meta = [n for d in details for n in d["notifications"] if n["channel"] == "metadata"]
    meta_attempts = [a for a in attempts if a["delivery_id"] in {n["id"] for n in meta}]
    check(meta and all(n["state"] == "failed" and n["attempts"] == 1 for n in meta)
          and all("not allowed" in a["outcome"] for a in meta_attempts),
          "a channel aimed at 169.254.169.254 is refused at once (SSRF check)")
    # A receiver answering 410 Gone: the channel is turned off after its first answer.
    retired = [n for d in details for n in d["notifications"] if n["channel"] == "retired"]
    check(len(received["gone"]) == 1 and len(retired) >= 1
          and all(n["state"] in ("failed", "dropped") for n in retired),
          f"410 turned the channel off ({len(received['gone'])} request, states {sorted({n['state'] for n in retired})})")
    log_text = open(log.name).read()
    check(SECRET not in log_text and "R0UTINGKEY" not in log_text and "/slack" not in log_text
          and SMS_TOKEN not in log_text and SMTP_PASSWORD not in log_text,
          "no secret (signing secret, routing key, Slack URL, SMS token, SMTP password) in the server's log")
    everything = json.dumps(received)
    check(CANARY_NAME.split()[1] not in everything and CANARY_SSN not in everything
          and "Quimbleworth" not in json.dumps(details),
          "no receiver and no alert record saw the PHI canary")
    listed = subprocess.run([BIN, "alerts", "list", "acme", "--store", store, "--json"],
                            check=True, capture_output=True, text=True, env=env).stdout
    check(sorted(a["id"] for a in json.loads(listed)) == sorted(a["id"] for a in alerts),
          "`aegis-eval alerts list` lists the same alerts")
    retried = next(d for d in details if any(a["status"] == 503 for a in d["attempts"]))
    shown = subprocess.run([BIN, "alerts", "show", "acme", str(retried["alert"]["id"]), "--store", store],
                           check=True, capture_output=True, text=True, env=env).stdout
    check(" 503 " in shown and "delivered" in shown, "`aegis-eval alerts show` shows the 503 and the delivery")
    print("all alert checks passed")


if __name__ == "__main__":
    main()
