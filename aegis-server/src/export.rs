//! Results back out to the tools that traced the application. Each configured export sends
//! one organisation's results, as they are stored, to one sink:
//!
//! - Arize Phoenix, as trace annotations (`POST /v1/trace_annotations`,
//!   [`aegis_app::otlp::export::phoenix_trace_annotations`]);
//! - any OTLP/HTTP logs endpoint (an OpenTelemetry Collector, Rotel, a vendor's intake), as
//!   GenAI `gen_ai.evaluation.result` events parented to the evaluated span
//!   (`POST /v1/logs`, protobuf; [`aegis_app::otlp::export::evaluation_events`]);
//! - Langfuse, as scores (`POST /api/public/scores`, one a request;
//!   [`aegis_app::otlp::export::langfuse_scores`]).
//!
//! Only results whose trace id is an OpenTelemetry one are sent, and an organisation's results
//! go only to its own exports. The exporter follows the live feed, sends what arrived together
//! in one request (Langfuse: one request a score), and tries a failed request three times with
//! backoff; results it could not send, or missed because it fell behind the feed, are counted
//! (`aegis_results_exported_total`) and logged, never retried later: the store keeps every
//! result, and an export can be done again from it.

use std::sync::Arc;
use std::time::Duration;

use aegis_app::service::LiveResult;
use aegis_store::OrgId;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use crate::AppState;
use crate::metrics::{ExportOutcome, Metrics};

/// Where an export sends results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sink {
    /// Arize Phoenix trace annotations.
    Phoenix,
    /// OpenTelemetry `gen_ai.evaluation.result` events to an OTLP/HTTP logs endpoint.
    Otlp,
    /// Langfuse scores.
    Langfuse,
}

impl Sink {
    /// Its name in metrics and logs.
    pub fn name(self) -> &'static str {
        match self {
            Sink::Phoenix => "phoenix",
            Sink::Otlp => "otlp",
            Sink::Langfuse => "langfuse",
        }
    }
}

/// How an export proves who it is to its sink.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum ExportAuth {
    /// Nothing.
    #[default]
    None,
    /// `Authorization: Bearer <token>` (Phoenix's API key).
    Bearer(String),
    /// HTTP basic authentication (Langfuse: public key and secret key).
    Basic {
        /// The user (Langfuse's public key).
        user: String,
        /// The password (Langfuse's secret key).
        password: String,
    },
    /// Headers as they are (`OTEL_EXPORTER_OTLP_HEADERS`).
    Headers(Vec<(String, String)>),
}

impl std::fmt::Debug for ExportAuth {
    // Secrets never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportAuth::None => f.write_str("None"),
            ExportAuth::Bearer(_) => f.write_str("Bearer(…)"),
            ExportAuth::Basic { .. } => f.write_str("Basic(…)"),
            ExportAuth::Headers(h) => write!(f, "Headers({} …)", h.len()),
        }
    }
}

/// An organisation's results to one sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultExport {
    /// The organisation whose results are sent.
    pub org: OrgId,
    /// The kind of sink.
    pub sink: Sink,
    /// The sink's base URL: Phoenix's (`http://127.0.0.1:6006`), the OTLP endpoint's
    /// (`http://127.0.0.1:4318`, to which `/v1/logs` is added unless it ends so), Langfuse's
    /// (`https://cloud.langfuse.com`).
    pub url: String,
    /// Its credentials.
    pub auth: ExportAuth,
}

impl ResultExport {
    fn endpoint(&self) -> String {
        let base = self.url.trim_end_matches('/');
        match self.sink {
            Sink::Phoenix => format!("{base}/v1/trace_annotations"),
            Sink::Otlp if base.ends_with("/v1/logs") => base.to_owned(),
            Sink::Otlp => format!("{base}/v1/logs"),
            Sink::Langfuse => format!("{base}/api/public/scores"),
        }
    }
}

/// The most results sent in one request.
const BATCH: usize = 256;

/// Starts the exporter when there is anything to export; it ends once the server is shutting
/// down and no result has arrived for a second (the last batches' results go out too).
pub(crate) fn start(
    state: &AppState,
    exports: Vec<ResultExport>,
) -> Option<tokio::task::JoinHandle<()>> {
    if exports.is_empty() {
        return None;
    }
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "export: cannot make an HTTP client; nothing is exported");
            return None;
        }
    };
    let mut feed = state.live.subscribe();
    let mut stopping = state.shutdown.subscribe();
    let metrics = Arc::clone(&state.metrics);
    Some(tokio::spawn(async move {
        let mut draining = false;
        loop {
            let first = if draining {
                match tokio::time::timeout(Duration::from_secs(1), feed.recv()).await {
                    Ok(r) => r,
                    Err(_) => break,
                }
            } else {
                tokio::select! {
                    r = feed.recv() => r,
                    _ = stopping.changed() => { draining = true; continue; }
                }
            };
            let mut batch: Vec<Arc<LiveResult>> = Vec::new();
            match first {
                Ok(r) => batch.push(r),
                Err(RecvError::Lagged(n)) => missed(&metrics, &exports, n),
                Err(RecvError::Closed) => break,
            }
            while batch.len() < BATCH {
                match feed.try_recv() {
                    Ok(r) => batch.push(r),
                    Err(TryRecvError::Lagged(n)) => missed(&metrics, &exports, n),
                    Err(_) => break,
                }
            }
            for export in &exports {
                send(&client, export, &batch, &metrics).await;
            }
        }
    }))
}

fn missed(metrics: &Metrics, exports: &[ResultExport], n: u64) {
    tracing::warn!(
        missed = n,
        "export: fell behind the results and missed some"
    );
    let mut sinks: Vec<Sink> = Vec::new();
    for sink in exports.iter().map(|e| e.sink) {
        if !sinks.contains(&sink) {
            sinks.push(sink);
        }
    }
    for sink in sinks {
        metrics
            .exports
            .get_or_create(&ExportOutcome {
                sink: sink.name(),
                outcome: "missed",
            })
            .inc_by(n);
    }
}

/// What one export sends of a batch: its requests' bodies and content type, and how many
/// results they carry.
struct Payload {
    bodies: Vec<Vec<u8>>,
    content_type: &'static str,
    results: u64,
}

fn payload(export: &ResultExport, batch: &[Arc<LiveResult>]) -> Payload {
    use aegis_app::otlp::export as out;
    let mine = batch.iter().filter(|r| r.org == export.org);
    let mut results = 0u64;
    match export.sink {
        Sink::Phoenix => {
            let mut data = Vec::new();
            for r in mine {
                if let Some(annotations) = out::phoenix_trace_annotations(&r.result) {
                    results += 1;
                    data.extend(annotations);
                }
            }
            let bodies = if data.is_empty() {
                Vec::new()
            } else {
                vec![serde_json::json!({ "data": data }).to_string().into_bytes()]
            };
            Payload {
                bodies,
                content_type: "application/json",
                results,
            }
        }
        Sink::Otlp => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
            let mut records = Vec::new();
            for r in mine {
                if let Some(events) = out::evaluation_events(&r.result, r.span.as_ref(), now) {
                    results += 1;
                    records.extend(events);
                }
            }
            let bodies = if records.is_empty() {
                Vec::new()
            } else {
                vec![out::logs_body(records)]
            };
            Payload {
                bodies,
                content_type: "application/x-protobuf",
                results,
            }
        }
        Sink::Langfuse => {
            let mut bodies = Vec::new();
            for r in mine {
                if let Some(scores) = out::langfuse_scores(&r.result) {
                    results += 1;
                    bodies.extend(scores.into_iter().map(|s| s.to_string().into_bytes()));
                }
            }
            Payload {
                bodies,
                content_type: "application/json",
                results,
            }
        }
    }
}

/// Sends `export.org`'s results of `batch` to its sink.
async fn send(
    client: &reqwest::Client,
    export: &ResultExport,
    batch: &[Arc<LiveResult>],
    metrics: &Metrics,
) {
    let payload = payload(export, batch);
    if payload.bodies.is_empty() {
        return;
    }
    let url = export.endpoint();
    let sink = export.sink.name();
    let mut outcome = "sent";
    for body in payload.bodies {
        if !post(client, export, &url, payload.content_type, body).await {
            outcome = "failed";
        }
    }
    metrics
        .exports
        .get_or_create(&ExportOutcome { sink, outcome })
        .inc_by(payload.results);
}

/// One request, tried up to three times; whether the sink took it.
async fn post(
    client: &reqwest::Client,
    export: &ResultExport,
    url: &str,
    content_type: &'static str,
    body: Vec<u8>,
) -> bool {
    let sink = export.sink.name();
    for attempt in 0..3u32 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(250 << attempt)).await;
        }
        let mut request = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body.clone());
        request = match &export.auth {
            ExportAuth::None => request,
            ExportAuth::Bearer(token) => request.bearer_auth(token),
            ExportAuth::Basic { user, password } => request.basic_auth(user, Some(password)),
            ExportAuth::Headers(headers) => headers
                .iter()
                .fold(request, |r, (k, v)| r.header(k.as_str(), v.as_str())),
        };
        match request.send().await {
            Ok(answer) if answer.status().is_success() => return true,
            Ok(answer) => {
                let status = answer.status();
                tracing::warn!(%status, %url, attempt, sink, "export: the sink refused the results");
                if status.is_client_error() && status.as_u16() != 429 {
                    return false;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, %url, attempt, sink, "export: the sink could not be reached")
            }
        }
    }
    false
}
