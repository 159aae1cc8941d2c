//! The tenant registry: organisations, API keys, authentication, and no secret on disk or in
//! anything printed.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

mod support;

use aegis_store::{OrgId, PostgresTenants, StoreError, TenantRegistry, Tenants};

/// A new, empty registry of each kind there is: SQLite always, PostgreSQL when the tests have
/// a server (in a schema of its own, dropped with the place).
fn registries() -> Vec<(Box<dyn TenantRegistry>, support::Place)> {
    support::places()
        .into_iter()
        .map(|place| {
            eprintln!("registry: {}", place.name());
            let t: Box<dyn TenantRegistry> = match &place {
                support::Place::Sqlite { path, .. } => {
                    Box::new(Tenants::open(&path.with_file_name("tenants.db")).unwrap())
                }
                support::Place::Postgres { url, schema } => {
                    Box::new(PostgresTenants::open_in(url, schema).unwrap())
                }
            };
            (t, place)
        })
        .collect()
}

fn registry() -> (tempfile::TempDir, std::path::PathBuf, Tenants) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tenants.db");
    let tenants = Tenants::open(&path).unwrap();
    (dir, path, tenants)
}

/// The secret part of a token (after the key id).
fn secret_part(token: &str) -> &str {
    token.rsplit('_').next().unwrap()
}

#[test]
fn each_key_authenticates_as_its_own_organisation_and_nothing_else() {
    for (mut t, _place) in registries() {
        let (acme, acme_key) = t.create_org("Acme Health").unwrap();
        let (beta, beta_key) = t.create_org("Beta Clinic").unwrap();
        assert_ne!(acme.id, beta.id);
        assert!(acme.id.as_str().starts_with("org_"));
        assert_eq!(acme.id.as_str().len(), 20);
        assert_eq!(acme.name, "Acme Health");
        assert_eq!(acme_key.info.org, acme.id);
        assert_eq!(acme_key.info.label, "initial");

        // The token's shape: aegis_<12 hex>_<64 hex>, the key id in the middle.
        let token = &acme_key.secret;
        assert_eq!(token.len(), 6 + 12 + 1 + 64);
        assert!(token.starts_with("aegis_"));
        assert_eq!(&token[6..18], acme_key.info.id);
        assert_ne!(acme_key.secret, beta_key.secret);
        assert_ne!(secret_part(&acme_key.secret), secret_part(&beta_key.secret));

        assert_eq!(
            t.authenticate(&acme_key.secret).unwrap(),
            Some(acme.id.clone())
        );
        assert_eq!(
            t.authenticate(&beta_key.secret).unwrap(),
            Some(beta.id.clone())
        );

        // A second key of the same organisation.
        let second = t.create_key(&acme.id, "  ci runner  ").unwrap();
        assert_eq!(second.info.label, "ci runner");
        assert_eq!(
            t.authenticate(&second.secret).unwrap(),
            Some(acme.id.clone())
        );

        // The right key id with another secret (one digit changed, and another key's secret).
        let mut wrong = acme_key.secret.clone().into_bytes();
        let last = wrong.len() - 1;
        wrong[last] = if wrong[last] == b'0' { b'1' } else { b'0' };
        let wrong = String::from_utf8(wrong).unwrap();
        assert_eq!(t.authenticate(&wrong).unwrap(), None);
        let swapped = format!(
            "aegis_{}_{}",
            acme_key.info.id,
            secret_part(&beta_key.secret)
        );
        assert_eq!(t.authenticate(&swapped).unwrap(), None);
        // A well-formed token of a key that does not exist.
        let unknown = format!("aegis_000000000000_{}", secret_part(&acme_key.secret));
        assert_eq!(t.authenticate(&unknown).unwrap(), None);

        // Authenticating records when the key was used; listing shows it.
        let used = t.key(&acme_key.info.id).unwrap().unwrap();
        assert!(used.last_used_ms.unwrap() >= acme_key.info.created_at_ms);
        assert_eq!(t.key(&second.info.id).unwrap().unwrap().revoked_at_ms, None);
    }
}

#[test]
fn malformed_tokens_authenticate_nothing_and_are_not_errors() {
    for (mut t, _place) in registries() {
        let (_, key) = t.create_org("Acme").unwrap();
        let token = key.secret.clone();
        let huge = "a".repeat(1 << 20);
        let malformed = [
            String::new(),
            "aegis".to_owned(),
            "aegis_".to_owned(),
            "no underscores at all".to_owned(),
            huge,
            format!("Bearer {token}"),
            format!(" {token}"),
            format!("{token} "),
            format!("{token}\n"),
            token.to_uppercase(),
            token.replacen("aegis_", "aegiz_", 1),
            // The key id alone, and with an empty secret.
            format!("aegis_{}", key.info.id),
            format!("aegis_{}_", key.info.id),
            // Non-ASCII in place of one hex digit (so the byte length differs), and of the same byte
            // length (two-byte character in place of two digits).
            format!("{}é", &token[..token.len() - 1]),
            format!("{}é", &token[..token.len() - 2]),
            "aegis_ключ_секрет".to_owned(),
            "\u{0}".repeat(83),
        ];
        for m in &malformed {
            let got = t.authenticate(m);
            assert!(
                matches!(got, Ok(None)),
                "{:?} gave {got:?}",
                &m[..m.len().min(40)]
            );
        }
        assert!(t.authenticate(&token).unwrap().is_some());
    }
}

#[test]
fn a_revoked_key_authenticates_nothing_and_others_still_work() {
    for (mut t, _place) in registries() {
        let (org, first) = t.create_org("Acme").unwrap();
        let second = t.create_key(&org.id, "second").unwrap();
        assert!(t.authenticate(&first.secret).unwrap().is_some());

        assert!(t.revoke_key(&first.info.id).unwrap());
        assert_eq!(t.authenticate(&first.secret).unwrap(), None);
        assert_eq!(
            t.authenticate(&second.secret).unwrap(),
            Some(org.id.clone())
        );

        let revoked_at = t
            .key(&first.info.id)
            .unwrap()
            .unwrap()
            .revoked_at_ms
            .unwrap();
        // Revoking again: the key exists, and keeps its first revocation time.
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(t.revoke_key(&first.info.id).unwrap());
        assert_eq!(
            t.key(&first.info.id).unwrap().unwrap().revoked_at_ms,
            Some(revoked_at)
        );
        // No such key.
        assert!(!t.revoke_key("000000000000").unwrap());
        assert!(!t.revoke_key("").unwrap());
        // Listing shows both, one revoked.
        let keys = t.keys(Some(&org.id)).unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys.iter().filter(|k| k.revoked_at_ms.is_some()).count(), 1);
    }
}

#[test]
fn organisation_names_are_unique_trimmed_and_bounded() {
    for (mut t, _place) in registries() {
        let (acme, _) = t.create_org("  Acme  ").unwrap();
        assert_eq!(acme.name, "Acme");
        for dup in ["Acme", "acme", " ACME\t"] {
            match t.create_org(dup) {
                Err(StoreError::OrgNameTaken { existing, path: p }) => {
                    assert_eq!(existing, acme.id);
                    assert_eq!(p, t.location());
                }
                other => panic!("{dup:?}: {other:?}"),
            }
        }
        let message = t.create_org("acme").unwrap_err().to_string();
        assert!(message.contains("already taken"), "{message}");
        assert!(message.contains(acme.id.as_str()), "{message}");
        assert!(!message.to_lowercase().contains("acme "), "{message}");
        assert!(!message.contains("UNIQUE"), "{message}");

        for bad in ["", "   ", "a\u{7}b", "line\nbreak"] {
            assert!(
                matches!(t.create_org(bad), Err(StoreError::Invalid { .. })),
                "{bad:?}"
            );
        }
        let long = "n".repeat(101);
        let e = t.create_org(&long).unwrap_err();
        assert!(matches!(e, StoreError::Invalid { .. }), "{e:?}");
        assert!(!e.to_string().contains(&long));
        // 100 characters (not bytes) is the limit.
        let (hundred, _) = t.create_org(&"é".repeat(100)).unwrap();
        assert_eq!(hundred.name.chars().count(), 100);
        // Only the two made.
        assert_eq!(t.orgs().unwrap().len(), 2);

        // Labels follow the same rules, and an unknown organisation is named.
        assert!(matches!(
            t.create_key(&acme.id, &"l".repeat(101)),
            Err(StoreError::Invalid { .. })
        ));
        let ghost = OrgId::parse("org_ffffffffffffffff").unwrap();
        match t.create_key(&ghost, "x") {
            Err(e @ StoreError::NoSuchOrg { .. }) => {
                assert!(e.to_string().contains("org_ffffffffffffffff"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(t.keys(None).unwrap().len(), 2);
    }
}

#[test]
fn organisations_are_found_by_id_or_name() {
    for (mut t, _place) in registries() {
        let (acme, _) = t.create_org("Acme").unwrap();
        let (beta, _) = t.create_org("Beta").unwrap();
        assert_eq!(t.org(acme.id.as_str()).unwrap().unwrap(), acme);
        assert_eq!(t.org("beta").unwrap().unwrap(), beta);
        assert_eq!(t.org(" Beta ").unwrap().unwrap(), beta);
        assert_eq!(t.org("gamma").unwrap(), None);
        assert_eq!(t.org("").unwrap(), None);
        // An organisation named like another's id: the id wins.
        let (_, _) = t.create_org(beta.id.as_str()).unwrap();
        assert_eq!(t.org(beta.id.as_str()).unwrap().unwrap(), beta);
        let names: Vec<String> = t.orgs().unwrap().into_iter().map(|o| o.name).collect();
        assert_eq!(names[..2], ["Acme".to_owned(), "Beta".to_owned()]);
        // Keys by organisation.
        t.create_key(&acme.id, "more").unwrap();
        assert_eq!(t.keys(Some(&acme.id)).unwrap().len(), 2);
        assert_eq!(t.keys(Some(&beta.id)).unwrap().len(), 1);
        assert_eq!(t.keys(None).unwrap().len(), 4);
        assert!(
            t.keys(Some(&acme.id))
                .unwrap()
                .iter()
                .all(|k| k.org == acme.id)
        );
    }
}

#[test]
fn no_secret_is_listed_printed_or_written_to_the_file() {
    let (dir, path, mut t) = registry();
    let (org, key) = t.create_org("Acme").unwrap();
    let more = t.create_key(&org.id, "more").unwrap();
    assert!(t.authenticate(&key.secret).unwrap().is_some());

    let listed = t.keys(None).unwrap();
    let json = serde_json::to_string(&listed).unwrap();
    let debug = format!("{listed:?} {:?} {t:?}", t.orgs().unwrap());
    for k in [&key, &more] {
        let secret = secret_part(&k.secret);
        assert_eq!(secret.len(), 64);
        assert!(json.contains(&k.info.id), "the listing shows the key id");
        assert!(!json.contains(secret));
        assert!(!debug.contains(secret));
        // Nor the hash of the secret, in hex.
        let hash = aegis_core::digest::sha256_hex(secret.as_bytes());
        assert!(!json.contains(&hash) && !debug.contains(&hash));
    }
    // NewKey's Debug hides the token.
    let shown = format!("{key:?}");
    assert!(shown.contains("***"), "{shown}");
    assert!(!shown.contains(secret_part(&key.secret)), "{shown}");
    assert!(shown.contains(&key.info.id));

    // The file and its WAL hold no token or secret in any form that could be read back.
    drop(t);
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    assert!(bytes.len() > 4096, "the registry was written");
    let find = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(find(key.info.id.as_bytes()), "the key id is stored");
    for k in [&key, &more] {
        assert!(!find(k.secret.as_bytes()));
        assert!(!find(secret_part(&k.secret).as_bytes()));
        assert!(!find(secret_part(&k.secret).to_uppercase().as_bytes()));
    }
    let _ = path;
}

#[test]
fn reopening_the_registry_keeps_everything() {
    let (_dir, path, mut t) = registry();
    let (acme, acme_key) = t.create_org("Acme").unwrap();
    let (beta, beta_key) = t.create_org("Beta").unwrap();
    let revoked = t.create_key(&acme.id, "old").unwrap();
    t.revoke_key(&revoked.info.id).unwrap();
    let orgs = t.orgs().unwrap();
    let keys = t.keys(None).unwrap();
    drop(t);

    let mut t = Tenants::open(&path).unwrap();
    assert_eq!(t.orgs().unwrap(), orgs);
    assert_eq!(t.keys(None).unwrap(), keys);
    assert_eq!(t.authenticate(&acme_key.secret).unwrap(), Some(acme.id));
    assert_eq!(t.authenticate(&beta_key.secret).unwrap(), Some(beta.id));
    assert_eq!(t.authenticate(&revoked.secret).unwrap(), None);
    assert!(matches!(
        t.create_org("acme"),
        Err(StoreError::OrgNameTaken { .. })
    ));
    // The schema version is recorded.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, Tenants::schema_version());
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let e = Tenants::open(&path).unwrap_err().to_string();
    assert!(e.contains("schema version 99 is newer"), "{e}");
}

#[test]
fn a_revocation_by_another_process_is_seen_at_the_next_request() {
    let (_dir, path, mut admin) = registry();
    let (org, key) = admin.create_org("Acme").unwrap();
    let server = Tenants::open(&path).unwrap();
    assert_eq!(
        server.authenticate(&key.secret).unwrap(),
        Some(org.id.clone())
    );
    // A key made elsewhere works at once, and a revocation too.
    let fresh = admin.create_key(&org.id, "fresh").unwrap();
    assert_eq!(server.authenticate(&fresh.secret).unwrap(), Some(org.id));
    assert!(admin.revoke_key(&key.info.id).unwrap());
    assert_eq!(server.authenticate(&key.secret).unwrap(), None);
}

#[test]
fn authentication_works_from_several_threads() {
    let (_dir, _path, mut t) = registry();
    let made: Vec<_> = (0..4)
        .map(|i| t.create_org(&format!("org {i}")).unwrap())
        .collect();
    let t = Arc::new(t);
    let handles: Vec<_> = made
        .iter()
        .map(|(org, key)| {
            let t = Arc::clone(&t);
            let (id, token) = (org.id.clone(), key.secret.clone());
            std::thread::spawn(move || {
                for _ in 0..200 {
                    assert_eq!(t.authenticate(&token).unwrap(), Some(id.clone()));
                    assert_eq!(t.authenticate(&token[..token.len() - 1]).unwrap(), None);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn org_ids_refuse_path_characters_and_do_not_repeat_input() {
    for bad in ["../x", "a/b", ".", "..", "Org", "", "org-1", "org.1"] {
        let e = OrgId::parse(bad).unwrap_err().to_string();
        if bad.len() > 2 {
            assert!(!e.contains(bad), "{e}");
        }
        assert!(matches!(OrgId::parse(bad), Err(StoreError::InvalidOrgId)));
    }
    let id: OrgId = "org_0123456789abcdef".parse().unwrap();
    assert_eq!(id.to_string(), "org_0123456789abcdef");
    assert_eq!(
        serde_json::to_string(&id).unwrap(),
        "\"org_0123456789abcdef\""
    );
}
