#!/usr/bin/env python3
"""Self-tests for the PHI benchmark scripts (make_corpus.py, score.py).

usage: $(bash benches/phi/setup.sh) -m unittest discover -s benches/phi -p 'test_*.py' -v

Checks: gold scored against itself is exactly 1.0 everywhere; hand-made predictions
give the expected figures; the generator is byte-for-byte deterministic per seed and
its output is well-formed; the committed corpora under tests/data/phi/ are exactly
what the generator produces today.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no __pycache__ left in benches/phi/

import score  # noqa: E402

LABELS = (
    "NAME", "STREET_ADDRESS", "CITY", "POSTAL_CODE", "DATE", "AGE", "PHONE", "FAX",
    "EMAIL", "SSN", "MRN", "HEALTH_PLAN", "ACCOUNT", "LICENSE", "VEHICLE", "DEVICE",
    "URL", "IP_ADDRESS", "BIOMETRIC", "ID",
)
COMMITTED = (("faker_corpus_seed11.jsonl", 11, 600), ("faker_corpus_seed23.jsonl", 23, 600))


def make_corpus(seed, docs, out):
    subprocess.run([sys.executable, str(HERE / "make_corpus.py"), "--seed", str(seed),
                    "--docs", str(docs), "--out", str(out)],
                   check=True, stderr=subprocess.DEVNULL)
    return Path(out).read_bytes()


class Corpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = Path(cls.tmp.name) / "c.jsonl"
        cls.data = make_corpus(5, 300, cls.path)
        cls.docs = [json.loads(line) for line in cls.data.decode("utf-8").splitlines()]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_deterministic(self):
        again = make_corpus(5, 300, Path(self.tmp.name) / "again.jsonl")
        self.assertEqual(self.data, again)
        other = make_corpus(6, 300, Path(self.tmp.name) / "other.jsonl")
        self.assertNotEqual(self.data, other)

    def test_well_formed(self):
        self.assertEqual(len(self.docs), 300)
        seen = set()
        for n, doc in enumerate(self.docs, 1):
            self.assertEqual(list(doc), ["id", "locale", "text", "entities"])
            self.assertEqual(doc["id"], f"doc-{n:06d}")
            text, prev = doc["text"], 0
            for e in doc["entities"]:
                self.assertIn(e["label"], LABELS)
                self.assertLessEqual(prev, e["start"])
                self.assertLess(e["start"], e["end"])
                span = text[e["start"]:e["end"]]
                self.assertEqual(span, span.strip())
                self.assertTrue(re.search(r"\w", span))
                # entity edges are token edges
                for a, b in ((e["start"] - 1, e["start"]), (e["end"] - 1, e["end"])):
                    if 0 <= a and b < len(text):
                        self.assertFalse(re.match(r"\w", text[a]) and re.match(r"\w", text[b]),
                                         (doc["id"], span))
                prev = e["end"]
                seen.add(e["label"])
        self.assertEqual(seen, set(LABELS))
        # ages are labelled only above 89
        for doc in self.docs:
            for e in doc["entities"]:
                if e["label"] == "AGE":
                    self.assertGreater(int(doc["text"][e["start"]:e["end"]]), 89)

    def test_gold_against_itself_is_perfect(self):
        preds = {d["id"]: d["entities"] for d in self.docs}
        r = score.score_system(self.docs, preds)
        o = r["overall"]
        for key in ("precision", "recall", "f2", "entity_recall"):
            self.assertEqual(o[key], 1.0, key)
        self.assertEqual((o["fp"], o["fn"], o["docs_missing"]), (0, 0, 0))
        self.assertEqual(set(r["per_class"]), set(LABELS))
        for lab, v in r["per_class"].items():
            self.assertEqual((v["token_recall"], v["entity_recall"]), (1.0, 1.0), lab)
        self.assertEqual(set(r["per_pred_label"]), set(LABELS))
        for lab, v in r["per_pred_label"].items():
            self.assertEqual(v["precision"], 1.0, lab)

    def test_cli_gold_against_itself(self):
        out = Path(self.tmp.name) / "s.json"
        subprocess.run([sys.executable, str(HERE / "score.py"), "--corpus", str(self.path),
                        "--pred", f"gold={self.path}", "--json", str(out)],
                       check=True, stdout=subprocess.DEVNULL)
        r = json.loads(out.read_text())["systems"]["gold"]
        self.assertEqual(r["overall"]["f2"], 1.0)
        self.assertTrue(all(v["token_recall"] == 1.0 for v in r["per_class"].values()))


class Scoring(unittest.TestCase):
    TEXT = "Dr. John Smith, MRN 0048-2913, seen 03/14/2021 for HbA1c 7.2%."
    #       0   4    9     15   20        30    36         47

    def gold(self):
        t = self.TEXT
        ents = [(t.index("John"), t.index(","), "NAME"),
                (t.index("0048"), t.index("0048") + 9, "MRN"),
                (t.index("03/"), t.index("03/") + 10, "DATE")]
        return [{"id": "d", "text": t,
                 "entities": [{"start": s, "end": e, "label": lab} for s, e, lab in ents]}]

    def run_score(self, spans):
        return score.score_system(self.gold(), {"d": spans})

    def span(self, sub, label, count=None):
        s = self.TEXT.index(sub)
        return {"start": s, "end": s + (count if count is not None else len(sub)), "label": label}

    def test_no_predictions(self):
        r = self.run_score([])
        self.assertEqual(r["overall"]["recall"], 0.0)
        self.assertIsNone(r["overall"]["precision"])
        self.assertEqual(r["overall"]["f2"], 0.0)
        self.assertEqual(r["overall"]["entity_recall"], 0.0)

    def test_missing_doc_counts_as_empty(self):
        r = score.score_system(self.gold(), {})
        self.assertEqual(r["overall"]["docs_missing"], 1)
        self.assertEqual(r["overall"]["fn"], 7)  # John Smith 0048 2913 03 14 2021

    def test_partial(self):
        # "Smith" only, the MRN's first half, the whole date plus " for" (1 false token)
        spans = [self.span("Smith", "PERSON"), self.span("0048", "ID"),
                 self.span("03/14/2021 for", "DATE_TIME")]
        r = self.run_score(spans)
        o = r["overall"]
        self.assertEqual((o["tp"], o["fp"], o["fn"]), (5, 1, 2))
        self.assertAlmostEqual(o["precision"], 5 / 6)
        self.assertAlmostEqual(o["recall"], 5 / 7)
        p, rc = 5 / 6, 5 / 7
        self.assertAlmostEqual(o["f2"], 5 * p * rc / (4 * p + rc))
        self.assertAlmostEqual(o["entity_recall"], 1 / 3)  # only DATE is complete
        self.assertEqual(r["per_class"]["NAME"]["token_recall"], 0.5)
        self.assertEqual(r["per_class"]["NAME"]["entity_recall"], 0.0)
        self.assertEqual(r["per_class"]["DATE"]["entity_recall"], 1.0)
        self.assertEqual(r["per_pred_label"]["DATE_TIME"], {"precision": 0.75, "tokens": 4})
        self.assertEqual(r["per_pred_label"]["PERSON"], {"precision": 1.0, "tokens": 1})

    def test_token_must_be_wholly_inside_one_span(self):
        # "Smith" split over two spans, "John" covered only in part: neither counts
        s = self.TEXT.index("Smith")
        spans = [{"start": s, "end": s + 2, "label": "A"}, {"start": s + 2, "end": s + 5,
                                                            "label": "A"},
                 self.span("John", "B", count=2)]
        r = self.run_score(spans)
        self.assertEqual(r["overall"]["tp"] + r["overall"]["fp"], 0)

    def test_overlapping_labels_all_counted(self):
        spans = [self.span("John Smith", "PERSON"), self.span("John Smith, MRN", "ORG")]
        r = self.run_score(spans)
        self.assertEqual((r["overall"]["tp"], r["overall"]["fp"]), (2, 1))  # MRN word is FP
        self.assertEqual(r["per_pred_label"]["PERSON"]["precision"], 1.0)
        self.assertAlmostEqual(r["per_pred_label"]["ORG"]["precision"], 2 / 3)

    def test_min_score(self):
        spans = [dict(self.span("John Smith", "PERSON"), score=0.85),
                 dict(self.span("HbA1c", "ORG"), score=0.1)]
        r = score.score_system(self.gold(), {"d": spans}, min_score=0.5)
        self.assertEqual((r["overall"]["tp"], r["overall"]["fp"]), (2, 0))


class CommittedCorpora(unittest.TestCase):
    def test_committed_corpora_are_reproducible(self):
        with tempfile.TemporaryDirectory() as tmp:
            for name, seed, docs in COMMITTED:
                committed = ROOT / "tests" / "data" / "phi" / name
                if not committed.exists():
                    self.skipTest(f"{committed} missing")
                fresh = make_corpus(seed, docs, Path(tmp) / name)
                self.assertEqual(fresh, committed.read_bytes(), f"{name} is stale: regenerate it")


if __name__ == "__main__":
    os.chdir(ROOT)
    unittest.main()
