//! `aegis-eval serve`, `orgs` and `keys`: parse, call `aegis-app`'s service and
//! `aegis-server`, print.

use std::path::Path;
use std::time::Duration;

use aegis_app::service::{Service, ServiceConfig};
use aegis_core::Domain;

use crate::args::{KeysCommand, OrgsCommand, ServeArgs};
use crate::{CliError, EXIT_OK};

fn open(dir: &Path, domains: &[&'static dyn Domain]) -> Result<Service, CliError> {
    Service::open(domains, ServiceConfig::new(dir))
}

/// `aegis-eval serve`.
pub(crate) fn serve(args: ServeArgs, domains: &[&'static dyn Domain]) -> Result<u8, CliError> {
    let mut config = ServiceConfig::new(&args.store);
    config.tiers = args.tiers.options();
    config.time_budget = Duration::from_millis(args.time_budget_ms.max(1));
    config.default_domain = args.default_domain.clone();
    config.otlp_quiet = Duration::from_secs(args.otlp_quiet);
    let service = Service::open(domains, config)?;
    let exports = phoenix_exports(&service, &args.export_phoenix)?;
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
        metrics_token: args.metrics_token.clone().filter(|t| !t.is_empty()),
    };
    if service.orgs()?.is_empty() {
        eprintln!(
            "note: {} has no organisation yet: `aegis-eval orgs create <name> --store {}` prints an API key",
            args.store.display(),
            args.store.display()
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

/// `--export-phoenix ORG=URL` options: each organisation (by id or name) must exist, and each
/// URL be http(s).
fn phoenix_exports(
    service: &Service,
    options: &[String],
) -> Result<Vec<aegis_server::export::PhoenixExport>, CliError> {
    let orgs = service.orgs()?;
    let api_key = std::env::var("PHOENIX_API_KEY")
        .ok()
        .filter(|k| !k.is_empty());
    options
        .iter()
        .map(|option| {
            let usage = |why: &str| {
                CliError::Usage(format!("--export-phoenix {option}: {why} (expected ORG=URL, e.g. acme=http://127.0.0.1:6006)"))
            };
            let (org, url) = option.split_once('=').ok_or_else(|| usage("no `=`"))?;
            let org = orgs
                .iter()
                .find(|o| o.id.as_str() == org || o.name == org)
                .ok_or_else(|| usage("no such organisation (`aegis-eval orgs list` names them)"))?;
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(usage("the URL is not http:// or https://"));
            }
            Ok(aegis_server::export::PhoenixExport {
                org: org.id.clone(),
                url: url.to_owned(),
                api_key: api_key.clone(),
            })
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
    dir: &Path,
    domains: &[&'static dyn Domain],
) -> Result<u8, CliError> {
    let service = open(dir, domains)?;
    match command {
        OrgsCommand::Create { name } => {
            let (org, key) = service.create_org(&name)?;
            println!("organisation {} ({})", org.name, org.id);
            println!("API key (shown once; only its hash is kept):");
            println!("{}", key.secret);
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

/// `aegis-eval keys …`.
pub(crate) fn keys(
    command: KeysCommand,
    dir: &Path,
    domains: &[&'static dyn Domain],
) -> Result<u8, CliError> {
    let service = open(dir, domains)?;
    let find = |name: &str| {
        service.tenants(|t| t.org(name))?.ok_or_else(|| {
            aegis_app::AppError::Store(format!("no organisation `{name}` in {}", dir.display()))
        })
    };
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
