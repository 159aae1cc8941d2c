//! The tenant registry in PostgreSQL, for a scaled-out service whose API processes run on
//! several machines: the same organisations, keys and token format as the SQLite registry
//! ([`crate::Tenants`]), in the schema `aegis_tenants`.

use std::sync::{Mutex, PoisonError};

use postgres::Client;
use sha2::{Digest, Sha256};

use super::pg_error;
use crate::tenants::{
    INITIAL_KEY_LABEL, TOKEN_PREFIX, check_text, key_admits, last_used_due, now_ms, parse_token,
    random_hex,
};
use crate::{KeyInfo, NewKey, OrgId, Organisation, StoreError, TenantRegistry};

const SCHEMA: &str = "aegis_tenants";

const MIGRATIONS: &[&str] = &[r#"
    CREATE TABLE orgs (
        seq            BIGSERIAL UNIQUE,
        id             TEXT PRIMARY KEY,
        name           TEXT NOT NULL,
        created_at     BIGINT NOT NULL
    );
    -- Unique ignoring ASCII case, as the SQLite registry's NOCASE.
    CREATE UNIQUE INDEX orgs_name ON orgs (lower(name));
    CREATE TABLE api_keys (
        id             TEXT PRIMARY KEY,
        org            TEXT NOT NULL REFERENCES orgs (id),
        label          TEXT NOT NULL,
        secret_sha256  BYTEA NOT NULL,
        created_at     BIGINT NOT NULL,
        revoked_at     BIGINT,
        last_used      BIGINT
    );
    CREATE INDEX api_keys_org ON api_keys (org);
    "#];

const KEY_COLUMNS: &str = "id, org, label, created_at, revoked_at, last_used";

/// Organisations and API keys in PostgreSQL (schema `aegis_tenants`), shared by every API
/// process of a scaled-out service.
pub struct PostgresTenants {
    client: Mutex<Client>,
    url: String,
    schema: String,
    target: String,
}

impl std::fmt::Debug for PostgresTenants {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresTenants")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl PostgresTenants {
    /// Connects to the database at `url` and brings the registry's schema (`aegis_tenants`)
    /// up to date.
    pub fn open(url: &str) -> Result<PostgresTenants, StoreError> {
        PostgresTenants::open_in(url, SCHEMA)
    }

    /// The registry in another schema (deployments sharing one database, tests).
    pub fn open_in(url: &str, schema: &str) -> Result<PostgresTenants, StoreError> {
        let (client, target) = super::open_schema(url, schema, MIGRATIONS)?;
        Ok(PostgresTenants {
            client: Mutex::new(client),
            url: url.to_owned(),
            schema: schema.to_owned(),
            target,
        })
    }

    /// The connection, connected again if the server went away.
    fn client(&self) -> Result<std::sync::MutexGuard<'_, Client>, StoreError> {
        let mut client = self.client.lock().unwrap_or_else(PoisonError::into_inner);
        if client.is_closed() {
            *client = super::connect_in(&self.url, &self.schema, &self.target)?;
        }
        Ok(client)
    }

    fn err(&self, what: &'static str) -> impl Fn(postgres::Error) -> StoreError + '_ {
        move |e| pg_error(&self.target, what, &e)
    }

    fn invalid(&self, what: &'static str) -> StoreError {
        StoreError::Invalid {
            path: self.target.clone(),
            what,
        }
    }

    fn org_id(&self, id: &str) -> Result<OrgId, StoreError> {
        OrgId::parse(id).map_err(|_| StoreError::Corrupt {
            path: self.target.clone(),
            message: "an organisation id in the registry is not valid".to_owned(),
        })
    }

    fn key_info(&self, r: &postgres::Row) -> Result<KeyInfo, StoreError> {
        Ok(KeyInfo {
            id: r.get(0),
            org: self.org_id(r.get(1))?,
            label: r.get(2),
            created_at_ms: r.get(3),
            revoked_at_ms: r.get(4),
            last_used_ms: r.get(5),
        })
    }

    /// Makes a key for `org` in the open transaction.
    fn insert_key(
        &self,
        tx: &mut postgres::Transaction<'_>,
        org: &OrgId,
        label: &str,
        now: i64,
    ) -> Result<NewKey, StoreError> {
        let random_failed = |e: getrandom::Error| StoreError::Random {
            path: self.target.clone(),
            message: e.to_string(),
        };
        let secret = random_hex::<32>().map_err(random_failed)?;
        let digest = Sha256::digest(secret.as_bytes()).to_vec();
        let id = loop {
            let id = random_hex::<6>().map_err(random_failed)?;
            let n = tx
                .execute(
                    "INSERT INTO api_keys (id, org, label, secret_sha256, created_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
                    &[&id, &org.as_str(), &label, &digest, &now],
                )
                .map_err(self.err("cannot write a key"))?;
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
}

impl TenantRegistry for PostgresTenants {
    fn location(&self) -> String {
        self.target.clone()
    }

    fn create_org(&mut self, name: &str) -> Result<(Organisation, NewKey), StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(self.invalid("an organisation name cannot be empty"));
        }
        check_text(name).map_err(|what| self.invalid(what))?;
        let now = now_ms();
        let mut client = self.client()?;
        let mut tx = client
            .transaction()
            .map_err(self.err("cannot begin a change"))?;
        // Two processes making the same name at once: one waits for the other's commit, then
        // finds the name taken.
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext('aegis-tenants:' || lower($1)))",
            &[&name],
        )
        .map_err(self.err("cannot begin a change"))?;
        let taken = tx
            .query_opt(
                "SELECT id FROM orgs WHERE lower(name) = lower($1)",
                &[&name],
            )
            .map_err(self.err("cannot read organisations"))?;
        if let Some(row) = taken {
            return Err(StoreError::OrgNameTaken {
                path: self.target.clone(),
                existing: self.org_id(row.get(0))?,
            });
        }
        let id = loop {
            let id = OrgId::random().map_err(|e| StoreError::Random {
                path: self.target.clone(),
                message: e.to_string(),
            })?;
            let n = tx
                .execute(
                    "INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (id) DO NOTHING",
                    &[&id.as_str(), &name, &now],
                )
                .map_err(self.err("cannot write an organisation"))?;
            if n == 1 {
                break id;
            }
        };
        let key = self.insert_key(&mut tx, &id, INITIAL_KEY_LABEL, now)?;
        tx.commit().map_err(self.err("cannot commit a change"))?;
        Ok((
            Organisation {
                id,
                name: name.to_owned(),
                created_at_ms: now,
            },
            key,
        ))
    }

    fn orgs(&self) -> Result<Vec<Organisation>, StoreError> {
        let rows = self
            .client()?
            .query("SELECT id, name, created_at FROM orgs ORDER BY seq", &[])
            .map_err(self.err("cannot read organisations"))?;
        rows.iter()
            .map(|r| {
                Ok(Organisation {
                    id: self.org_id(r.get(0))?,
                    name: r.get(1),
                    created_at_ms: r.get(2),
                })
            })
            .collect()
    }

    fn org(&self, id_or_name: &str) -> Result<Option<Organisation>, StoreError> {
        let row = self
            .client()?
            .query_opt(
                "SELECT id, name, created_at FROM orgs WHERE id = $1 OR lower(name) = lower($2) \
                 ORDER BY id = $1 DESC LIMIT 1",
                &[&id_or_name, &id_or_name.trim()],
            )
            .map_err(self.err("cannot read organisations"))?;
        row.map(|r| {
            Ok(Organisation {
                id: self.org_id(r.get(0))?,
                name: r.get(1),
                created_at_ms: r.get(2),
            })
        })
        .transpose()
    }

    fn create_key(&mut self, org: &OrgId, label: &str) -> Result<NewKey, StoreError> {
        let label = label.trim();
        check_text(label).map_err(|what| self.invalid(what))?;
        let now = now_ms();
        let mut client = self.client()?;
        let mut tx = client
            .transaction()
            .map_err(self.err("cannot begin a change"))?;
        let exists = tx
            .query_opt("SELECT 1 FROM orgs WHERE id = $1", &[&org.as_str()])
            .map_err(self.err("cannot read organisations"))?
            .is_some();
        if !exists {
            return Err(StoreError::NoSuchOrg {
                path: self.target.clone(),
                org: org.clone(),
            });
        }
        let key = self.insert_key(&mut tx, org, label, now)?;
        tx.commit().map_err(self.err("cannot commit a change"))?;
        Ok(key)
    }

    fn keys(&self, org: Option<&OrgId>) -> Result<Vec<KeyInfo>, StoreError> {
        let rows = self
            .client()?
            .query(
                &format!(
                    "SELECT {KEY_COLUMNS} FROM api_keys WHERE $1::text IS NULL OR org = $1 \
                     ORDER BY created_at, id"
                ),
                &[&org.map(OrgId::as_str)],
            )
            .map_err(self.err("cannot read keys"))?;
        rows.iter().map(|r| self.key_info(r)).collect()
    }

    fn key(&self, key_id: &str) -> Result<Option<KeyInfo>, StoreError> {
        let row = self
            .client()?
            .query_opt(
                &format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = $1"),
                &[&key_id],
            )
            .map_err(self.err("cannot read keys"))?;
        row.map(|r| self.key_info(&r)).transpose()
    }

    fn revoke_key(&mut self, key_id: &str) -> Result<bool, StoreError> {
        let now = now_ms();
        self.client()?
            .execute(
                "UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1",
                &[&key_id, &now],
            )
            .map(|n| n > 0)
            .map_err(self.err("cannot revoke a key"))
    }

    fn authenticate(&self, bearer: &str) -> Result<Option<OrgId>, StoreError> {
        let Some((key_id, secret)) = parse_token(bearer) else {
            return Ok(None);
        };
        let mut client = self.client()?;
        let row = client
            .query_opt(
                "SELECT org, secret_sha256, revoked_at, last_used FROM api_keys WHERE id = $1",
                &[&key_id],
            )
            .map_err(self.err("cannot read keys"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let stored: Vec<u8> = row.get(1);
        let revoked_at: Option<i64> = row.get(2);
        let last_used: Option<i64> = row.get(3);
        if !key_admits(secret, &stored, revoked_at) {
            return Ok(None);
        }
        let org = self.org_id(row.get(0))?;
        let now = now_ms();
        if last_used_due(last_used, now)
            && let Err(e) = client.execute(
                "UPDATE api_keys SET last_used = $2 WHERE id = $1",
                &[&key_id, &now],
            )
        {
            tracing::warn!(key = key_id, error = %e, "cannot record when an API key was last used");
        }
        Ok(Some(org))
    }
}
