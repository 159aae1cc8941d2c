//! The trace reader: any bytes as JSONL, a JSON array or pretty-printed JSON. It must give its
//! records without a panic, in linear time (a slow input is a failure), and end.

#![no_main]

mod common;

use aegis_runtime::input::TraceReader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let records = common::timed(data.len(), "the trace reader", || {
        TraceReader::new(data).filter_map(Result::ok).count()
    });
    // Every record holds at least one byte of input (a blank input has none).
    assert!(records <= data.len() + 1, "{records} records from {} bytes", data.len());
});
