#!/usr/bin/env python3
"""Print a speed table from timing files: the last JSON line of each with docs, bytes, seconds.

usage: speed_table.py NAME=timing.json [NAME=timing.json ...]
Prints docs/s and MB/s per system and, when both `aegis` and `presidio` are given, the ratio.
"""

import json
import sys


def timing(path):
    """The last line of `path` that is a JSON object with docs/bytes/seconds."""
    with open(path, encoding="utf-8") as f:
        for line in reversed(f.read().splitlines()):
            try:
                t = json.loads(line)
            except ValueError:
                continue
            if isinstance(t, dict) and "seconds" in t:
                t.setdefault("docs_per_sec", t["docs"] / t["seconds"])
                t.setdefault("mb_per_sec", t["bytes"] / 1e6 / t["seconds"])
                return t
    sys.exit(f"speed_table.py: no JSON timing line (with docs, bytes, seconds) in {path}")


def main(args):
    rows = {}
    for arg in args:
        name, _, path = arg.partition("=")
        rows[name] = timing(path)
    print("| system | docs | MB | seconds | docs/s | MB/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for s, t in rows.items():
        print(f"| {s} | {t['docs']} | {t['bytes'] / 1e6:.3f} | {t['seconds']:.3f} | "
              f"{t['docs_per_sec']:.1f} | {t['mb_per_sec']:.3f} |")
    if "aegis" in rows and "presidio" in rows:
        ratio = rows["aegis"]["docs_per_sec"] / rows["presidio"]["docs_per_sec"]
        print(f"\nAegis is {ratio:.1f}x Presidio's throughput (docs/s).")


if __name__ == "__main__":
    main(sys.argv[1:])
