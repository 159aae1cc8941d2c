"""Request bodies for the OTLP ingest benchmark (benches/otlp/run.sh), made from one recorded
export (examples/otlp/*.pb, an ExportTraceServiceRequest).

Each body holds COPIES copies of the export's spans (copies > 1: one ExportTraceServiceRequest
with the copies' spans under the export's resource and scope, as an SDK's batch exporter sends
a batch), every copy with fresh random trace ids and span ids, parent_span_id (and links)
renamed consistently: so every body is distinct traces, and a trace's spans still name their
parents.

wrk sends more requests than there are bodies, from several threads; post.lua therefore
stamps bytes 0..3 of every id (trace, span, parent, link) with its thread and pass over the
bodies. The ids made here are unique in their remaining bytes (4..): trace ids among trace ids,
span ids among span ids, over all the bodies; and every body has its ids at the same byte
offsets (ids are fixed-length bytes fields), which are written to offsets.txt.

    python benches/otlp/make_bodies.py EXPORT.pb OUT_DIR [--bodies N] [--copies K] [--seed S]

Writes OUT_DIR/000000.pb ..., OUT_DIR/index.txt (the file names, one a line),
OUT_DIR/offsets.txt (the byte offsets of the ids, one a line) and OUT_DIR/meta.txt
(`bodies N`, `traces_per_body T`, `spans_per_body S`, `bytes_per_body B`).
Needs opentelemetry-proto (the Phoenix venv has it).
"""

import argparse
import os
import random

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

STAMP = 4  # the bytes post.lua overwrites at the start of every id


def spans_of(req):
    return [s for rs in req.resource_spans for ss in rs.scope_spans for s in ss.spans]


class Ids:
    """Random ids, unique in their bytes after the stamp."""

    def __init__(self, rng, size):
        self.rng, self.size, self.seen = rng, size, set()

    def new(self):
        while True:
            b = self.rng.randbytes(self.size)
            if b[STAMP:] not in self.seen and any(b[STAMP:]):
                self.seen.add(b[STAMP:])
                return b


def renamed(template, trace_ids, span_ids):
    """A copy of the export with every id replaced, consistently within the copy."""
    req = ExportTraceServiceRequest()
    req.CopyFrom(template)
    traces, spans = {}, {}

    def t(old):
        if old not in traces:
            traces[old] = trace_ids.new()
        return traces[old]

    def s(old):
        if old not in spans:
            spans[old] = span_ids.new()
        return spans[old]

    for span in spans_of(req):
        span.trace_id = t(span.trace_id)
        span.span_id = s(span.span_id)
        if span.parent_span_id:
            span.parent_span_id = s(span.parent_span_id)
        for link in span.links:
            link.trace_id = t(link.trace_id)
            link.span_id = s(link.span_id)
    return req, list(traces.values()) + list(spans.values())


def body(template, copies, trace_ids, span_ids):
    """One request of `copies` renamed copies (their spans merged under the first copy's
    resource and scope), and every id in it."""
    first, ids = renamed(template, trace_ids, span_ids)
    for _ in range(copies - 1):
        more, more_ids = renamed(template, trace_ids, span_ids)
        ids += more_ids
        for rs, rs_more in zip(first.resource_spans, more.resource_spans):
            for ss, ss_more in zip(rs.scope_spans, rs_more.scope_spans):
                ss.spans.extend(ss_more.spans)
    return first, ids


def offsets(data, ids, expected):
    """The byte offsets of every occurrence of the ids in the serialised body."""
    out = []
    for i in ids:
        at = data.find(i)
        while at != -1:
            out.append(at)
            at = data.find(i, at + 1)
    out.sort()
    assert len(out) == expected, f"found {len(out)} id occurrences, expected {expected}"
    assert all(b - a >= 8 for a, b in zip(out, out[1:])), "overlapping id occurrences"
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("export")
    ap.add_argument("out")
    ap.add_argument("--bodies", type=int, default=2000)
    ap.add_argument("--copies", type=int, default=1, help="copies of the export per body")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    template = ExportTraceServiceRequest()
    with open(a.export, "rb") as f:
        template.ParseFromString(f.read())
    tspans = spans_of(template)
    assert tspans, f"{a.export}: no spans"
    # Occurrences of ids in one copy: trace_id and span_id on every span, parent_span_id
    # where set, trace_id and span_id of every link.
    per_copy = sum(2 + bool(s.parent_span_id) + 2 * len(s.links) for s in tspans)
    traces = len({s.trace_id for s in tspans})

    rng = random.Random(a.seed)
    trace_ids, span_ids = Ids(rng, 16), Ids(rng, 8)
    os.makedirs(a.out, exist_ok=True)
    names, layout, size = [], None, 0
    for n in range(a.bodies):
        req, ids = body(template, a.copies, trace_ids, span_ids)
        data = req.SerializeToString()
        offs = offsets(data, ids, per_copy * a.copies)
        if layout is None:
            layout, size = offs, len(data)
        # post.lua stamps the same offsets in every body.
        assert offs == layout and len(data) == size, "bodies differ in layout"
        name = f"{n:06d}.pb"
        with open(os.path.join(a.out, name), "wb") as f:
            f.write(data)
        names.append(name)
    with open(os.path.join(a.out, "index.txt"), "w") as f:
        f.write("".join(x + "\n" for x in names))
    with open(os.path.join(a.out, "offsets.txt"), "w") as f:
        f.write("".join(f"{o}\n" for o in layout))
    with open(os.path.join(a.out, "meta.txt"), "w") as f:
        f.write(
            f"bodies {a.bodies}\ntraces_per_body {traces * a.copies}\n"
            f"spans_per_body {len(tspans) * a.copies}\nbytes_per_body {size}\n"
        )


if __name__ == "__main__":
    main()
