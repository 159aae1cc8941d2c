//! The status server of a worker process (`aegis-eval worker --listen`), which takes no
//! requests of its own: `/healthz` (the process is up), `/readyz` (its workers reach their queue
//! and store) and `/metrics` (what its workers evaluated, the shared queue's depth and age), for
//! an orchestrator's probes and Prometheus.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use aegis_app::shared::{SharedConfig, WorkerHealth};
use aegis_store::redis_queue::RedisQueue;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::ServerError;
use crate::error::ApiError;
use crate::metrics::Metrics;

/// What a worker process's status server reports on.
pub struct WorkerStatus {
    /// The workers' metrics (their observer is [`crate::metrics::Count`] over these).
    pub metrics: Arc<Metrics>,
    /// The workers' health.
    pub health: WorkerHealth,
    /// The shared queue, read when scraped for its depth and age.
    pub shared: SharedConfig,
    /// Set when the process is stopping: `/readyz` answers 503.
    pub stopping: Arc<AtomicBool>,
    /// The bearer token `/metrics` asks for; without one, only a client on this machine may
    /// read them (as `serve --metrics-token`).
    pub metrics_token: Option<String>,
}

#[derive(Clone)]
struct StatusState {
    status: Arc<WorkerStatus>,
    /// A connection to the queue, kept between scrapes (dropped when it fails).
    queue: Arc<Mutex<Option<RedisQueue>>>,
}

/// Serves the status routes on `addr` until `shutdown` resolves; `on_listening` is told the
/// address once it is bound.
pub async fn serve_worker_status(
    addr: SocketAddr,
    status: WorkerStatus,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    on_listening: impl FnOnce(SocketAddr) + Send,
) -> Result<(), ServerError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Bind { addr, source })?;
    let local = listener.local_addr().map_err(ServerError::Serve)?;
    let state = StatusState {
        status: Arc::new(status),
        queue: Arc::new(Mutex::new(None)),
    };
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state);
    on_listening(local);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(ServerError::Serve)
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<StatusState>) -> Result<&'static str, ApiError> {
    if state.status.stopping.load(Ordering::SeqCst) {
        return Err(ApiError::unavailable("the worker is shutting down"));
    }
    if !state.status.health.is_working() {
        return Err(ApiError::unavailable(
            "the workers have not reached their queue and store since their last error",
        ));
    }
    Ok("ready")
}

async fn metrics(
    State(state): State<StatusState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    crate::routes::metrics_allowed(state.status.metrics_token.as_deref(), Some(peer), &headers)?;
    let metrics = &state.status.metrics;
    metrics
        .worker_ready
        .set(i64::from(state.status.health.is_working()));
    let reader = state.clone();
    let depth = tokio::task::spawn_blocking(move || {
        let mut queue = reader
            .queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let q = match queue.as_mut() {
            Some(q) => q,
            None => queue.insert(RedisQueue::connect(
                &reader.status.shared.queue_url,
                reader.status.shared.queue.clone(),
            )?),
        };
        let depth = q.depth();
        if depth.is_err() {
            *queue = None;
        }
        depth
    })
    .await;
    // The queue gauges keep their last values while Redis cannot be read: the workers' own
    // metrics are still worth scraping.
    if let Ok(Ok(depth)) = depth {
        metrics.set_shared_queue(&depth);
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.encode(),
    )
        .into_response())
}
