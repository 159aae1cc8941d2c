#!/usr/bin/env python3
"""Score PHI detectors' predictions against a gold corpus (token level + entity recall).

usage: score.py --corpus gold.jsonl --pred NAME=predictions.jsonl [--pred NAME2=...]
                [--markdown] [--json out.json] [--min-score S]

Gold: make_corpus.py output ({"id", "text", "entities": [{"start","end","label"}]}).
Predictions: one line per document, {"id", "spans": [{"start","end","label"[,"score"]}]}
with code point offsets; a gold-format file ("entities" instead of "spans") is accepted
too, so `--pred gold=gold.jsonl` scores the gold against itself (everything is 1.0).

Tokens are the maximal `\\w+` runs of the text (Python's Unicode regex).
  - a gold PHI token lies entirely inside a gold entity;
  - a token is *predicted* when it lies entirely inside some predicted span (of any
    label; spans may overlap); with its label(s) taken from the span(s) containing it;
  - recall    = gold PHI tokens that are predicted / gold PHI tokens;
  - precision = predicted tokens that are gold PHI tokens / predicted tokens;
  - F2        = 5PR / (4P + R) (recall weighted 4x as much as precision);
  - per gold class: token recall of that class's tokens;
  - per predicted label: precision of the tokens inside that label's spans;
  - entity recall: a gold entity is found when ALL its tokens are predicted
    (any label, span boundaries need not match), overall and per class.
Tokens only partly covered by a predicted span count neither way.
--min-score drops predicted spans whose "score" is below S before scoring.
"""

import argparse
import bisect
import json
import re
import sys
from collections import defaultdict

TOKEN_RE = re.compile(r"\w+")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def covering(spans):
    """Index spans so that `inside(s, e)` says whether some span contains [s, e)."""
    spans = sorted((sp["start"], sp["end"]) for sp in spans)
    starts = [s for s, _ in spans]
    max_end, m = [], -1
    for _, e in spans:
        m = max(m, e)
        max_end.append(m)

    def inside(s, e):
        i = bisect.bisect_right(starts, s) - 1  # spans starting at or before s
        return i >= 0 and max_end[i] >= e

    return inside


def f_beta(p, r, beta=2.0):
    b2 = beta * beta
    return (1 + b2) * p * r / (b2 * p + r) if p + r else 0.0


def ratio(a, b):
    return a / b if b else None


def score_system(gold_docs, pred_by_id, min_score=None):
    tp = fp = fn = 0
    cls_tok = defaultdict(lambda: [0, 0])    # gold label -> [recalled tokens, tokens]
    cls_ent = defaultdict(lambda: [0, 0])    # gold label -> [found entities, entities]
    lab_tok = defaultdict(lambda: [0, 0])    # predicted label -> [correct tokens, tokens]
    missing = 0
    for doc in gold_docs:
        text = doc["text"]
        tokens = [(m.start(), m.end()) for m in TOKEN_RE.finditer(text)]
        pred = pred_by_id.get(doc["id"])
        if pred is None:
            missing += 1
            pred = []
        if min_score is not None:
            pred = [sp for sp in pred if sp.get("score", 1.0) >= min_score]

        # gold label of each token (None = not PHI)
        gold_label = [None] * len(tokens)
        ent_tokens = []
        starts = [s for s, _ in tokens]
        for ent in doc["entities"]:
            i = bisect.bisect_left(starts, ent["start"])
            idx = []
            while i < len(tokens) and tokens[i][1] <= ent["end"]:
                gold_label[i] = ent["label"]
                idx.append(i)
                i += 1
            ent_tokens.append((ent["label"], idx))

        in_any = covering(pred)
        by_label = defaultdict(list)
        for sp in pred:
            by_label[sp["label"]].append(sp)
        in_label = {lab: covering(sps) for lab, sps in by_label.items()}

        predicted = [in_any(s, e) for s, e in tokens]
        for k, (s, e) in enumerate(tokens):
            g = gold_label[k]
            if predicted[k]:
                if g:
                    tp += 1
                else:
                    fp += 1
                for lab, inside in in_label.items():
                    if inside(s, e):
                        lab_tok[lab][1] += 1
                        lab_tok[lab][0] += g is not None
            elif g:
                fn += 1
            if g:
                cls_tok[g][1] += 1
                cls_tok[g][0] += predicted[k]
        for label, idx in ent_tokens:
            cls_ent[label][1] += 1
            cls_ent[label][0] += all(predicted[i] for i in idx)

    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    ents_found = sum(v[0] for v in cls_ent.values())
    ents_total = sum(v[1] for v in cls_ent.values())
    return {
        "overall": {
            "precision": precision, "recall": recall,
            "f2": f_beta(precision or 0.0, recall or 0.0),
            "tp": tp, "fp": fp, "fn": fn,
            "entity_recall": ratio(ents_found, ents_total),
            "entities": ents_total, "docs_missing": missing,
        },
        "per_class": {
            lab: {"token_recall": ratio(*cls_tok[lab]), "tokens": cls_tok[lab][1],
                  "entity_recall": ratio(*cls_ent[lab]), "entities": cls_ent[lab][1]}
            for lab in sorted(set(cls_tok) | set(cls_ent))
        },
        "per_pred_label": {
            lab: {"precision": ratio(*v), "tokens": v[1]} for lab, v in sorted(lab_tok.items())
        },
    }


# ------------------------------------------------------------------------ output

def fmt(x, digits=3):
    return "-" if x is None else f"{x:.{digits}f}"


def table(header, rows, markdown):
    if markdown:
        lines = ["| " + " | ".join(header) + " |",
                 "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    out = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                     for i, (h, w) in enumerate(zip(header, widths)))]
    out.append("  ".join("-" * w for w in widths))
    for r in rows:
        out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                             for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(out)


def report(results, markdown):
    names = list(results)
    parts = []
    h = "### " if markdown else "== "
    parts.append(h + "Overall (token level; F2 weights recall 4x)")
    rows = []
    for key, label in (("precision", "precision"), ("recall", "recall"), ("f2", "F2"),
                       ("entity_recall", "entity recall")):
        rows.append([label] + [fmt(results[n]["overall"][key]) for n in names])
    for key in ("tp", "fp", "fn", "entities", "docs_missing"):
        rows.append([key] + [str(results[n]["overall"][key]) for n in names])
    parts.append(table(["metric"] + names, rows, markdown))

    parts.append(h + "Recall per gold class (token / entity)")
    classes = sorted({c for n in names for c in results[n]["per_class"]})
    rows = []
    for c in classes:
        first = results[names[0]]["per_class"].get(c, {})
        row = [c, str(first.get("tokens", 0)), str(first.get("entities", 0))]
        for n in names:
            pc = results[n]["per_class"].get(c, {})
            row.append(f"{fmt(pc.get('token_recall'))} / {fmt(pc.get('entity_recall'))}")
        rows.append(row)
    parts.append(table(["class", "tokens", "entities"] + names, rows, markdown))

    parts.append(h + "Precision per predicted label (tokens inside that label's spans)")
    for n in names:
        rows = [[lab, str(v["tokens"]), fmt(v["precision"])]
                for lab, v in results[n]["per_pred_label"].items()]
        parts.append(("**" + n + "**" if markdown else "-- " + n))
        parts.append(table(["label", "tokens", "precision"], rows, markdown))
    return "\n\n".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True, help="gold corpus (make_corpus.py output)")
    ap.add_argument("--pred", action="append", required=True, metavar="NAME=PATH")
    ap.add_argument("--markdown", action="store_true", help="print markdown tables")
    ap.add_argument("--json", help="also write all figures to this JSON file")
    ap.add_argument("--min-score", type=float, default=None,
                    help="ignore predicted spans with a score below this")
    args = ap.parse_args()

    gold = read_jsonl(args.corpus)
    gold_ids = {d["id"] for d in gold}
    results = {}
    for spec in args.pred:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            ap.error(f"--pred wants NAME=PATH, got {spec!r}")
        preds = {}
        for rec in read_jsonl(path):
            spans = rec["spans"] if "spans" in rec else rec.get("entities", [])
            preds[rec["id"]] = spans
        unknown = set(preds) - gold_ids
        if unknown:
            sys.exit(f"score.py: {name}: {len(unknown)} ids not in the gold corpus, "
                     f"e.g. {sorted(unknown)[0]}")
        results[name] = score_system(gold, preds, args.min_score)
        if results[name]["overall"]["docs_missing"]:
            print(f"score.py: warning: {name} has no line for "
                  f"{results[name]['overall']['docs_missing']} gold docs (scored as empty)",
                  file=sys.stderr)

    print(report(results, args.markdown))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"corpus": args.corpus, "min_score": args.min_score, "systems": results},
                      f, indent=2, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
