//! `aegis-eval serve`, `orgs` and `keys`: parse, call `aegis-app`'s service and
//! `aegis-server`, print.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use aegis_app::service::{Service, ServiceConfig};
use aegis_core::Domain;

use crate::args::{AlertsCommand, KeysCommand, OrgsCommand, ScaleArgs, ServeArgs, WorkerArgs};
use crate::{CliError, EXIT_OK};

/// Where `orgs` and `keys` find the organisations: a service directory's `tenants.db`, or a
/// scaled-out service's PostgreSQL database (with the directory of the Tier-0 key files).
pub(crate) enum Registry {
    /// A service directory.
    Directory(std::path::PathBuf),
    /// A PostgreSQL URL, the service directory, and where the Tier-0 keys are kept apart.
    Postgres(String, std::path::PathBuf, Option<std::path::PathBuf>),
}

/// The registry `--store` (and `--dir`, `--tier0-keys`) name.
pub(crate) fn registry(
    store: &str,
    dir: &Path,
    tier0_keys: Option<std::path::PathBuf>,
) -> Registry {
    if aegis_app::shared::is_postgres_url(store) {
        Registry::Postgres(store.to_owned(), dir.to_path_buf(), tier0_keys)
    } else {
        Registry::Directory(std::path::PathBuf::from(store))
    }
}

fn open(registry: &Registry, domains: &[&'static dyn Domain]) -> Result<Service, CliError> {
    Ok(match registry {
        Registry::Directory(dir) => Service::open(domains, ServiceConfig::new(dir))?,
        Registry::Postgres(url, dir, tier0_keys) => {
            let mut config = ServiceConfig::new(dir);
            config.registry = Some(url.clone());
            config.tier0_keys = tier0_keys.clone();
            Service::open(domains, config)?
        }
    })
}

/// `aegis-eval serve`.
pub(crate) fn serve(args: ServeArgs, domains: &[&'static dyn Domain]) -> Result<u8, CliError> {
    let shared = shared_config(&args.store, &args.scale)?;
    let dir = match &shared {
        Some(_) => args.scale.dir.clone(),
        None => std::path::PathBuf::from(&args.store),
    };
    let mut config = ServiceConfig::new(&dir);
    config.registry = shared.as_ref().map(|s| s.store_url.clone());
    config.tier0_keys = shared.as_ref().and(args.scale.tier0_keys.clone());
    config.shared = shared;
    config.tiers = args.tiers.options();
    config.time_budget = Duration::from_millis(args.time_budget_ms.max(1));
    config.default_domain = args.default_domain.clone();
    config.otlp_quiet = Duration::from_secs(args.otlp_quiet);
    config.gather = Duration::from_millis(args.gather_ms);
    let alerts = aegis_app::alerts::Alerts::new(
        aegis_app::alerts::AlertConfig::load(args.tiers.config.as_deref())?,
        domains,
    )?;
    let service = Service::open(domains, config)?.with_alerts(alerts);
    let exports = result_exports(&service, &args)?;
    let server = aegis_server::ServerConfig {
        addr: args.addr,
        tls: args.tls_cert.zip(args.tls_key),
        body_limit: args.body_limit,
        request_timeout: Duration::from_secs(args.request_timeout.max(1)),
        rate_limit: args.rate_limit,
        workers: args.workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
        }),
        exports,
        metrics_token: args.metrics.token()?,
    };
    if service.orgs()?.is_empty() {
        eprintln!(
            "note: {} has no organisation yet: `aegis-eval orgs create <name> --store {}` prints an API key",
            dir.display(),
            dir.display()
        );
    }
    // Handlers run the store and the tiers on the blocking pool: a pool as large as tokio's
    // default (512) only adds threads that wait for the same cores and the same store locks.
    let blocking = 4 * std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(blocking.max(8))
        .enable_all()
        .build()
        .map_err(|source| aegis_app::AppError::Io {
            context: "cannot start the async runtime".to_owned(),
            source,
        })?;
    let scheme = if server.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let state = aegis_server::state(service, &server);
    runtime
        .block_on(aegis_server::run(
            state,
            server,
            shutdown_signal(),
            |addr| eprintln!("aegis-eval serve: listening on {scheme}://{addr}"),
        ))
        .map_err(|e| aegis_app::AppError::Store(e.to_string()))?;
    Ok(EXIT_OK)
}

/// A scaled-out service's queue and store from `--queue` and `--store`: both or neither.
fn shared_config(
    store: &str,
    scale: &ScaleArgs,
) -> Result<Option<aegis_app::shared::SharedConfig>, CliError> {
    let postgres = aegis_app::shared::is_postgres_url(store);
    match (&scale.queue, postgres) {
        (None, false) => Ok(None),
        (None, true) => Err(CliError::Usage(
            "--store is a PostgreSQL URL: give --queue redis://… too (the workers' queue)".to_owned(),
        )),
        (Some(_), false) => Err(CliError::Usage(
            "--queue needs --store to be a PostgreSQL URL (postgres://…), which every process shares"
                .to_owned(),
        )),
        (Some(queue), true) => {
            if !(queue.starts_with("redis://") || queue.starts_with("rediss://")) {
                return Err(CliError::Usage(
                    "--queue must be a Redis URL (redis://host:6379 or rediss://…)".to_owned(),
                ));
            }
            Ok(Some(aegis_app::shared::SharedConfig {
                queue_url: queue.clone(),
                queue: aegis_store::redis_queue::RedisQueueConfig {
                    max_backlog: scale.max_backlog.max(1),
                    claim_idle: Duration::from_secs(scale.claim_idle.max(1)),
                    max_deliveries: scale.max_deliveries.max(1),
                    ..aegis_store::redis_queue::RedisQueueConfig::default()
                },
                store_url: store.to_owned(),
            }))
        }
    }
}

/// `aegis-eval worker`: worker threads on the shared queue until Ctrl-C or SIGTERM, a line on
/// stderr every ten seconds that something was stored.
pub(crate) fn worker(args: WorkerArgs, domains: &[&'static dyn Domain]) -> Result<u8, CliError> {
    let mut scale = args.scale.clone();
    if scale.queue.is_none() {
        return Err(CliError::Usage(
            "aegis-eval worker needs --queue redis://… (or AEGIS_QUEUE)".to_owned(),
        ));
    }
    scale.dir = std::path::PathBuf::new();
    let Some(shared) = shared_config(&args.store, &scale)? else {
        return Err(CliError::Usage(
            "--store must be a PostgreSQL URL".to_owned(),
        ));
    };
    let n = args
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, std::num::NonZero::get))
        .max(1);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stored = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let tiers = args.tiers.options();
    let metrics = std::sync::Arc::new(aegis_server::metrics::Metrics::for_worker());
    let mut handles = Vec::with_capacity(n);
    let workers = aegis_app::shared::SharedWorker::team(
        shared.clone(),
        domains,
        &tiers,
        Duration::from_millis(args.time_budget_ms.max(1)),
        args.batch.max(1),
        n,
        Some(std::sync::Arc::new(aegis_server::metrics::Count(
            std::sync::Arc::clone(&metrics),
        ))),
    )?;
    let health = workers
        .first()
        .map(aegis_app::shared::SharedWorker::health)
        .unwrap_or_default();
    let status = match args.listen {
        Some(addr) => Some(worker_status(
            addr,
            aegis_server::worker::WorkerStatus {
                metrics: std::sync::Arc::clone(&metrics),
                health,
                shared: shared.clone(),
                stopping: std::sync::Arc::clone(&stop),
                metrics_token: args.metrics.token()?,
            },
        )?),
        None => None,
    };
    for (i, mut w) in workers.into_iter().enumerate() {
        let (stop, stored) = (std::sync::Arc::clone(&stop), std::sync::Arc::clone(&stored));
        let metrics = std::sync::Arc::clone(&metrics);
        handles.push(
            std::thread::Builder::new()
                .name(format!("aegis-worker-{i}"))
                .spawn(move || {
                    w.run(&stop, |work| {
                        stored.fetch_add(work.stored as u64, std::sync::atomic::Ordering::Relaxed);
                        metrics.count_shared_work(work);
                    });
                })
                .map_err(|source| aegis_app::AppError::Io {
                    context: "cannot start a worker thread".to_owned(),
                    source,
                })?,
        );
    }
    eprintln!(
        "aegis-eval worker: {n} worker threads on {}",
        shared.queue.stream
    );
    let signals = {
        let stop = std::sync::Arc::clone(&stop);
        std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(shutdown_signal());
            }
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        })
    };
    let mut reported = 0;
    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
        for _ in 0..100 {
            if stop.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let now = stored.load(std::sync::atomic::Ordering::Relaxed);
        if now != reported {
            eprintln!("aegis-eval worker: {now} traces stored");
            reported = now;
        }
    }
    for h in handles {
        let _ = h.join();
    }
    if let Some(status) = status {
        let _ = status.join();
    }
    drop(signals);
    eprintln!(
        "aegis-eval worker: stopped; {} traces stored",
        stored.load(std::sync::atomic::Ordering::Relaxed)
    );
    Ok(EXIT_OK)
}

/// Starts a worker process's status server on `addr` (on a thread of its own, until `stopping`
/// is set), once it is listening.
fn worker_status(
    addr: std::net::SocketAddr,
    status: aegis_server::worker::WorkerStatus,
) -> Result<std::thread::JoinHandle<()>, CliError> {
    let stopping = std::sync::Arc::clone(&status.stopping);
    let (bound, listening) = std::sync::mpsc::channel::<Result<std::net::SocketAddr, String>>();
    let handle = std::thread::Builder::new()
        .name("aegis-worker-status".to_owned())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = bound.send(Err(format!("cannot start the async runtime: {e}")));
                    return;
                }
            };
            let stop = async move {
                while !stopping.load(std::sync::atomic::Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            };
            let told = bound.clone();
            let served = runtime.block_on(aegis_server::worker::serve_worker_status(
                addr,
                status,
                stop,
                move |local| {
                    let _ = told.send(Ok(local));
                },
            ));
            if let Err(e) = served {
                let _ = bound.send(Err(e.to_string()));
            }
        })
        .map_err(|source| aegis_app::AppError::Io {
            context: "cannot start the status server's thread".to_owned(),
            source,
        })?;
    match listening.recv() {
        Ok(Ok(local)) => {
            eprintln!("aegis-eval worker: /healthz, /readyz and /metrics on http://{local}");
            Ok(handle)
        }
        Ok(Err(e)) => Err(CliError::Usage(e)),
        Err(_) => Err(CliError::Usage(
            "the status server stopped before it listened".to_owned(),
        )),
    }
}

/// `aegis-eval health`: whether `url` answers 2xx within `timeout`.
pub(crate) fn health(url: &str, timeout: Duration, insecure: bool) -> Result<u8, CliError> {
    let client = reqwest::blocking::Client::builder()
        .timeout(timeout)
        .danger_accept_invalid_certs(insecure)
        .build()
        .map_err(|e| CliError::Usage(format!("cannot make an HTTP client: {e}")))?;
    match client.get(url).send() {
        Ok(r) if r.status().is_success() => {
            println!("{url}: {}", r.status());
            Ok(EXIT_OK)
        }
        Ok(r) => {
            let status = r.status();
            let body = r.text().unwrap_or_default();
            eprintln!(
                "{url}: {status} {}",
                body.chars().take(300).collect::<String>()
            );
            Ok(1)
        }
        Err(e) => {
            eprintln!("{url}: no answer: {e}");
            Ok(1)
        }
    }
}

/// `aegis-eval queue`: the shared queue's depth and its dead letters.
pub(crate) fn queue(
    url: &str,
    org: Option<&str>,
    limit: usize,
    json: bool,
) -> Result<u8, CliError> {
    let org = org.map(aegis_store::OrgId::parse).transpose()?;
    let mut q = aegis_store::redis_queue::RedisQueue::connect(
        url,
        aegis_store::redis_queue::RedisQueueConfig::default(),
    )
    .map_err(aegis_app::AppError::from)?;
    let depth = q.depth().map_err(aegis_app::AppError::from)?;
    let dead = q
        .dead_letters(org.as_ref(), limit)
        .map_err(aegis_app::AppError::from)?;
    let mut out = std::io::stdout().lock();
    if json {
        let v = serde_json::json!({ "depth": depth, "dead_letters": dead });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        )?;
        return Ok(EXIT_OK);
    }
    writeln!(
        out,
        "{} traces waiting ({} taken by a worker, not finished), {} dead letters",
        depth.backlog, depth.pending, depth.dead_letters
    )?;
    for d in &dead {
        writeln!(
            out,
            "{}  {}  {}  delivered {} times: {}",
            d.id,
            d.org,
            d.key.escape_debug(),
            d.deliveries,
            d.error
        )?;
    }
    Ok(EXIT_OK)
}

/// `--export-phoenix`, `--export-otlp` and `--export-langfuse` `ORG=URL` options: each
/// organisation (by id or name) must exist, each URL be http(s), and each sink's credentials
/// come from its own environment variables.
fn result_exports(
    service: &Service,
    args: &ServeArgs,
) -> Result<Vec<aegis_server::export::ResultExport>, CliError> {
    use aegis_server::export::{ExportAuth, Sink};
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let orgs = service.orgs()?;
    let mut out = Vec::new();
    for (sink, flag, example, options) in [
        (
            Sink::Phoenix,
            "--export-phoenix",
            "http://127.0.0.1:6006",
            &args.export_phoenix,
        ),
        (
            Sink::Otlp,
            "--export-otlp",
            "http://127.0.0.1:4318",
            &args.export_otlp,
        ),
        (
            Sink::Langfuse,
            "--export-langfuse",
            "https://cloud.langfuse.com",
            &args.export_langfuse,
        ),
    ] {
        for option in options {
            let usage = |why: &str| {
                CliError::Usage(format!(
                    "{flag} {option}: {why} (expected ORG=URL, e.g. acme={example})"
                ))
            };
            let (org, url) = option.split_once('=').ok_or_else(|| usage("no `=`"))?;
            let org = orgs
                .iter()
                .find(|o| o.id.as_str() == org || o.name == org)
                .ok_or_else(|| usage("no such organisation (`aegis-eval orgs list` names them)"))?;
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(usage("the URL is not http:// or https://"));
            }
            let auth = match sink {
                Sink::Phoenix => {
                    env("PHOENIX_API_KEY").map_or(ExportAuth::None, ExportAuth::Bearer)
                }
                Sink::Otlp => match env("OTEL_EXPORTER_OTLP_LOGS_HEADERS")
                    .or_else(|| env("OTEL_EXPORTER_OTLP_HEADERS"))
                {
                    None => ExportAuth::None,
                    Some(h) => ExportAuth::Headers(otlp_headers(&h).map_err(|why| {
                        CliError::Usage(format!(
                            "OTEL_EXPORTER_OTLP_HEADERS: {why} (expected key=value,key=value)"
                        ))
                    })?),
                },
                Sink::Langfuse => match (env("LANGFUSE_PUBLIC_KEY"), env("LANGFUSE_SECRET_KEY")) {
                    (Some(user), Some(password)) => ExportAuth::Basic { user, password },
                    _ => {
                        return Err(usage(
                            "Langfuse needs LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY in the environment",
                        ));
                    }
                },
            };
            out.push(aegis_server::export::ResultExport {
                org: org.id.clone(),
                sink,
                url: url.to_owned(),
                auth,
            });
        }
    }
    Ok(out)
}

/// OpenTelemetry's header list, `key=value,key=value`, values percent-encoded. An error names
/// the entry by position, never its value (it holds a secret).
fn otlp_headers(list: &str) -> Result<Vec<(String, String)>, String> {
    list.split(',')
        .filter(|e| !e.trim().is_empty())
        .enumerate()
        .map(|(i, entry)| {
            let (k, v) = entry
                .split_once('=')
                .ok_or_else(|| format!("entry {} has no `=`", i + 1))?;
            let k = k.trim();
            if k.is_empty()
                || !k
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(format!("entry {} is not a header name", i + 1));
            }
            Ok((
                k.to_owned(),
                percent_encoding::percent_decode_str(v.trim())
                    .decode_utf8_lossy()
                    .into_owned(),
            ))
        })
        .collect()
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// `aegis-eval orgs …`.
pub(crate) fn orgs(
    command: OrgsCommand,
    registry: &Registry,
    domains: &[&'static dyn Domain],
) -> Result<u8, CliError> {
    let service = open(registry, domains)?;
    match command {
        OrgsCommand::Create { name } => {
            let (org, key) = service.create_org(&name)?;
            println!("organisation {} ({})", org.name, org.id);
            println!("API key (shown once; only its hash is kept):");
            println!("{}", key.secret);
            eprintln!(
                "Tier-0 key: {} (every API process needs it; keep a copy: without it pseudonyms can be neither matched nor reversed)",
                service.tier0_key_file(&org.id).display()
            );
        }
        OrgsCommand::List => {
            for org in service.orgs()? {
                println!(
                    "{}\t{}\t{}",
                    org.id,
                    org.name,
                    aegis_app::store::utc_text(org.created_at_ms)
                );
            }
        }
    }
    Ok(EXIT_OK)
}

/// The organisation named `name` (its name or id).
fn find_org(
    service: &Service,
    name: &str,
) -> Result<aegis_store::Organisation, aegis_app::AppError> {
    let (found, location) = service.tenants(|t| Ok((t.org(name)?, t.location())))?;
    found.ok_or_else(|| {
        aegis_app::AppError::Store(format!("no organisation `{name}` in {location}"))
    })
}

/// `aegis-eval alerts …`.
pub(crate) fn alerts(
    command: AlertsCommand,
    registry: &Registry,
    domains: &[&'static dyn Domain],
) -> Result<u8, CliError> {
    let service = open(registry, domains)?;
    let find = |name: &str| find_org(&service, name);
    let when = |ms: Option<i64>| ms.map_or_else(|| "-".to_owned(), aegis_app::store::utc_text);
    match command {
        AlertsCommand::List {
            org,
            state,
            limit,
            json,
        } => {
            let org = find(&org)?;
            let list = service.alert_list(&org.id, state.as_deref(), limit.max(1))?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&list).unwrap_or_default()
                );
            } else if list.is_empty() {
                println!("no alerts for {}", org.name);
            } else {
                println!("id\tstate\tseverity\trule\tdomain\tgroup\tmatches\tfired\tresolved");
                for a in list {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        a.id,
                        a.state,
                        a.severity,
                        a.rule,
                        a.domain,
                        a.group_key,
                        a.matches,
                        when(Some(a.fired_at_ms)),
                        when(a.resolved_at_ms)
                    );
                }
            }
        }
        AlertsCommand::Show { org, id, json } => {
            let org = find(&org)?;
            let Some(d) = service.alert_detail(&org.id, id)? else {
                return Err(aegis_app::AppError::Usage(format!(
                    "no alert {id} for {}",
                    org.name
                )));
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default());
                return Ok(EXIT_OK);
            }
            let a = &d.alert;
            println!("alert {} · {} · {} · {}", a.id, a.state, a.severity, a.rule);
            println!("domain {}, group {}", a.domain, a.group_key);
            println!("{}", a.summary);
            println!(
                "fired {}, last matched {}, resolved {}, {} match(es)",
                when(Some(a.fired_at_ms)),
                when(Some(a.last_matched_at_ms)),
                when(a.resolved_at_ms),
                a.matches
            );
            for n in &d.notifications {
                println!(
                    "  {} to {}: {} after {} attempt(s) ({})",
                    n.event, n.channel, n.state, n.attempts, n.message_id
                );
                for t in d.attempts.iter().filter(|t| t.delivery_id == n.id) {
                    println!(
                        "    {} {} {}",
                        when(Some(t.at_ms)),
                        t.status.map_or_else(|| "-".to_owned(), |s| s.to_string()),
                        t.outcome
                    );
                }
            }
        }
    }
    Ok(EXIT_OK)
}

/// `aegis-eval keys …`.
pub(crate) fn keys(
    command: KeysCommand,
    registry: &Registry,
    domains: &[&'static dyn Domain],
) -> Result<u8, CliError> {
    let service = open(registry, domains)?;
    let find = |name: &str| find_org(&service, name);
    match command {
        KeysCommand::Create { org, label } => {
            let org = find(&org)?;
            let key = service.tenants(|t| t.create_key(&org.id, &label))?;
            println!("key {} for {} ({})", key.info.id, org.name, org.id);
            println!("API key (shown once; only its hash is kept):");
            println!("{}", key.secret);
        }
        KeysCommand::List { org } => {
            let org = org.as_deref().map(find).transpose()?;
            let keys = service.tenants(|t| t.keys(org.as_ref().map(|o| &o.id)))?;
            println!("KEY ID\tORGANISATION\tLABEL\tCREATED\tSTATE");
            for k in keys {
                let state = match k.revoked_at_ms {
                    Some(t) => format!("revoked {}", aegis_app::store::utc_text(t)),
                    None => "active".to_owned(),
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    k.id,
                    k.org,
                    k.label,
                    aegis_app::store::utc_text(k.created_at_ms),
                    state
                );
            }
        }
        KeysCommand::Revoke { key_id } => {
            if service.tenants(|t| t.revoke_key(&key_id))? {
                println!("revoked {key_id}");
            } else {
                return Err(aegis_app::AppError::Store(format!(
                    "no key `{key_id}` (aegis-eval keys list)"
                )));
            }
        }
    }
    Ok(EXIT_OK)
}
