"""Writes N traces (JSONL) for the dashboard benchmark: the bundled healthcare, trading and legal
examples over and over, each copy with its own id, and spread over applications and models so
that the overview's breakdowns have many rows.

usage: python make_traces.py N out.jsonl
"""
import json
import sys

n, out = int(sys.argv[1]), sys.argv[2]
base = []
for name in ("healthcare", "trading", "legal"):
    for line in open(f"examples/traces/{name}.jsonl"):
        if line.strip():
            base.append(json.loads(line))
apps = [f"app-{i:02d}" for i in range(24)]
models = ["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "claude-3-5-haiku", "llama-3.1-70b", "mistral-large"]
with open(out, "w") as f:
    for i in range(n):
        t = dict(base[i % len(base)])
        t["id"] = f"bench-{i:07d}"
        meta = dict(t.get("metadata") or {})
        meta["application"] = apps[i % len(apps)]
        t["metadata"] = meta
        t["model"] = models[(i // 7) % len(models)]
        f.write(json.dumps(t) + "\n")
