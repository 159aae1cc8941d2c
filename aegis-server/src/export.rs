//! Results back out to the tools that traced the application: each configured organisation's
//! results, as they are stored, become Arize Phoenix trace annotations
//! ([`aegis_app::otlp::export::phoenix_trace_annotations`]: only results whose trace id is an
//! OpenTelemetry one). An organisation's results go only to the Phoenix configured for it.
//!
//! The exporter follows the live feed, sends what arrived together in one request, and tries
//! a failed request three times with backoff; results it could not send, or missed because it
//! fell behind the feed, are counted (`aegis_results_exported_total`) and logged, never
//! retried later: the store keeps every result, and an export can be done again from it.

use std::sync::Arc;
use std::time::Duration;

use aegis_app::service::LiveResult;
use aegis_store::OrgId;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use crate::AppState;
use crate::metrics::{ExportOutcome, Metrics};

/// An organisation's results to a Phoenix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoenixExport {
    /// The organisation whose results are sent.
    pub org: OrgId,
    /// Phoenix's base URL (`http://127.0.0.1:6006`): annotations go to its
    /// `/v1/trace_annotations`.
    pub url: String,
    /// Its API key, when Phoenix has authentication on (sent as a bearer token).
    pub api_key: Option<String>,
}

/// The most results sent in one request.
const BATCH: usize = 256;

/// Starts the exporter when there is anything to export; it ends once the server is shutting
/// down and no result has arrived for a second (the last batches' results go out too).
pub(crate) fn start(
    state: &AppState,
    exports: Vec<PhoenixExport>,
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
                Err(RecvError::Lagged(n)) => missed(&metrics, n),
                Err(RecvError::Closed) => break,
            }
            while batch.len() < BATCH {
                match feed.try_recv() {
                    Ok(r) => batch.push(r),
                    Err(TryRecvError::Lagged(n)) => missed(&metrics, n),
                    Err(_) => break,
                }
            }
            for export in &exports {
                send(&client, export, &batch, &metrics).await;
            }
        }
    }))
}

fn missed(metrics: &Metrics, n: u64) {
    tracing::warn!(
        missed = n,
        "export: fell behind the results and missed some"
    );
    metrics
        .exports
        .get_or_create(&ExportOutcome {
            sink: "phoenix",
            outcome: "missed",
        })
        .inc_by(n);
}

/// Sends `export.org`'s results of `batch` to its Phoenix.
async fn send(
    client: &reqwest::Client,
    export: &PhoenixExport,
    batch: &[Arc<LiveResult>],
    metrics: &Metrics,
) {
    let mut results = 0u64;
    let mut data = Vec::new();
    for r in batch.iter().filter(|r| r.org == export.org) {
        if let Some(annotations) = aegis_app::otlp::export::phoenix_trace_annotations(&r.result) {
            results += 1;
            data.extend(annotations);
        }
    }
    if data.is_empty() {
        return;
    }
    let body = serde_json::json!({ "data": data });
    let url = format!("{}/v1/trace_annotations", export.url.trim_end_matches('/'));
    let mut outcome = "failed";
    for attempt in 0..3u32 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(250 << attempt)).await;
        }
        let mut request = client.post(&url).json(&body);
        if let Some(key) = &export.api_key {
            request = request.bearer_auth(key);
        }
        match request.send().await {
            Ok(answer) if answer.status().is_success() => {
                outcome = "sent";
                break;
            }
            Ok(answer) => {
                let status = answer.status();
                tracing::warn!(%status, %url, attempt, "export: Phoenix refused the annotations");
                if status.is_client_error() && status.as_u16() != 429 {
                    break;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, %url, attempt, "export: Phoenix could not be reached")
            }
        }
    }
    metrics
        .exports
        .get_or_create(&ExportOutcome {
            sink: "phoenix",
            outcome,
        })
        .inc_by(results);
}
