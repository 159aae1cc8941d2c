//! The Aegis HTTP service, `aegis-eval serve`: a thin axum front end over
//! [`aegis_app::service::Service`]. It parses requests, authenticates the caller's
//! organisation, calls the service on blocking threads, and renders JSON.
//!
//! * [`routes`]: the `/v1` API — ingest, evaluation in the request, the explorer, analytics,
//!   the review queue — and `/healthz`, `/readyz`, `/metrics`, `/v1/openapi.json`.
//! * [`openapi`]: the OpenAPI document, generated from the handlers' annotations.
//! * [`auth`]: `Authorization: Bearer <key>` to an organisation, and its rate limit.
//! * [`live`]: the live feed of results (server-sent events), filtered by organisation first.
//! * [`metrics`]: Prometheus metrics in the OpenMetrics format.
//! * [`error`]: errors as JSON naming the field that was wrong.
//!
//! Workers are threads of this process that take traces from each organisation's durable
//! queue; [`run`] starts them, serves until `shutdown` resolves, then stops taking requests,
//! lets the requests and batches in flight finish, and hands back what was taken and not done.

mod alerts;
pub mod auth;
mod dashboard;
pub mod error;
pub mod export;
pub mod extract;
pub mod live;
pub mod metrics;
pub mod openapi;
mod otlp;
pub mod routes;
pub mod worker;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use aegis_app::service::Service;

/// How the server listens and protects itself.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where to listen.
    pub addr: SocketAddr,
    /// A PEM certificate chain and private key: serve HTTPS (rustls) instead of HTTP.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// The largest request body, compressed and decompressed (`413` above it).
    pub body_limit: usize,
    /// The longest a request may take (`408` after it).
    pub request_timeout: Duration,
    /// Requests per second an organisation may make (a burst of the same size); `429` with
    /// `Retry-After` above it.
    pub rate_limit: u32,
    /// Worker threads taking traces from the queues.
    pub workers: usize,
    /// Organisations whose results also go to a Phoenix, as trace annotations.
    pub exports: Vec<export::ResultExport>,
    /// The bearer token `/metrics` asks for. Metrics count every organisation's traffic, so
    /// they are the operator's: without a token, only a client on this machine (loopback)
    /// may read them.
    pub metrics_token: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8420)),
            tls: None,
            body_limit: 20 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            rate_limit: 10_000,
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            exports: Vec::new(),
            metrics_token: None,
        }
    }
}

/// What can stop the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The TLS certificate or key could not be used.
    #[error("TLS: {0}")]
    Tls(String),
    /// Serving failed.
    #[error("serving failed: {0}")]
    Serve(std::io::Error),
    /// The service failed while stopping.
    #[error("{0}")]
    App(#[from] aegis_app::AppError),
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The service.
    pub service: Arc<Service>,
    /// Metrics.
    pub metrics: Arc<metrics::Metrics>,
    /// The live feed.
    pub live: live::Feed,
    /// Per-organisation rate limits.
    pub limits: Arc<auth::RateLimits>,
    /// The body limit.
    pub body_limit: usize,
    /// Set when shutting down: `/readyz` answers 503.
    pub stopping: Arc<AtomicBool>,
    /// Raised when shutting down: live streams end, so that the server can.
    pub shutdown: Arc<tokio::sync::watch::Sender<bool>>,
    /// What `/metrics` asks for ([`ServerConfig::metrics_token`]).
    pub metrics_token: Option<Arc<str>>,
}

/// Opens the state for `service` (its observer reports to the metrics and the live feed).
pub fn state(service: Service, config: &ServerConfig) -> AppState {
    let metrics = Arc::new(metrics::Metrics::new());
    let live = live::Feed::new();
    let observer = Arc::new(metrics::Observe {
        metrics: Arc::clone(&metrics),
        live: live.clone(),
    });
    AppState {
        service: Arc::new(service.with_observer(observer)),
        metrics,
        live,
        limits: Arc::new(auth::RateLimits::new(config.rate_limit)),
        body_limit: config.body_limit,
        stopping: Arc::new(AtomicBool::new(false)),
        shutdown: Arc::new(tokio::sync::watch::Sender::new(false)),
        metrics_token: config.metrics_token.as_deref().map(Arc::from),
    }
}

/// Runs the workers and serves until `shutdown` resolves; then drains (requests in flight
/// finish, workers finish their batch) and releases what was taken and not done.
pub async fn run(
    state: AppState,
    config: ServerConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    on_listening: impl FnOnce(SocketAddr) + Send,
) -> Result<(), ServerError> {
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: config.addr,
            source,
        })?;
    let local = listener.local_addr().map_err(ServerError::Serve)?;
    let _directory = state.service.lock_for_serving()?;
    let service = Arc::clone(&state.service);
    let released = tokio::task::spawn_blocking(move || service.release_all())
        .await
        .map_err(|e| ServerError::Serve(std::io::Error::other(e.to_string())))??;
    if released > 0 {
        tracing::info!(released, "took back traces an earlier process had claimed");
    }
    let workers = if state.service.is_shared() {
        start_shared_workers(&state, config.workers)?
    } else {
        start_workers(&state, config.workers)
    };
    let exporter = export::start(&state, config.exports.clone());
    let alerter = alerts::start(&state);
    let app = routes::router(state.clone(), &config);
    on_listening(local);
    tracing::info!(addr = %local, tls = config.tls.is_some(), "serving");
    let stopping = Arc::clone(&state.stopping);
    let streams = Arc::clone(&state.shutdown);
    let shutdown = async move {
        shutdown.await;
        stopping.store(true, Ordering::SeqCst);
        // Live streams never end by themselves: they end now, or the drain would wait for
        // their clients to leave.
        streams.send_replace(true);
        tracing::info!("shutting down: finishing requests in flight");
    };
    match &config.tls {
        None => axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(ServerError::Serve)?,
        Some((cert, key)) => routes::serve_tls(listener, app, cert, key, shutdown).await?,
    }
    state.stopping.store(true, Ordering::SeqCst);
    for w in workers {
        let _ = tokio::task::spawn_blocking(move || w.join()).await;
    }
    if let Some(alerter) = alerter {
        let _ = tokio::task::spawn_blocking(move || alerter.join()).await;
    }
    // The workers' last results are exported before the server stops.
    if let Some(exporter) = exporter {
        let _ = exporter.await;
    }
    let service = Arc::clone(&state.service);
    // The full-text index is not brought up to date here: after a long run that could take
    // minutes, past any orchestrator's grace period. A search indexes what is pending first.
    tokio::task::spawn_blocking(move || {
        service.close();
        service.release_all().map(|_| ())
    })
    .await
    .map_err(|e| ServerError::Serve(std::io::Error::other(e.to_string())))??;
    tracing::info!("stopped");
    Ok(())
}

/// Scaled-out worker threads (none with `workers` 0: an API-only process): each takes traces
/// from the shared queue until the server stops.
fn start_shared_workers(
    state: &AppState,
    n: usize,
) -> Result<Vec<std::thread::JoinHandle<()>>, ServerError> {
    let mut handles = Vec::with_capacity(n);
    for (i, mut worker) in state.service.shared_workers(n)?.into_iter().enumerate() {
        let stopping = Arc::clone(&state.stopping);
        let metrics = Arc::clone(&state.metrics);
        let handle = std::thread::Builder::new()
            .name(format!("aegis-shared-worker-{i}"))
            .spawn(move || {
                worker.run(&stopping, |work| metrics.count_shared_work(work));
            })
            .map_err(ServerError::Serve)?;
        handles.push(handle);
    }
    Ok(handles)
}

/// Worker threads: each takes batches from the organisations' queues until the server stops.
fn start_workers(state: &AppState, n: usize) -> Vec<std::thread::JoinHandle<()>> {
    (0..n.max(1))
        .filter_map(|i| {
            let service = Arc::clone(&state.service);
            let stopping = Arc::clone(&state.stopping);
            let metrics = Arc::clone(&state.metrics);
            std::thread::Builder::new()
                .name(format!("aegis-worker-{i}"))
                .spawn(move || {
                    let mut seen = 0;
                    while !stopping.load(Ordering::SeqCst) {
                        match service.work_once() {
                            Ok(done) => {
                                if done.failed > 0 {
                                    metrics.worker_errors.inc_by(done.failed as u64);
                                }
                                if done.evaluated == 0 {
                                    service.wait_for_work(&mut seen, Duration::from_millis(200));
                                } else {
                                    service.gather(&done);
                                }
                            }
                            Err(e) => {
                                metrics.worker_errors.inc();
                                tracing::error!(error = %e, "worker: a batch failed; it is taken again after its lease");
                                std::thread::sleep(Duration::from_millis(500));
                            }
                        }
                    }
                })
                .ok()
        })
        .collect()
}
