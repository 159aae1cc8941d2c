"""sentence-transformers (PyTorch, CPU) embedding throughput on the same texts and batch sizes
as aegis-models' tier2_bench: length-sorted batches (encode sorts by length itself).

    python benches/minilm/st_bench.py models/all-MiniLM-L6-v2 examples/traces/healthcare.jsonl \
        [min-seconds] [field]

Each line's `field` is read (default: `output`, else `text`), as tier2_bench's --field does.
"""
import json
import sys
import time

import torch
from sentence_transformers import SentenceTransformer


def main() -> None:
    model_dir, texts_path = sys.argv[1], sys.argv[2]
    min_seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0
    field = sys.argv[4] if len(sys.argv) > 4 else None
    torch.set_num_threads(2)
    texts = []
    with open(texts_path, encoding="utf-8") as f:
        for line in f:
            try:
                v = json.loads(line)
            except ValueError:
                continue
            t = v.get(field) if field else (v.get("output") or v.get("text"))
            if isinstance(t, str) and t:
                texts.append(t)
    model = SentenceTransformer(model_dir, device="cpu")
    for batch in (1, 8, 32):
        model.encode(texts, batch_size=batch)
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < min_seconds:
            model.encode(texts, batch_size=batch)
            n += len(texts)
        secs = time.perf_counter() - start
        print(json.dumps({"bench": "sentence-transformers", "batch": batch, "texts": n,
                          "seconds": round(secs, 3), "per_second": round(n / secs, 1),
                          "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
