"""Load for benches/scale/run.sh (standard library only).

  load.py fill URL KEY N            send N traces in requests of 500 (retrying 503), print the
                                    count accepted
  load.py steady URL KEY RATE SECS OUT
                                    send RATE traces/s in requests of 10 for SECS seconds;
                                    write "key accepted_at_ms" per accepted trace to OUT
"""
import json
import sys
import time
import urllib.error
import urllib.request


def trace(i, tag):
    output = ("Take 9000 mg of acetaminophen daily." if i % 3 == 0
              else "Rest, fluids, and see your doctor if it gets worse.")
    return json.dumps({
        "id": f"{tag}-{i}",
        "input": "What should I do about a headache?",
        "output": output,
        "metadata": {"domain": "healthcare"},
    })


def post(url, key, lines):
    body = "\n".join(lines).encode()
    while True:
        req = urllib.request.Request(url + "/v1/traces", data=body, method="POST",
                                     headers={"Authorization": "Bearer " + key})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return [a["key"] for a in json.load(r)["accepted"]]
        except urllib.error.HTTPError as e:
            if e.code in (429, 503):
                time.sleep(float(e.headers.get("Retry-After", "1")))
                continue
            raise


def fill(url, key, n):
    accepted = 0
    for start in range(0, n, 500):
        accepted += len(post(url, key, [trace(i, "fill") for i in range(start, min(n, start + 500))]))
    print(accepted)


def steady(url, key, rate, secs, out):
    per_request = 10
    interval = per_request / rate
    started = time.monotonic()
    i = 0
    with open(out, "w") as f:
        while time.monotonic() - started < secs:
            due = started + (i // per_request) * interval
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            keys = post(url, key, [trace(j, "steady") for j in range(i, i + per_request)])
            at = int(time.time() * 1000)
            for k in keys:
                f.write(f"{k} {at}\n")
            i += per_request


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "fill":
        fill(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "steady":
        steady(sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), sys.argv[6])
