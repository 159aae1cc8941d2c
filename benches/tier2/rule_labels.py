#!/usr/bin/env python3
"""Turns traces with expected Tier-1 findings into labelled examples for `aegis-eval models eval`.

A trace is labelled FAIL_LABEL when its expected findings include a validator at or above the
domain's `fail_at` severity (as `aegis-eval inspect <domain> --json` reports them), else
PASS_LABEL. The text is the trace's `output`, the field the shipped models read.

usage: rule_labels.py INSPECT_JSON TRACES_JSONL EXPECTED_JSON FAIL_LABEL PASS_LABEL > labels.jsonl
"""
import json
import sys

ORDER = ["info", "low", "medium", "high", "critical"]


def main(inspect_path, traces_path, expected_path, fail_label, pass_label):
    with open(inspect_path) as f:
        info = json.load(f)
    fail_at = ORDER.index(info["policy"]["fail_at"])
    failing = {v["id"] for v in info["validators"] if ORDER.index(v["severity"]) >= fail_at}
    with open(expected_path) as f:
        expected = json.load(f)
    with open(traces_path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            trace = json.loads(line)
            findings = expected.get(trace.get("id"))
            if findings is None:
                sys.exit(f"{traces_path}:{n}: trace has no expected findings")
            label = fail_label if failing.intersection(findings) else pass_label
            print(json.dumps({"text": trace.get("output", ""), "label": label}))


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(*sys.argv[1:])
