//! The live feed: every result as it is stored, as server-sent events, filtered by the
//! caller's organisation first and then by domain, verdict and severity.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use aegis_app::service::LiveResult;
use aegis_core::{Severity, Verdict};
use aegis_store::OrgId;
use axum::response::sse::{Event, KeepAlive, Sse};
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

/// Results as they are stored, to every subscriber.
#[derive(Clone)]
pub struct Feed {
    sender: broadcast::Sender<Arc<LiveResult>>,
}

impl Default for Feed {
    fn default() -> Self {
        Feed::new()
    }
}

impl Feed {
    /// A feed keeping up to 4,096 results for a slow subscriber (one that falls further behind
    /// is told how many it missed).
    pub fn new() -> Feed {
        Feed {
            sender: broadcast::channel(4096).0,
        }
    }

    /// Sends a result to the subscribers (none: nothing happens).
    pub fn send(&self, result: &LiveResult) {
        let _ = self.sender.send(Arc::new(result.clone()));
    }

    /// A subscription.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveResult>> {
        self.sender.subscribe()
    }
}

/// Which results a subscriber wants.
#[derive(Debug, Clone, Default)]
pub struct LiveFilter {
    /// Only this domain.
    pub domain: Option<String>,
    /// Only this verdict.
    pub verdict: Option<Verdict>,
    /// Only results with an issue at or above this severity.
    pub min_severity: Option<Severity>,
}

impl LiveFilter {
    fn wants(&self, org: &OrgId, r: &LiveResult) -> bool {
        r.org == *org
            && self
                .domain
                .as_deref()
                .is_none_or(|d| r.result.domain.as_deref() == Some(d))
            && self.verdict.is_none_or(|v| r.result.verdict == v)
            && self
                .min_severity
                .is_none_or(|s| r.result.issues.iter().any(|i| i.severity >= s))
    }
}

/// The event stream for `org`, until `shutdown` turns true: `result` events (the stored key and result as JSON), a
/// `lagged` event with how many were missed when the subscriber fell behind, and keep-alives.
pub fn stream(
    feed: &Feed,
    org: OrgId,
    filter: LiveFilter,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>> + use<>> {
    let events = BroadcastStream::new(feed.subscribe()).filter_map(move |item| match item {
        Ok(r) if filter.wants(&org, &r) => {
            Event::default().event("result").json_data(&*r).ok().map(Ok)
        }
        Ok(_) => None,
        Err(BroadcastStreamRecvError::Lagged(n)) => {
            Some(Ok(Event::default().event("lagged").data(n.to_string())))
        }
    });
    // The stream ends when the server shuts down (a graceful shutdown waits for every response
    // to end, and this one would not by itself).
    let events = futures_util::StreamExt::take_until(events, async move {
        let _ = shutdown.wait_for(|stopping| *stopping).await;
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
