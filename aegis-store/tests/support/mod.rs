//! The stores every test of the `Store` trait runs against: SQLite always, and PostgreSQL when
//! `AEGIS_TEST_POSTGRES` names a server (`scripts/scale/servers.sh` starts one; `.ci/run` sets
//! `AEGIS_REQUIRE_POSTGRES=1`, which turns its absence into a failure). Each place is new and
//! empty: a temporary file, or a schema of its own.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use aegis_store::{PostgresStore, SqliteStore, Store};

/// Where a store under test lives.
pub enum Place {
    Sqlite {
        path: PathBuf,
        _dir: tempfile::TempDir,
    },
    Postgres {
        url: String,
        schema: String,
    },
}

impl Place {
    /// `sqlite` or `postgres`, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Place::Sqlite { .. } => "sqlite",
            Place::Postgres { .. } => "postgres",
        }
    }

    /// Opens the store here (again: a second open sees what the first wrote).
    pub fn open(&self) -> Box<dyn Store> {
        match self {
            Place::Sqlite { path, .. } => Box::new(SqliteStore::open(path).unwrap()),
            Place::Postgres { url, schema } => Box::new(PostgresStore::open(url, schema).unwrap()),
        }
    }

    /// Runs `sql` on the store's database directly, as another client would.
    pub fn execute(&self, sql: &str) -> Result<(), String> {
        match self {
            Place::Sqlite { path, .. } => rusqlite::Connection::open(path)
                .and_then(|c| c.execute_batch(sql))
                .map_err(|e| e.to_string()),
            Place::Postgres { url, schema } => {
                let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
                c.batch_execute(&format!("SET search_path TO {schema}; {sql}"))
                    .map_err(|e| {
                        e.as_db_error()
                            .map_or(e.to_string(), |d| d.message().to_owned())
                    })
            }
        }
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Place::Postgres { url, schema } = self
            && let Ok(mut c) = postgres::Client::connect(url, postgres::NoTls)
        {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// A new PostgreSQL schema name, unique to this process and call.
pub fn fresh_schema() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "t_{}_{}_{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The URL of the test PostgreSQL server, if there is one.
pub fn postgres_url() -> Option<String> {
    match std::env::var("AEGIS_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("AEGIS_REQUIRE_POSTGRES").is_err(),
                "AEGIS_REQUIRE_POSTGRES is set but AEGIS_TEST_POSTGRES names no server \
                 (bash scripts/scale/servers.sh start <dir> starts one)"
            );
            eprintln!(
                "SKIPPED the PostgreSQL half: AEGIS_TEST_POSTGRES is not set (bash scripts/scale/test.sh runs it)"
            );
            None
        }
    }
}

/// A new, empty place of each kind there is.
pub fn places() -> Vec<Place> {
    let dir = tempfile::tempdir().unwrap();
    let mut places = vec![Place::Sqlite {
        path: dir.path().join("aegis.db"),
        _dir: dir,
    }];
    if let Some(url) = postgres_url() {
        places.push(Place::Postgres {
            url,
            schema: fresh_schema(),
        });
    }
    places
}

/// The URL of the test Redis server, if there is one (`AEGIS_REQUIRE_REDIS` turns its absence
/// into a failure).
pub fn redis_url() -> Option<String> {
    match std::env::var("AEGIS_TEST_REDIS") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("AEGIS_REQUIRE_REDIS").is_err(),
                "AEGIS_REQUIRE_REDIS is set but AEGIS_TEST_REDIS names no server"
            );
            eprintln!("SKIPPED: AEGIS_TEST_REDIS is not set (bash scripts/scale/test.sh runs it)");
            None
        }
    }
}
