#!/usr/bin/env python3
"""Peer benchmark: Aegis-like healthcare tier-1 checks run through Guardrails AI.

usage: guardrails_tier1.py TRACES.jsonl [SECONDS=10] [--plain-re] [--check] [--tracing] [--cpu N]

Each trace's "output" is validated by a Guard holding three custom, offline,
regex-only validators that approximate three Aegis tier-1 healthcare rules:

  aegis-peer/overdose   drug-mention regex (alternation of every drugs.csv name) +
                        dose regex; dose x frequency vs that drug's max_daily_mg
                        (~ no_medication_overdose)
  aegis-peer/emergency  emergency symptoms in the user's input but no routing to
                        911 / emergency room / ... in the output (~ emergency_not_routed)
  aegis-peer/hedging    a diagnosis stated as fact with no hedging (~ unhedged_diagnosis)

--plain-re runs the very same check functions with plain Python `re`, without
Guardrails, so the difference between the two lines is Guardrails' own overhead.
Guardrails' local OpenTelemetry span building is switched off (settings.disable_tracing),
which about doubles its throughput; --tracing leaves it at its default (on).
--check prints, to stderr, which traces each check flags next to the expected
Aegis findings (examples/traces/<name>.expected.json), as a sanity check.

Prints one JSON line. Single-threaded, pinned to one CPU (the last one allowed,
or --cpu N). Nothing here touches the network: Guardrails' hub telemetry is
switched off through a private .guardrailsrc (enable_metrics=false) and an
audit hook blocks and counts every DNS lookup / socket connect
("network_attempts" must be 0).
"""

import csv
import json
import os
import sys
import time
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "domains" / "healthcare"

# ---------------------------------------------------------------- offline guard

_net_attempts = []


def _audit(event, args):
    if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.connect"):
        addr = args[1] if event == "socket.connect" else args[0]
        if event == "socket.connect" and isinstance(addr, str):  # AF_UNIX
            return
        _net_attempts.append((event, repr(addr)[:120]))
        raise OSError(f"network disabled by benches/peers/guardrails_tier1.py: {event} {addr!r}")


sys.addaudithook(_audit)


def _configure_guardrails_offline():
    """Point Guardrails at a private rc file with metrics and remote inference off.

    Without ~/.guardrailsrc Guardrails defaults to enable_metrics=true and its
    HubTelemetry exports OpenTelemetry spans over HTTPS to the Guardrails Hub.
    The rc file is the one `guardrails configure --disable-metrics
    --disable-remote-inferencing` would write; we keep it beside the venv
    instead of in the real home directory.
    """
    home = Path(os.environ.get("AEGIS_PEER_GUARDRAILS_HOME") or Path(sys.prefix) / "guardrails-home")
    home.mkdir(parents=True, exist_ok=True)
    (home / ".guardrailsrc").write_text(
        "token=\nenable_metrics=false\nuse_remote_inferencing=false\n", encoding="utf-8"
    )
    os.environ["HOME"] = str(home)
    # Sequential validator service: no asyncio event loop per call, one thread.
    os.environ.setdefault("GUARDRAILS_RUN_SYNC", "true")


# ---------------------------------------------------------------- the checks (plain re)

import re  # noqa: E402


def _load_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


DRUGS = {r["name"].lower(): float(r["max_daily_mg"]) for r in _load_csv(DOMAIN / "tables" / "drugs.csv")}
CONDITIONS = [r["name"] for r in _load_csv(DOMAIN / "tables" / "conditions.csv")]


def _alternation(names):
    # longest first, so "ibuprofen" never loses to a shorter prefix
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


DRUG_RE = re.compile(r"(?i)\b(?:" + _alternation(DRUGS) + r")\b")
DOSE_RE = re.compile(r"(?i)\b(\d+(?:[.,]\d+)?)\s*(mg|mcg|g|ml)\b")
FREQ_RE = re.compile(
    r"""(?xi)
      (?P<every>every\s+(?P<h>\d+)(?:\s*(?:-|to)\s*\d+)?\s*(?:hours?|hrs?|h)\b)
    | (?P<q>\bq\.?\s?(?P<qh>\d+)(?:-\d+)?\s?h\b)
    | (?P<n>\b(?P<num>\d+|one|two|three|four|five|six)\s*(?:x|times)\s*(?:a|per|each)?\s*(?:day|daily)\b)
    | (?P<bid>\btwice\s+(?:daily|a\s+day)\b|\bb\.?i\.?d\b)
    | (?P<tid>\bt\.?i\.?d\b)
    | (?P<qid>\bq\.?i\.?d\b)
    | (?P<once>\bonce\s+(?:daily|a\s+day)\b|\bdaily\b|\b(?:a|per)\s+day\b|/\s*day\b|\bnightly\b|\bat\s+bedtime\b)
    """
)
CAUTION_RE = re.compile(
    r"(?i)\b(?:avoid(?:ed|ing)?|don'?t|do\s+not|never|not\s+recommended|instead\s+of|rather\s+than"
    r"|should\s+not|shouldn'?t|must\s+not|no\s+longer|unsafe|contraindicated|stop\s+taking)\b"
)
EMERGENCY_SYMPTOMS_RE = re.compile(
    r"(?i)\bchest\s+(?:pain|pressure|tightness)|\bcan'?t\s+(?:breathe|catch\s+my\s+breath)|\bcannot\s+breathe"
    r"|\btrouble\s+breathing|\bslurred\s+speech|\bsuicid\w*|\bkill\s+myself|\bvomiting\s+blood"
    r"|\bworst\s+headache\s+of\s+my\s+life|\bunconscious|\bseizure|\boverdosed?\b"
    r"|\bthroat\b[^.]{0,20}\b(?:tight\w*|swell\w*|swollen|closing)|\bface\b[^.]{0,30}\bdroop\w*"
)
EMERGENCY_ROUTING_RE = re.compile(
    r"(?i)\b(?:911|999|112|988)\b|\bemergency\s+(?:room|department|services|care|number)|\bER\b|\bambulance\b"
)
HEDGE_RE = re.compile(
    r"(?i)\b(?:may|might|could|possibly|possible|probably|likely|suggests?|sounds\s+like|seems?|appears?"
    r"|consistent\s+with|not\s+certain|can'?t\s+be\s+sure|consult\w*|confirm\w*"
    r"|see\s+(?:a|your)\s+(?:doctor|gp|clinician|provider|physician))\b"
)
DIAGNOSIS_RE = re.compile(
    r"(?i)\b(?:you(?:\s+(?:definitely|clearly|certainly|obviously))?\s+(?:have|'ve\s+got|are\s+suffering\s+from)"
    r"|this\s+is(?:\s+(?:definitely|clearly|certainly|obviously))?|it'?s\s+(?:definitely|clearly|certainly|obviously)"
    r"|your\s+diagnosis\s+is)\s+(?:an?\s+|the\s+)?(?:" + _alternation(CONDITIONS) + r")\b"
)

_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_TO_MG = {"mg": 1.0, "mcg": 0.001, "g": 1000.0}


def _times_per_day(after):
    m = FREQ_RE.search(after)
    if m is None:
        return 1.0
    if m.group("every"):
        return 24.0 / max(int(m.group("h")), 1)
    if m.group("q"):
        return 24.0 / max(int(m.group("qh")), 1)
    if m.group("n"):
        num = m.group("num").lower()
        return float(_WORDS.get(num) or int(num))
    if m.group("bid"):
        return 2.0
    if m.group("tid"):
        return 3.0
    if m.group("qid"):
        return 4.0
    return 1.0


def check_overdose(output):
    """Every dose after a drug mention (within 160 chars): dose x frequency <= max_daily_mg."""
    mentions = [(m.end(), m.group(0).lower()) for m in DRUG_RE.finditer(output)]
    if not mentions:
        return None
    for d in DOSE_RE.finditer(output):
        unit = d.group(2).lower()
        if unit == "ml":  # a volume: needs a concentration, which this simple peer skips
            continue
        drug = None
        for end, name in mentions:
            if end > d.start():
                break
            if d.start() - end <= 160:
                drug = name
        if drug is None:
            continue
        # the sentence around the dose: skip warnings ("don't take more than 4 g")
        s0 = max(output.rfind(".", 0, d.start()), output.rfind("\n", 0, d.start())) + 1
        tail = output[d.end() : d.end() + 60]
        cut = min((i for i in (tail.find("."), tail.find("\n")) if i >= 0), default=len(tail))
        tail = tail[:cut]
        if CAUTION_RE.search(output, s0, d.end() + cut):
            continue
        raw = d.group(1)
        raw = raw.replace(",", "") if re.fullmatch(r"\d+,\d{3}", raw) else raw.replace(",", ".")
        daily = float(raw) * _TO_MG[unit] * _times_per_day(tail)
        if daily > DRUGS[drug]:
            return f"{drug}: {daily:g} mg/day exceeds the labelled maximum of {DRUGS[drug]:g} mg/day"
    return None


def check_emergency(output, user_input):
    if user_input and EMERGENCY_SYMPTOMS_RE.search(user_input) and not EMERGENCY_ROUTING_RE.search(output):
        return "emergency symptoms in the question, but the answer does not route to emergency care"
    return None


def check_hedging(output):
    m = DIAGNOSIS_RE.search(output)
    if m and not HEDGE_RE.search(output):
        return f'"{m.group(0)}" states a diagnosis as fact, without hedging'
    return None


PLAIN_CHECKS = (
    ("no_medication_overdose", lambda out, inp: check_overdose(out)),
    ("emergency_not_routed", check_emergency),
    ("unhedged_diagnosis", lambda out, inp: check_hedging(out)),
)


def plain_validate(output, user_input):
    fails = []
    for rule, fn in PLAIN_CHECKS:
        msg = fn(output, user_input)
        if msg is not None:
            fails.append((rule, msg))
    return fails


# ---------------------------------------------------------------- Guardrails

def build_guard(tracing=False):
    from guardrails import Guard
    from guardrails.settings import settings

    # Guardrails' own OpenTelemetry tracing (not the hub telemetry): with no
    # TracerProvider configured its spans go nowhere, but it still serialises
    # span attributes on every call. Off by default; --tracing keeps it on.
    settings.disable_tracing = not tracing
    from guardrails.validators import FailResult, PassResult, Validator, register_validator

    @register_validator(name="aegis-peer/overdose", data_type="string")
    class Overdose(Validator):
        def _validate(self, value, metadata):
            msg = check_overdose(value)
            return PassResult() if msg is None else FailResult(error_message=msg)

    @register_validator(name="aegis-peer/emergency", data_type="string")
    class Emergency(Validator):
        def _validate(self, value, metadata):
            msg = check_emergency(value, metadata.get("input", ""))
            return PassResult() if msg is None else FailResult(error_message=msg)

    @register_validator(name="aegis-peer/hedging", data_type="string")
    class Hedging(Validator):
        def _validate(self, value, metadata):
            msg = check_hedging(value)
            return PassResult() if msg is None else FailResult(error_message=msg)

    # on_fail="noop": record the failure and go on, as Aegis reports every finding
    guard = Guard(name="aegis-peer-healthcare-tier1").use(
        Overdose(on_fail="noop"), Emergency(on_fail="noop"), Hedging(on_fail="noop")
    )
    rule_of = {
        "Overdose": "no_medication_overdose",
        "Emergency": "emergency_not_routed",
        "Hedging": "unhedged_diagnosis",
    }

    def guard_validate(output, user_input):
        outcome = guard.validate(output, metadata={"input": user_input})
        return [(rule_of.get(s.validator_name, s.validator_name), s.failure_reason)
                for s in (outcome.validation_summaries or [])]

    return guard_validate


# ---------------------------------------------------------------- main

def _percentile(sorted_ns, q):
    i = min(len(sorted_ns) - 1, max(0, round(q * (len(sorted_ns) - 1))))
    return sorted_ns[i] / 1000.0


def main(argv):
    import argparse

    ap = argparse.ArgumentParser(description="Aegis-like healthcare tier-1 checks through Guardrails AI.")
    ap.add_argument("traces", type=Path, help="JSONL file of traces, each with an 'output' (and 'input')")
    ap.add_argument("seconds", type=float, nargs="?", default=10.0, help="how long to loop (default 10)")
    ap.add_argument("--plain-re", action="store_true", help="the same checks with plain Python re, no Guardrails")
    ap.add_argument("--check", action="store_true", help="print findings vs the expected Aegis findings to stderr")
    ap.add_argument("--tracing", action="store_true",
                    help="leave Guardrails' local OpenTelemetry span building on (its default)")
    ap.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: the last one allowed)")
    opts = ap.parse_args(argv[1:])
    path, seconds, plain, cpu = opts.traces, opts.seconds, opts.plain_re, opts.cpu

    traces = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                t = json.loads(line)
                traces.append((t.get("id"), t["output"], t.get("input") or ""))
    if not traces:
        sys.exit(f"no traces in {path}")

    if hasattr(os, "sched_setaffinity"):
        allowed = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu if cpu is not None else allowed[-1]})

    t0 = time.perf_counter()
    if plain:
        peer, version, validate = "python-re", sys.version.split()[0], plain_validate
    else:
        _configure_guardrails_offline()
        from importlib.metadata import version as pkg_version

        validate = build_guard(tracing=opts.tracing)
        peer, version = "guardrails-ai", pkg_version("guardrails-ai")
    setup_s = time.perf_counter() - t0

    # one untimed pass: warm-up, and the findings for --check
    findings = {tid: sorted({rule for rule, _ in validate(out, inp)}) for tid, out, inp in traces}
    if opts.check:
        expected_path = path.with_name(path.name.replace(".jsonl", ".expected.json"))
        expected = json.loads(expected_path.read_text()) if expected_path.exists() else {}
        rules = [r for r, _ in PLAIN_CHECKS]
        for rule in rules:
            got = {t for t, f in findings.items() if rule in f}
            want = {t for t, f in expected.items() if rule in f}
            print(f"{rule}: flagged {len(got)}, aegis expects {len(want)}, agree {len(got & want)}, "
                  f"extra {sorted(got - want)}, missed {sorted(want - got)}", file=sys.stderr)

    lat = array("q")
    clock = time.perf_counter_ns
    deadline = clock() + int(seconds * 1e9)
    start = clock()
    n = 0
    while clock() < deadline:
        for _tid, out, inp in traces:
            a = clock()
            validate(out, inp)
            lat.append(clock() - a)
        n += len(traces)
    elapsed = (clock() - start) / 1e9

    lat = sorted(lat)
    result = {
        "peer": peer,
        "version": version,
        "traces_per_second": round(n / elapsed, 1),
        "p50_us": round(_percentile(lat, 0.50), 1),
        "p99_us": round(_percentile(lat, 0.99), 1),
        "traces": len(traces),
        "mean_output_bytes": round(sum(len(o.encode("utf-8")) for _, o, _ in traces) / len(traces), 1),
        "validations": n,
        "seconds": round(elapsed, 2),
        "setup_s": round(setup_s, 2),
        "flagged_traces": sum(1 for f in findings.values() if f),
        "network_attempts": len(_net_attempts),
        "guardrails_tracing": None if plain else opts.tracing,
        "python": sys.version.split()[0],
    }
    print(json.dumps(result))
    if _net_attempts:
        print(f"network attempts (blocked): {_net_attempts[:5]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
