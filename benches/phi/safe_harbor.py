#!/usr/bin/env python3
"""Tier 0 end to end, scored: what `aegis-eval sanitize` removes and what it keeps.

Reads a corpus (JSON lines with `text` and labelled spans) and the sanitised lines
`aegis-eval sanitize` wrote for it (`{"id", "output"}` each), and prints, as JSON:

* leak-recall per class: the share of labelled identifiers (`entities`, or `pii`) whose exact
  text no longer occurs, as a whole word, in the sanitised text -- names split into US (`en_US` documents) and
  international (every other locale) where the corpus has a `locale`;
* kept per label: the share of labelled public tokens (`keep`) still there -- at least as many
  occurrences of the token after as before;
* identical: the share of documents that come back byte for byte (for a corpus with no
  identifiers, the share left untouched).

    python3 benches/phi/safe_harbor.py CORPUS SANITISED

SAFE_HARBOR_EXAMPLES=1 also prints, per label, a few tokens that were not kept (for a
development set only: a held-out set's failures are not to be read while tuning).
"""

import collections
import json
import os
import re
import sys


def occurrences(token, text):
    """How often `token` occurs in `text` as a whole (not inside a longer word or number)."""
    return len(re.findall(r"(?<!\w)" + re.escape(token) + r"(?!\w)", text))


def main():
    corpus_path, sanitised_path = sys.argv[1], sys.argv[2]
    docs = [json.loads(line) for line in open(corpus_path, encoding="utf-8") if line.strip()]
    # `sanitize` writes one line per line read, in order (a line's `id` may itself be
    # pseudonymised: it is read as text like any other field).
    out = {}
    outputs = [json.loads(line) for line in open(sanitised_path, encoding="utf-8") if line.strip()]
    for doc, rec in zip(docs, outputs):
        out[doc["id"]] = rec["output"]
    found = collections.Counter()
    total = collections.Counter()
    kept = collections.Counter()
    keep_total = collections.Counter()
    identical = 0
    missing = 0
    lost = collections.defaultdict(list)
    for doc in docs:
        text = doc["text"]
        if doc["id"] not in out:
            missing += 1
            continue
        after = out[doc["id"]]
        identical += after == text
        for e in doc.get("entities", doc.get("pii", [])):
            label = e["label"]
            if label == "NAME" and "locale" in doc:
                label = "NAME (US)" if doc["locale"] == "en_US" else "NAME (international)"
            value = text[e["start"]:e["end"]]
            total[label] += 1
            # Safe Harbor aggregates ages over 89 into one category, written `90`: an age of
            # 90 is then indistinguishable from its replacement and counted as removed.
            if occurrences(value, after) == 0 or (e["label"] == "AGE" and value == "90"):
                found[label] += 1
        for k in doc.get("keep", []):
            token = text[k["start"]:k["end"]]
            keep_total[k["label"]] += 1
            if occurrences(token, after) >= occurrences(token, text):
                kept[k["label"]] += 1
            elif len(lost[k["label"]]) < 8:
                lost[k["label"]].append(token)
    report = {
        "documents": len(docs),
        "missing_outputs": missing,
        "identical": round(identical / max(1, len(docs) - missing), 4),
    }
    if total:
        report["leak_recall"] = {
            k: {"recall": round(found[k] / total[k], 4), "n": total[k]} for k in sorted(total)
        }
        report["leak_recall_all"] = round(sum(found.values()) / sum(total.values()), 4)
    if keep_total:
        report["kept"] = {
            k: {"kept": round(kept[k] / keep_total[k], 4), "n": keep_total[k]}
            for k in sorted(keep_total)
        }
        report["kept_all"] = round(sum(kept.values()) / sum(keep_total.values()), 4)
        report["examples_not_kept"] = dict(lost)
    print(f"documents {report['documents']}, identical {report['identical']:.4f}", end="")
    if total:
        print(f", leak-recall {report['leak_recall_all']:.4f}")
        print("  leak-recall: " + ", ".join(
            f"{k} {v['recall']:.3f} ({v['n']})" for k, v in report["leak_recall"].items()))
    else:
        print()
    if keep_total:
        print(f"  kept {report['kept_all']:.4f}: " + ", ".join(
            f"{k} {v['kept']:.3f} ({v['n']})" for k, v in report["kept"].items()))
        # Examples only on request: a held-out set's failures are not to be read while tuning.
        if os.environ.get("SAFE_HARBOR_EXAMPLES") == "1":
            for k, v in lost.items():
                print(f"    not kept, {k}: {v}")
    if missing:
        print(f"  {missing} documents have no output")


if __name__ == "__main__":
    main()
