//! The tenant registry: organisations and their API keys, in one SQLite file of its own (WAL,
//! `synchronous=FULL`, migrations by `PRAGMA user_version`), apart from every organisation's
//! results store.
//!
//! An API key is a bearer token `aegis_<key id>_<secret>`: the key id is 12 lower-case hex
//! digits, public (it names the key in listings and revocations); the secret is 32 random bytes
//! in lower-case hex. The registry keeps the key id and the SHA-256 of the secret, never the
//! secret: a token is shown once, when it is made ([`NewKey`]), and cannot be recovered.
//!
//! [`Tenants`] is `Send + Sync`: a service shares one in an `Arc` and authenticates from any
//! thread ([`Tenants::authenticate`] takes `&self`; the connection is behind a mutex, held for
//! one indexed lookup). Changes take `&mut self`: put it in an `RwLock` when a service also
//! changes the registry, or change it from another process (the CLI) — every lookup reads the
//! file afresh, so a key revoked elsewhere is refused at the next request.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::StoreError;

/// The schema, one migration per version (recorded in `PRAGMA user_version`); only ever
/// appended.
const MIGRATIONS: &[&str] = &[
    // 1: organisations and their keys.
    r#"
    -- A rowid table: listings are in the order the organisations were made.
    CREATE TABLE orgs (
        id             TEXT PRIMARY KEY,
        name           TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at     INTEGER NOT NULL
    );
    -- One b-tree lookup by key id per request (WITHOUT ROWID: the row is in the index).
    CREATE TABLE api_keys (
        id             TEXT PRIMARY KEY,
        org            TEXT NOT NULL REFERENCES orgs(id),
        label          TEXT NOT NULL,
        secret_sha256  BLOB NOT NULL,
        created_at     INTEGER NOT NULL,
        revoked_at     INTEGER,
        last_used      INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX api_keys_org ON api_keys(org);
    "#,
];

/// The longest organisation name or key label, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// The longest organisation id, in characters.
const MAX_ORG_ID_CHARS: usize = 64;

/// How often a key's `last_used` is written, at most (ms): a write per request would cost a
/// durable commit per request.
const LAST_USED_GRANULARITY_MS: i64 = 60_000;

/// The label of the key [`Tenants::create_org`] makes with an organisation.
pub const INITIAL_KEY_LABEL: &str = "initial";

pub(crate) const TOKEN_PREFIX: &str = "aegis_";
const KEY_ID_BYTES: usize = 6;
const SECRET_BYTES: usize = 32;
const ORG_ID_BYTES: usize = 8;

/// An organisation's id: `org_` and 16 lower-case hex digits for the ids the registry makes.
/// Any id it accepts is 1 to 64 characters of `a-z`, `0-9` and `_`, so callers may use it as a
/// directory name: it never holds `/`, `.` or anything else a path gives meaning to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgId(String);

impl OrgId {
    /// Checks `s` is an organisation id (1 to 64 characters of `a-z`, `0-9` and `_`). The
    /// error does not repeat `s`.
    pub fn parse(s: &str) -> Result<OrgId, StoreError> {
        let ok = !s.is_empty()
            && s.len() <= MAX_ORG_ID_CHARS
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(OrgId(s.to_owned()))
        } else {
            Err(StoreError::InvalidOrgId)
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A new random id, `org_` and 16 lower-case hex digits.
    pub(crate) fn random() -> Result<OrgId, getrandom::Error> {
        Ok(OrgId(format!("org_{}", random_hex::<ORG_ID_BYTES>()?)))
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for OrgId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for OrgId {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<OrgId, StoreError> {
        OrgId::parse(s)
    }
}

impl TryFrom<String> for OrgId {
    type Error = StoreError;

    fn try_from(s: String) -> Result<OrgId, StoreError> {
        OrgId::parse(&s)
    }
}

impl From<OrgId> for String {
    fn from(id: OrgId) -> String {
        id.0
    }
}

/// An organisation: a tenant of the service, with a results store of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    /// Its id.
    pub id: OrgId,
    /// Its name (unique ignoring ASCII case; trimmed; 1 to 100 characters, no control
    /// characters).
    pub name: String,
    /// When it was made (ms since the epoch).
    pub created_at_ms: i64,
}

/// What the registry shows of an API key: never its secret nor the secret's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    /// The key's public id (12 lower-case hex digits, the middle part of its token).
    pub id: String,
    /// The organisation it authenticates as.
    pub org: OrgId,
    /// What it is for (trimmed; at most 100 characters, no control characters; may be empty).
    pub label: String,
    /// When it was made (ms since the epoch).
    pub created_at_ms: i64,
    /// When it was revoked (ms since the epoch), if it was.
    pub revoked_at_ms: Option<i64>,
    /// When it last authenticated a request (ms since the epoch), to within a minute: the
    /// registry writes it at most once a minute per key.
    pub last_used_ms: Option<i64>,
}

/// A key just made, with its token: the only time the token can be seen. Its `Debug` prints
/// the token as `***`; it is deliberately not `Serialize` (put `secret` into a response
/// explicitly).
#[derive(Clone, PartialEq, Eq)]
pub struct NewKey {
    /// The key.
    pub info: KeyInfo,
    /// The whole bearer token, `aegis_<key id>_<secret>`.
    pub secret: String,
}

impl fmt::Debug for NewKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewKey")
            .field("info", &self.info)
            .field("secret", &"***")
            .finish()
    }
}

/// The registry of organisations and API keys. See the [module documentation](self) for the
/// token format and for sharing it between threads.
pub struct Tenants {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl fmt::Debug for Tenants {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tenants")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// One key row as read: id, org, label, created, revoked, last used.
type KeyRow = (String, String, String, i64, Option<i64>, Option<i64>);

/// What authentication reads of a key: org, secret's hash, revoked, last used.
type AuthRow = (String, Vec<u8>, Option<i64>, Option<i64>);

const KEY_COLUMNS: &str = "id, org, label, created_at, revoked_at, last_used";

impl Tenants {
    /// Opens (or creates) the registry at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Tenants, StoreError> {
        let shown = path.display().to_string();
        let err = |what: &'static str| {
            let path = shown.clone();
            move |source| StoreError::Registry { path, what, source }
        };
        let mut conn = Connection::open(path).map_err(err("cannot open"))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err("cannot set WAL mode"))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err("cannot set synchronous=FULL"))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err("cannot enable foreign keys"))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err("cannot set the busy timeout"))?;
        let known = MIGRATIONS.len() as i64;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(err("cannot read the schema version"))?;
        if version > known || version < 0 {
            return Err(StoreError::TooNew {
                path: shown,
                found: version,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let e = || err("cannot migrate the schema");
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(e())?;
            tx.execute_batch(sql).map_err(e())?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(e())?;
            tx.commit().map_err(e())?;
        }
        Ok(Tenants {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    /// The schema version this build writes.
    pub fn schema_version() -> i64 {
        MIGRATIONS.len() as i64
    }

    /// The registry file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, what: &'static str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |source| StoreError::Registry {
            path: self.path.display().to_string(),
            what,
            source,
        }
    }

    fn invalid(&self, what: &'static str) -> StoreError {
        StoreError::Invalid {
            path: self.path.display().to_string(),
            what,
        }
    }

    /// The connection, for a read. A panic while it was held cannot leave it inside a
    /// transaction (a dropped transaction rolls back), so a poisoned lock is taken as it is.
    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes an organisation named `name` (trimmed; 1 to 100 characters, no control
    /// characters; unique ignoring ASCII case) and its first API key (labelled
    /// [`INITIAL_KEY_LABEL`]), in one durable transaction.
    ///
    /// Errors: [`StoreError::Invalid`] for a name that breaks a rule,
    /// [`StoreError::OrgNameTaken`] (naming the organisation that has it) for a name in use.
    pub fn create_org(&mut self, name: &str) -> Result<(Organisation, NewKey), StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(self.invalid("an organisation name cannot be empty"));
        }
        check_text(name).map_err(|what| self.invalid(what))?;
        let now = now_ms();
        let path = self.path.display().to_string();
        let e = |what: &'static str| {
            let path = path.clone();
            move |source| StoreError::Registry { path, what, source }
        };
        let conn = self.conn.get_mut().unwrap_or_else(PoisonError::into_inner);
        // Immediate: the name check and the insert see the same registry, whoever else writes.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e("cannot begin a change"))?;
        let taken: Option<String> = tx
            .query_row("SELECT id FROM orgs WHERE name = ?1", [name], |r| r.get(0))
            .optional()
            .map_err(e("cannot read organisations"))?;
        if let Some(existing) = taken {
            return Err(StoreError::OrgNameTaken {
                path,
                existing: stored_org_id(&existing, &self.path)?,
            });
        }
        let random_failed = |err: getrandom::Error| StoreError::Random {
            path: path.clone(),
            message: err.to_string(),
        };
        let id = loop {
            let id = OrgId::random().map_err(random_failed)?;
            let n = tx
                .execute(
                    "INSERT OR IGNORE INTO orgs (id, name, created_at) VALUES (?1, ?2, ?3)",
                    params![id.as_str(), name, now],
                )
                .map_err(e("cannot write an organisation"))?;
            // 0: an id already in use (one chance in 2^64 per organisation); draw again.
            if n == 1 {
                break id;
            }
        };
        let key = insert_key(&tx, &id, INITIAL_KEY_LABEL, now)
            .map_err(|k| k.into_error(&path, e("cannot write a key")))?;
        tx.commit().map_err(e("cannot commit a change"))?;
        Ok((
            Organisation {
                id,
                name: name.to_owned(),
                created_at_ms: now,
            },
            key,
        ))
    }

    /// Every organisation, in the order they were made.
    pub fn orgs(&self) -> Result<Vec<Organisation>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached("SELECT id, name, created_at FROM orgs ORDER BY rowid")
            .map_err(self.err("cannot read organisations"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .map_err(self.err("cannot read organisations"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(self.err("cannot read organisations"))?;
        rows.into_iter()
            .map(|(id, name, created_at_ms)| {
                Ok(Organisation {
                    id: stored_org_id(&id, &self.path)?,
                    name,
                    created_at_ms,
                })
            })
            .collect()
    }

    /// The organisation with this id, or else with this name (ignoring ASCII case; surrounding
    /// spaces ignored); `None` if there is neither.
    pub fn org(&self, id_or_name: &str) -> Result<Option<Organisation>, StoreError> {
        let conn = self.lock();
        let found: Option<(String, String, i64)> = conn
            .prepare_cached(
                "SELECT id, name, created_at FROM orgs WHERE id = ?1 OR name = ?2 \
                 ORDER BY id = ?1 DESC LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(params![id_or_name, id_or_name.trim()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()
            })
            .map_err(self.err("cannot read organisations"))?;
        found
            .map(|(id, name, created_at_ms)| {
                Ok(Organisation {
                    id: stored_org_id(&id, &self.path)?,
                    name,
                    created_at_ms,
                })
            })
            .transpose()
    }

    /// Makes another API key for `org`, labelled `label` (trimmed; at most 100 characters, no
    /// control characters; may be empty). [`StoreError::NoSuchOrg`] if there is no such
    /// organisation.
    pub fn create_key(&mut self, org: &OrgId, label: &str) -> Result<NewKey, StoreError> {
        let label = label.trim();
        check_text(label).map_err(|what| self.invalid(what))?;
        let now = now_ms();
        let path = self.path.display().to_string();
        let e = |what: &'static str| {
            let path = path.clone();
            move |source| StoreError::Registry { path, what, source }
        };
        let conn = self.conn.get_mut().unwrap_or_else(PoisonError::into_inner);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(e("cannot begin a change"))?;
        let exists = tx
            .query_row("SELECT 1 FROM orgs WHERE id = ?1", [org.as_str()], |_| {
                Ok(())
            })
            .optional()
            .map_err(e("cannot read organisations"))?
            .is_some();
        if !exists {
            return Err(StoreError::NoSuchOrg {
                path,
                org: org.clone(),
            });
        }
        let key = insert_key(&tx, org, label, now)
            .map_err(|k| k.into_error(&path, e("cannot write a key")))?;
        tx.commit().map_err(e("cannot commit a change"))?;
        Ok(key)
    }

    /// The keys of `org` (or of every organisation), oldest first (keys made in the same
    /// millisecond by id), revoked ones included. Holds no secret and no hash of one.
    pub fn keys(&self, org: Option<&OrgId>) -> Result<Vec<KeyInfo>, StoreError> {
        let conn = self.lock();
        let sql = format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE ?1 IS NULL OR org = ?1 ORDER BY created_at, id"
        );
        let mut stmt = conn
            .prepare_cached(&sql)
            .map_err(self.err("cannot read keys"))?;
        let rows = stmt
            .query_map([org.map(OrgId::as_str)], key_row)
            .map_err(self.err("cannot read keys"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(self.err("cannot read keys"))?;
        rows.into_iter()
            .map(|row| key_info(row, &self.path))
            .collect()
    }

    /// The key with this public id, revoked or not.
    pub fn key(&self, key_id: &str) -> Result<Option<KeyInfo>, StoreError> {
        let conn = self.lock();
        let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = ?1");
        let row = conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_row([key_id], key_row).optional())
            .map_err(self.err("cannot read keys"))?;
        row.map(|row| key_info(row, &self.path)).transpose()
    }

    /// Revokes the key with this public id: from the next request on, its token authenticates
    /// nothing. `Ok(false)` if there is no such key; `Ok(true)` if there is (a key revoked
    /// before keeps its first revocation time).
    pub fn revoke_key(&mut self, key_id: &str) -> Result<bool, StoreError> {
        let now = now_ms();
        let path = self.path.display().to_string();
        let e = |what: &'static str| {
            let path = path.clone();
            move |source| StoreError::Registry { path, what, source }
        };
        let conn = self.conn.get_mut().unwrap_or_else(PoisonError::into_inner);
        conn.execute(
            "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1",
            params![key_id, now],
        )
        .map(|n| n > 0)
        .map_err(e("cannot revoke a key"))
    }

    /// The organisation a bearer token (the text after `Bearer `) authenticates as: `None` for
    /// anything that is not a token of a live key — malformed, unknown key id, wrong secret, or
    /// revoked. One lookup by key id and a constant-time comparison of the secret's SHA-256;
    /// the key's `last_used` is written at most once a minute (a failure to write it is
    /// logged, not returned). Errors are the registry's own (it cannot be read), and never
    /// repeat the token.
    pub fn authenticate(&self, bearer: &str) -> Result<Option<OrgId>, StoreError> {
        self.authenticate_with(bearer, true)
            .map(|found| found.flatten())
    }

    /// [`authenticate`](Self::authenticate) without writing: `None` when the key's
    /// `last_used` is due to be written (once a minute), which `authenticate` does.
    pub fn authenticate_read_only(
        &self,
        bearer: &str,
    ) -> Result<Option<Option<OrgId>>, StoreError> {
        self.authenticate_with(bearer, false)
    }

    /// The organisation of `bearer` (`Some(None)`: no such key, or revoked), writing when the
    /// key was last used if that is due and `write`; `None` if it was due and not `write`.
    fn authenticate_with(
        &self,
        bearer: &str,
        write: bool,
    ) -> Result<Option<Option<OrgId>>, StoreError> {
        let Some((key_id, secret)) = parse_token(bearer) else {
            return Ok(Some(None));
        };
        let conn = self.lock();
        let row: Option<AuthRow> = conn
            .prepare_cached(
                "SELECT org, secret_sha256, revoked_at, last_used FROM api_keys WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([key_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()
            })
            .map_err(self.err("cannot read keys"))?;
        let Some((org, stored, revoked_at, last_used)) = row else {
            return Ok(Some(None));
        };
        if !key_admits(secret, &stored, revoked_at) {
            return Ok(Some(None));
        }
        let org = stored_org_id(&org, &self.path)?;
        let now = now_ms();
        if last_used_due(last_used, now) {
            if !write {
                return Ok(None);
            }
            let written = conn
                .prepare_cached("UPDATE api_keys SET last_used = ?2 WHERE id = ?1")
                .and_then(|mut s| s.execute(params![key_id, now]));
            if let Err(e) = written {
                tracing::warn!(key = key_id, error = %e, "cannot record when an API key was last used");
            }
        }
        Ok(Some(Some(org)))
    }
}

/// A registry of organisations and API keys: [`Tenants`] (a SQLite file of the service
/// directory) or [`crate::PostgresTenants`] (shared by the API processes of a scaled-out
/// service). Both make the same ids and tokens and keep the same rules; see [`Tenants`]' methods
/// for each one's contract.
pub trait TenantRegistry: Send {
    /// Where the registry is, for messages.
    fn location(&self) -> String;
    /// Makes an organisation and its first API key.
    fn create_org(&mut self, name: &str) -> Result<(Organisation, NewKey), StoreError>;
    /// Every organisation, in the order they were made.
    fn orgs(&self) -> Result<Vec<Organisation>, StoreError>;
    /// The organisation with this id, or else with this name (ignoring ASCII case).
    fn org(&self, id_or_name: &str) -> Result<Option<Organisation>, StoreError>;
    /// Makes another API key for `org`.
    fn create_key(&mut self, org: &OrgId, label: &str) -> Result<NewKey, StoreError>;
    /// The keys of `org` (or of every organisation), oldest first, revoked ones included.
    fn keys(&self, org: Option<&OrgId>) -> Result<Vec<KeyInfo>, StoreError>;
    /// The key with this public id, revoked or not.
    fn key(&self, key_id: &str) -> Result<Option<KeyInfo>, StoreError>;
    /// Revokes a key; `false` if there is no such key.
    fn revoke_key(&mut self, key_id: &str) -> Result<bool, StoreError>;
    /// The organisation a bearer token authenticates as, `None` for anything else.
    fn authenticate(&self, bearer: &str) -> Result<Option<OrgId>, StoreError>;
    /// [`authenticate`](Self::authenticate) if it can answer in microseconds, without a
    /// network round trip or a write (an indexed read of a local file), so that an async front
    /// end may call it in place instead of handing it to a blocking thread; `None` when it
    /// cannot (the default: call `authenticate` on a blocking thread).
    fn authenticate_quickly(&self, _bearer: &str) -> Option<Result<Option<OrgId>, StoreError>> {
        None
    }
}

impl TenantRegistry for Tenants {
    fn location(&self) -> String {
        self.path.display().to_string()
    }
    fn create_org(&mut self, name: &str) -> Result<(Organisation, NewKey), StoreError> {
        Tenants::create_org(self, name)
    }
    fn orgs(&self) -> Result<Vec<Organisation>, StoreError> {
        Tenants::orgs(self)
    }
    fn org(&self, id_or_name: &str) -> Result<Option<Organisation>, StoreError> {
        Tenants::org(self, id_or_name)
    }
    fn create_key(&mut self, org: &OrgId, label: &str) -> Result<NewKey, StoreError> {
        Tenants::create_key(self, org, label)
    }
    fn keys(&self, org: Option<&OrgId>) -> Result<Vec<KeyInfo>, StoreError> {
        Tenants::keys(self, org)
    }
    fn key(&self, key_id: &str) -> Result<Option<KeyInfo>, StoreError> {
        Tenants::key(self, key_id)
    }
    fn revoke_key(&mut self, key_id: &str) -> Result<bool, StoreError> {
        Tenants::revoke_key(self, key_id)
    }
    fn authenticate_quickly(&self, bearer: &str) -> Option<Result<Option<OrgId>, StoreError>> {
        self.authenticate_read_only(bearer).transpose()
    }

    fn authenticate(&self, bearer: &str) -> Result<Option<OrgId>, StoreError> {
        Tenants::authenticate(self, bearer)
    }
}

/// Why a key could not be inserted.
enum InsertKeyError {
    Random(getrandom::Error),
    Sqlite(rusqlite::Error),
}

impl InsertKeyError {
    fn into_error(
        self,
        path: &str,
        sqlite: impl FnOnce(rusqlite::Error) -> StoreError,
    ) -> StoreError {
        match self {
            InsertKeyError::Random(e) => StoreError::Random {
                path: path.to_owned(),
                message: e.to_string(),
            },
            InsertKeyError::Sqlite(e) => sqlite(e),
        }
    }
}

/// Makes a key for `org` inside the open transaction.
fn insert_key(
    tx: &rusqlite::Transaction<'_>,
    org: &OrgId,
    label: &str,
    now: i64,
) -> Result<NewKey, InsertKeyError> {
    let secret = random_hex::<SECRET_BYTES>().map_err(InsertKeyError::Random)?;
    let digest = Sha256::digest(secret.as_bytes());
    let id = loop {
        let id = random_hex::<KEY_ID_BYTES>().map_err(InsertKeyError::Random)?;
        let n = tx
            .execute(
                "INSERT OR IGNORE INTO api_keys (id, org, label, secret_sha256, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, org.as_str(), label, digest.as_slice(), now],
            )
            .map_err(InsertKeyError::Sqlite)?;
        // 0: a key id already in use (48 random bits); draw again.
        if n == 1 {
            break id;
        }
    };
    Ok(NewKey {
        secret: format!("{TOKEN_PREFIX}{id}_{secret}"),
        info: KeyInfo {
            id,
            org: org.clone(),
            label: label.to_owned(),
            created_at_ms: now,
            revoked_at_ms: None,
            last_used_ms: None,
        },
    })
}

fn key_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<KeyRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn key_info(
    (id, org, label, created_at_ms, revoked_at_ms, last_used_ms): KeyRow,
    path: &Path,
) -> Result<KeyInfo, StoreError> {
    Ok(KeyInfo {
        id,
        org: stored_org_id(&org, path)?,
        label,
        created_at_ms,
        revoked_at_ms,
        last_used_ms,
    })
}

/// An organisation id read from the registry (checked again: callers use it as a directory
/// name).
fn stored_org_id(id: &str, path: &Path) -> Result<OrgId, StoreError> {
    OrgId::parse(id).map_err(|_| StoreError::Corrupt {
        path: path.display().to_string(),
        message: "an organisation id in the registry is not valid".to_owned(),
    })
}

/// Whether a key's row admits the token's `secret`: the secret's SHA-256 is the stored one
/// (compared in constant time; slices of different lengths are unequal, a length being no
/// secret) and the key is not revoked.
pub(crate) fn key_admits(secret: &str, stored_sha256: &[u8], revoked_at: Option<i64>) -> bool {
    let presented = Sha256::digest(secret.as_bytes());
    let matches: bool = presented.as_slice().ct_eq(stored_sha256).into();
    matches && revoked_at.is_none()
}

/// Whether a key's `last_used` is due to be written at `now` (at most once a minute).
pub(crate) fn last_used_due(last_used: Option<i64>, now: i64) -> bool {
    last_used.is_none_or(|t| now.saturating_sub(t) >= LAST_USED_GRANULARITY_MS)
}

/// The rules for names and labels (already trimmed); the error says which one `s` broke.
pub(crate) fn check_text(s: &str) -> Result<(), &'static str> {
    if s.chars().count() > MAX_NAME_CHARS {
        return Err("a name or label is longer than 100 characters");
    }
    if s.chars().any(char::is_control) {
        return Err("a name or label cannot hold control characters");
    }
    Ok(())
}

/// The key id and secret of a well-formed token `aegis_<12 hex>_<64 hex>` (lower-case hex).
pub(crate) fn parse_token(token: &str) -> Option<(&str, &str)> {
    const KEY_ID_LEN: usize = KEY_ID_BYTES * 2;
    const SECRET_LEN: usize = SECRET_BYTES * 2;
    if token.len() != TOKEN_PREFIX.len() + KEY_ID_LEN + 1 + SECRET_LEN {
        return None;
    }
    let rest = token.strip_prefix(TOKEN_PREFIX)?;
    let (key_id, secret) = rest.split_at_checked(KEY_ID_LEN)?;
    let secret = secret.strip_prefix('_')?;
    let hex = |s: &str| s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (hex(key_id) && hex(secret)).then_some((key_id, secret))
}

/// `N` random bytes from the operating system, in lower-case hex.
pub(crate) fn random_hex<const N: usize>() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(aegis_core::digest::hex(&bytes))
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse_only_in_their_exact_form() {
        let id = "0123456789ab";
        let secret = "f".repeat(64);
        let token = format!("aegis_{id}_{secret}");
        assert_eq!(parse_token(&token), Some((id, secret.as_str())));
        assert_eq!(parse_token(&token.to_uppercase()), None);
        assert_eq!(parse_token(&format!("{token}0")), None);
        assert_eq!(parse_token(&token[..token.len() - 1]), None);
        assert_eq!(parse_token(&token.replacen("aegis_", "aegis-", 1)), None);
        // The separator in its place, a hex digit where it was.
        assert_eq!(parse_token(&format!("aegis_{id}0{}", &secret[1..])), None);
        // Non-ASCII of the right byte length, cut at the key id's end.
        let odd = format!("aegis_01234567890é{secret}");
        assert_eq!(odd.len(), token.len());
        assert_eq!(parse_token(&odd), None);
        let g = format!("aegis_{id}_g{}", &secret[1..]);
        assert_eq!(parse_token(&g), None);
    }

    #[test]
    fn org_ids_are_safe_directory_names() {
        for ok in ["org_0123456789abcdef", "a", "acme_1", &"z".repeat(64)] {
            assert_eq!(OrgId::parse(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "",
            "..",
            ".",
            "a/b",
            "../etc",
            "Org",
            "org-1",
            "org 1",
            "org\0",
            "é",
            &"z".repeat(65),
        ] {
            assert!(OrgId::parse(bad).is_err(), "{bad:?} accepted");
        }
        let random = OrgId::random().unwrap();
        assert_eq!(random.as_str().len(), 20);
        assert!(OrgId::parse(random.as_str()).is_ok());
        assert!(serde_json::from_str::<OrgId>("\"../x\"").is_err());
        assert_eq!(
            serde_json::from_str::<OrgId>("\"org_1\"").unwrap().as_str(),
            "org_1"
        );
    }
}
