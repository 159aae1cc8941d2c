//! OpenTelemetry ingest for the service: an OTLP/HTTP export read by `aegis-otlp`, each trace
//! whose root span is in the request assembled from its spans and queued like any trace.

pub use aegis_otlp::{Encoding, OtlpError, encode_response};

use crate::error::AppError;
use aegis_store::OrgId;

use crate::service::{IngestReceipt, Service};

/// What became of an export: the traces queued, and the spans not used with why.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OtlpReceipt {
    /// The assembled traces, as `Service::ingest` answers (placed by their order in the request).
    pub receipt: IngestReceipt,
    /// Spans not used: without ids, without their root span in the request, or in a trace the
    /// service rejected.
    pub rejected_spans: usize,
    /// Why, a line per span or trace, naming spans by position and traces by id, never by
    /// their content.
    pub reasons: Vec<String>,
}

impl Service {
    /// Reads an OTLP export and queues each trace whose root span it holds, assembled from its
    /// spans (Tier 0 at the door, as for every trace). A trace's domain is `aegis.domain` on a
    /// span or its resource, else `header_domain`. The outer error is the service's; the inner
    /// one, a body that is not an export request.
    pub fn ingest_otlp(
        &self,
        org: &OrgId,
        body: &[u8],
        encoding: Encoding,
        header_domain: Option<&str>,
    ) -> Result<Result<OtlpReceipt, OtlpError>, AppError> {
        let request = match aegis_otlp::decode(body, encoding) {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        let mut out = OtlpReceipt::default();
        let mut read = Vec::new();
        for span in aegis_otlp::spans(&request) {
            match span {
                Ok(s) => read.push(s),
                Err(why) => {
                    out.rejected_spans += 1;
                    out.reasons.push(why);
                }
            }
        }
        let mut traces = Vec::new();
        let mut sizes = Vec::new();
        for a in aegis_otlp::assemble(read) {
            if !a.has_root {
                out.rejected_spans += a.spans;
                out.reasons.push(format!(
                    "trace {}: {} span(s) whose root span is not in this request (a trace is evaluated from the request that holds its root span, with the spans sent with it)",
                    a.trace_id, a.spans
                ));
                continue;
            }
            let mut trace = a.trace;
            if trace.metadata.domain.is_none() {
                trace.metadata.domain = a.domain.or_else(|| header_domain.map(str::to_owned));
            }
            sizes.push((a.trace_id, a.spans));
            traces.push(trace);
        }
        if !traces.is_empty() {
            out.receipt = self.ingest_traces(org, traces, None)?;
        }
        for r in &out.receipt.rejected {
            let Some((id, n)) = usize::try_from(r.line)
                .ok()
                .and_then(|l| l.checked_sub(1))
                .and_then(|l| sizes.get(l))
            else {
                continue;
            };
            out.rejected_spans += n;
            // The service names the trace by its place ("line N: ..."): here it has an id.
            let why = r
                .error
                .split_once(": ")
                .map_or(r.error.as_str(), |(_, w)| w);
            out.reasons.push(format!("trace {id}: {n} span(s): {why}"));
        }
        Ok(Ok(out))
    }
}
