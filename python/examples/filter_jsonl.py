"""Keeps only the content paragraphs of every record of a JSONL file ("text": the page's text,
a paragraph per line), on the library's threads; other fields pass through.

    python3 filter_jsonl.py pages.jsonl clean.jsonl [THREADS]
"""
import collections
import json
import sys

import chaff


def filter_jsonl(src, dst, threads=2, model=None):
    model = model or chaff.Model()
    pending = collections.deque()  # records handed to chaff, waiting for their labels

    def pages():
        with open(src, encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                paragraphs = [p for p in record["text"].split("\n") if p.strip()]
                pending.append((record, paragraphs))
                yield paragraphs

    with open(dst, "w", encoding="utf-8") as out:
        for results in model.classify_pages(pages(), threads=threads):
            record, paragraphs = pending.popleft()  # results come in input order
            record["text"] = "\n".join(
                p for p, (label, _) in zip(paragraphs, results) if label == "content")
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    filter_jsonl(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 2)
