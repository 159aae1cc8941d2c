//! OpenTelemetry ingest for the service: an OTLP/HTTP export read by `aegis-otlp`, each trace
//! whose root span is in the request assembled from its spans and queued like any trace.

pub use aegis_otlp::{Encoding, OtlpError, encode_response};

/// Results as annotations for the tool that traced the application (pure: a front end sends
/// them).
pub use aegis_otlp::export;

use crate::error::AppError;
use aegis_core::{Sanitized, Trace};
use aegis_store::OrgId;

use crate::group_commit::{AssembledTrace, Job, Queued};
use crate::service::{Accepted, Service};
use aegis_store::QueueEntry;

/// What became of an export: the traces queued, and the spans not used with why.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OtlpReceipt {
    /// The assembled traces queued (or sent again unchanged), as `Service::ingest` lists
    /// them; `line` is the trace's place among them.
    pub accepted: Vec<Accepted>,
    /// Spans not used: without ids, without their root span in the request, or in a trace the
    /// service rejected.
    pub rejected_spans: usize,
    /// Why, a line per span or trace, naming spans by position and traces by id, never by
    /// their content.
    pub reasons: Vec<String>,
    /// Spans kept (sanitised) until their trace's root span arrives.
    pub buffered_spans: usize,
    /// Spans of the traces accepted (queued, or the same trace sent again).
    pub accepted_spans: usize,
}

impl Service {
    /// Reads an OTLP export and queues each trace whose root span it holds, assembled from its
    /// spans and those kept for it from earlier requests (Tier 0 at the door, as for every
    /// trace); spans whose root has not come are kept, sanitised, until it does. A trace's
    /// domain is `aegis.domain` on a span or its resource, else `header_domain`, else the
    /// service's default domain. The outer error is the service's; the inner one, a body that
    /// is not an export request.
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
        let mut complete = Vec::new();
        let mut partial = Vec::new();
        for a in aegis_otlp::assemble(read) {
            let mut trace = a.trace;
            if trace.metadata.domain.is_none() {
                trace.metadata.domain = a
                    .domain
                    .or_else(|| header_domain.map(str::to_owned))
                    .or_else(|| self.config().default_domain.clone());
            }
            match self.route_and_sanitize(org, trace, &a.trace_id)? {
                Err(why) => {
                    out.rejected_spans += a.spans;
                    out.reasons
                        .push(format!("trace {}: {} span(s): {why}", a.trace_id, a.spans));
                }
                Ok((key, part)) if a.has_root => complete.push((a.trace_id, a.spans, key, part)),
                Ok((key, part)) => partial.push((a.trace_id, a.spans, key, part)),
            }
        }
        if partial.is_empty() {
            // The usual export: every trace's root span is here. Queued through the group
            // commit (with other requests waiting for the writing connection), whose holder
            // reads and drops the spans kept for each trace under that same hold.
            return self.queue_whole_traces(org, complete, out).map(Ok);
        }
        // One hold of the writing connection for what follows, so that no other request's
        // spans of the same trace come between a look at the store and the write that depends
        // on it (a span kept just after its trace was queued would be orphaned; a span sent
        // before the root, between reading the kept spans and queueing, dropped unread).
        type Refused = (String, usize, usize, String);
        let (kept_spans, late, queue, fresh, refused) = self.with_store_for_writing(org, |s| {
            // Spans before their root: kept, sanitised, until it comes (or the trace is
            // quiet). A trace already assembled takes no more spans: it was evaluated once.
            let mut keep = Vec::new();
            let mut late = Vec::new();
            let mut kept_spans = 0;
            for (id, n, key, part) in partial {
                if s.has_key(&key)? {
                    late.push((id, n));
                } else {
                    kept_spans += n;
                    keep.push((key, part));
                }
            }
            if !keep.is_empty() {
                let items: Vec<(String, &Sanitized<Trace>)> =
                    keep.iter().map(|(k, p)| (k.clone(), p)).collect();
                s.add_fragments(&items)?;
            }
            // Whole traces: with the spans kept for them, one trace each, queued as the
            // fragments go (one transaction).
            let mut queue = Vec::new();
            let mut refused: Vec<Refused> = Vec::new();
            for (id, n, key, part) in complete {
                let mut parts = s.fragments(&key)?;
                let kept = parts.len();
                parts.push(part);
                let whole = Sanitized::merge(parts, aegis_otlp::merge);
                match whole.check() {
                    Ok(()) => queue.push((id, n, key, whole)),
                    Err(why) => {
                        s.drop_fragments(&key)?;
                        refused.push((id, n, kept, why));
                    }
                }
            }
            let fresh = if queue.is_empty() {
                Vec::new()
            } else {
                let items: Vec<(String, &Sanitized<Trace>)> =
                    queue.iter().map(|(_, _, k, t)| (k.clone(), t)).collect();
                s.enqueue_assembled(&items)?
            };
            Ok((kept_spans, late, queue, fresh, refused))
        })?;
        out.buffered_spans += kept_spans;
        for (id, n) in late {
            out.rejected_spans += n;
            out.reasons.push(format!(
                "trace {id}: {n} span(s) arrived after the trace was assembled and evaluated"
            ));
        }
        for (id, n, kept, why) in refused {
            out.rejected_spans += n;
            out.reasons.push(refused_reason(&id, n, kept, &why));
        }
        for ((_, n, key, trace), queued) in queue.into_iter().zip(fresh) {
            out.accepted_spans += n;
            out.accepted.push(Accepted {
                line: out.accepted.len() as u64 + 1,
                key,
                domain: trace.metadata.domain.clone().unwrap_or_default(),
                queued,
            });
        }
        if out.accepted.iter().any(|a| a.queued) {
            self.wake_workers();
        }
        Ok(Ok(out))
    }
}

/// Why a trace assembled from `n` spans of a request (and `kept` sent before) was refused.
fn refused_reason(id: &str, n: usize, kept: usize, why: &str) -> String {
    let before = if kept > 0 {
        " and those sent before"
    } else {
        ""
    };
    format!("trace {id}: {n} span(s){before}: the trace {why}")
}

/// A trace of an export whose root span is in it: its OTel trace id, its spans, its key, and
/// itself (sanitised).
type WholeTrace = (String, usize, String, Sanitized<Trace>);

impl Service {
    fn queue_whole_traces(
        &self,
        org: &OrgId,
        complete: Vec<WholeTrace>,
        mut out: OtlpReceipt,
    ) -> Result<OtlpReceipt, AppError> {
        // Encoded here, before the writing connection is taken.
        let mut traces = Vec::with_capacity(complete.len());
        let mut spans = Vec::with_capacity(complete.len());
        for (id, n, key, part) in complete {
            let entry = QueueEntry::new(key.clone(), &part)
                .map_err(|e| AppError::Store(format!("cannot encode a trace to queue: {e}")))?;
            spans.push((id, n, part.metadata.domain.clone().unwrap_or_default()));
            traces.push(AssembledTrace { key, part, entry });
        }
        let keys: Vec<String> = traces.iter().map(|t| t.key.clone()).collect();
        let outcomes = if traces.is_empty() {
            Vec::new()
        } else {
            self.enqueue_grouped(org, Job::Assembled(traces))?
        };
        for (((id, n, domain), key), outcome) in spans.into_iter().zip(keys).zip(outcomes) {
            match outcome {
                Queued::Done(queued) => {
                    out.accepted_spans += n;
                    out.accepted.push(Accepted {
                        line: out.accepted.len() as u64 + 1,
                        key,
                        domain,
                        queued,
                    });
                }
                Queued::Refused { kept, why } => {
                    out.rejected_spans += n;
                    out.reasons.push(refused_reason(&id, n, kept, &why));
                }
            }
        }
        if out.accepted.iter().any(|a| a.queued) {
            self.wake_workers();
        }
        Ok(out)
    }

    /// Queues the traces whose spans have waited longer than the quiet period without their
    /// root span, each assembled from what it has; a trace with nothing to evaluate is dropped
    /// (logged). How many were queued.
    pub(crate) fn assemble_quiet(&self, org: &OrgId) -> Result<usize, AppError> {
        let quiet = i64::try_from(self.config().otlp_quiet.as_millis()).unwrap_or(i64::MAX);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        // Every worker pass calls this, and the look reads every kept fragment: it is made at
        // most every tenth of the quiet period (a second at most), on the reading connection.
        if !self.quiet_look_due(org, now, (quiet / 10).min(1000))? {
            return Ok(0);
        }
        let keys = self.with_store(org, |s| {
            Ok(s.quiet_fragments(now.saturating_sub(quiet), 256)?)
        })?;
        let mut queued = 0;
        for key in keys {
            // Read, merged and queued in one hold of the writing connection: a span of the
            // trace arriving meanwhile is either read here or refused as late, never dropped.
            let outcome = self.with_store_for_writing(org, |s| {
                let whole = Sanitized::merge(s.fragments(&key)?, aegis_otlp::merge);
                Ok(match whole.check() {
                    Err(why) => {
                        s.drop_fragments(&key)?;
                        Err(why)
                    }
                    Ok(()) => Ok(s.enqueue_assembled(&[(key.clone(), &whole)])?),
                })
            })?;
            match outcome {
                Err(why) => {
                    tracing::warn!(org = %org, key = %key, "a trace whose root span never came is dropped: the trace {why}");
                }
                Ok(fresh) => queued += fresh.iter().filter(|q| **q).count(),
            }
        }
        if queued > 0 {
            self.wake_workers();
        }
        Ok(queued)
    }
}
