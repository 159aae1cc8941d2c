//! What the detector finds, class by class, and what it leaves alone; what the engine puts in
//! place of it.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use aegis_core::{PhiClass, PhiMode, SanitizeReport};
use aegis_phi::{Detector, PhiEngine, PhiKey, Vault, all_classes};

fn found(text: &str) -> Vec<(PhiClass, &str)> {
    Detector::new()
        .unwrap()
        .detect(text)
        .into_iter()
        .map(|d| (d.class, &text[d.start..d.end]))
        .collect()
}

fn assert_finds(text: &str, class: PhiClass, what: &str) {
    let f = found(text);
    assert!(
        f.iter().any(|(c, s)| *c == class && *s == what),
        "expected {class} `{what}` in {text:?}; found {f:?}"
    );
}

#[test]
fn every_safe_harbor_class_that_occurs_in_text_is_found() {
    use PhiClass::*;
    assert_finds("Seen today: Mrs. Okonkwo-Bailey.", Name, "Okonkwo-Bailey");
    assert_finds(
        "Patient Jürgen Kowalczyk was admitted.",
        Name,
        "Jürgen Kowalczyk",
    );
    assert_finds(
        "She lives at 742 Evergreen Terrace, Springfield, IL 62704.",
        StreetAddress,
        "742 Evergreen Terrace",
    );
    assert_finds(
        "She lives at 742 Evergreen Terrace, Springfield, IL 62704.",
        City,
        "Springfield",
    );
    assert_finds(
        "She lives at 742 Evergreen Terrace, Springfield, IL 62704.",
        PostalCode,
        "62704",
    );
    assert_finds(
        "Adresse: Hauptstraße 12, 10115 Berlin.",
        StreetAddress,
        "Hauptstraße 12",
    );
    assert_finds("Adresse: Hauptstraße 12, 10115 Berlin.", City, "Berlin");
    assert_finds("He was born in Walkertown.", City, "Walkertown");
    assert_finds(
        "Admitted on 03/14/2021 and again March 2, 2022.",
        Date,
        "03/14/2021",
    );
    assert_finds(
        "Admitted on 03/14/2021 and again March 2, 2022.",
        Date,
        "March 2, 2022",
    );
    assert_finds("A 94-year-old woman.", Age, "94");
    assert_finds("Call (555) 867-5309 today.", Phone, "(555) 867-5309");
    assert_finds("Fax: +44 20 7946 0958.", Fax, "+44 20 7946 0958");
    assert_finds(
        "Mail jane_doe@example.com now.",
        Email,
        "jane_doe@example.com",
    );
    assert_finds("SSN 219-09-9999 on file.", Ssn, "219-09-9999");
    assert_finds("MRN: 00482913.", Mrn, "00482913");
    assert_finds("Member ID XGH4471923 (Aetna).", HealthPlan, "XGH4471923");
    assert_finds(
        "Card 4111 1111 1111 1111 was charged.",
        Account,
        "4111 1111 1111 1111",
    );
    assert_finds(
        "Refund to IBAN DE89 3704 0044 0532 0130 00.",
        Account,
        "DE89 3704 0044 0532 0130 00",
    );
    assert_finds("DEA number AB1234563.", License, "AB1234563");
    assert_finds(
        "Vehicle VIN 1HGCM82633A004352.",
        Vehicle,
        "1HGCM82633A004352",
    );
    assert_finds("Arrived by car (plate KP 874DL).", Vehicle, "KP 874DL");
    assert_finds("Pump serial SN-4F2A9C01 replaced.", Device, "SN-4F2A9C01");
    assert_finds("Device MAC 00:1A:2B:3C:4D:5E.", Device, "00:1A:2B:3C:4D:5E");
    assert_finds(
        "Portal: https://mychart.example.org/u/8812.",
        Url,
        "https://mychart.example.org/u/8812",
    );
    assert_finds(
        "Login from 192.168.10.44 and 2001:db8::8a2e:370:7334.",
        IpAddress,
        "192.168.10.44",
    );
    assert_finds(
        "Login from 192.168.10.44 and 2001:db8::8a2e:370:7334.",
        IpAddress,
        "2001:db8::8a2e:370:7334",
    );
    assert_finds(
        "Fingerprint template FP-88321-A enrolled.",
        Biometric,
        "FP-88321-A",
    );
    assert_finds("Case number 2023-CV-004471 is open.", Id, "2023-CV-004471");
    // Chat text in lower case, after a phrase that introduces a name.
    assert_finds(
        "hi my name is john smith and my dob is 3/4/1980",
        Name,
        "john smith",
    );
    assert_finds(
        "i'm maria lopez, can i take ibuprofen?",
        Name,
        "maria lopez",
    );
    assert_finds("my name's anna. call me jo.", Name, "anna");
    // Scripts without capitals: a short word that starts with a common family name.
    assert_finds("Patient 王秀英 was admitted overnight.", Name, "王秀英");
    assert_finds(
        "Referred by Dr. 佐藤 太郎 from the clinic.",
        Name,
        "佐藤 太郎",
    );
    assert_finds("Guardian 김민준 signed the consent.", Name, "김민준");
    assert_finds(
        "Seen with her daughter Nguyễn Thị Hương today.",
        Name,
        "Nguyễn Thị Hương",
    );
}

#[test]
fn clinical_facts_are_not_phi() {
    for text in [
        "Metformin 500 mg twice daily; lisinopril 10mg once daily.",
        "HbA1c 7.2%, potassium 4.1 mmol/L, creatinine 1.3 mg/dL, WBC 11.2 x10^9/L.",
        "BP 128/82 mmHg, HR 88 bpm, T 38.2 °C, SpO2 94%.",
        "Diagnoses: E11.9, I10 and J45.909.",
        "A 45-year-old man, diagnosed in 2019. Take 1/2 tablet at night.",
        "Warfarin 5 mg; INR 2.4. Continue Aspirin 81 mg.",
        "i am tired and my head hurts. i'm fine. i'm allergic to penicillin. named after the drug.",
    ] {
        assert_eq!(found(text), vec![], "{text}");
    }
}

#[test]
fn checks_reject_numbers_that_only_look_like_identifiers() {
    // Luhn fails, SSN area 666, not an IPv4.
    for text in [
        "Ref 4111 1111 1111 1112 was charged.",
        "Lot 666-12-3456 expires soon.",
        "Version 300.1.2.999 shipped.",
    ] {
        let f = found(text);
        assert!(
            !f.iter()
                .any(|(c, _)| matches!(c, PhiClass::Account | PhiClass::Ssn | PhiClass::IpAddress)),
            "{text}: {f:?}"
        );
    }
}

fn engine(pass: &str) -> PhiEngine {
    PhiEngine::new(PhiKey::from_config(pass).unwrap()).unwrap()
}

fn sanitize(e: &PhiEngine, text: &str, mode: PhiMode, subject: &str) -> String {
    let mut report = SanitizeReport::default();
    e.sanitize_text(text, &all_classes(mode), subject, &mut report)
}

#[test]
fn pseudonyms_are_consistent_under_one_key_and_differ_under_another() {
    let text = "Mrs. Alvarez called from 555-867-5309; Mrs. Alvarez's SSN is 219-09-9999.";
    let a = engine("organisation A secret key");
    let b = engine("organisation B secret key");
    let once = sanitize(&a, text, PhiMode::Pseudonymize, "p1");
    assert_eq!(once, sanitize(&a, text, PhiMode::Pseudonymize, "p1"));
    assert_ne!(once, sanitize(&b, text, PhiMode::Pseudonymize, "p1"));
    assert!(!once.contains("Alvarez") && !once.contains("867-5309") && !once.contains("219-09"));
    // The same name gets the same pseudonym both times it occurs.
    let names: Vec<&str> = once
        .match_indices("Mrs. ")
        .map(|(i, _)| once[i + 5..].split([' ', '\'']).next().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert_eq!(names[0], names[1]);
    // Format-preserving: a phone stays phone-shaped, an SSN SSN-shaped (in the never-issued 9xx area).
    let phone = once
        .split("from ")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    assert!(
        regex::Regex::new(r"^\d{3}-\d{3}-\d{4}$")
            .unwrap()
            .is_match(phone),
        "{phone}"
    );
    let ssn = once.split("SSN is ").nth(1).unwrap().trim_end_matches('.');
    assert!(
        regex::Regex::new(r"^9\d{2}-\d{2}-\d{4}$")
            .unwrap()
            .is_match(ssn),
        "{ssn}"
    );
}

#[test]
fn one_subjects_dates_move_together_so_intervals_survive() {
    let e = engine("organisation A secret key");
    let out = sanitize(
        &e,
        "Admitted 2021-03-01, discharged 2021-03-15.",
        PhiMode::Pseudonymize,
        "patient 7",
    );
    let dates: Vec<&str> = regex::Regex::new(r"\d{4}-\d{2}-\d{2}")
        .unwrap()
        .find_iter(&out)
        .map(|m| m.as_str())
        .collect();
    assert_eq!(dates.len(), 2, "{out}");
    assert_ne!(dates[0], "2021-03-01");
    let day = |s: &str| {
        let p: Vec<i64> = s.split('-').map(|x| x.parse().unwrap()).collect();
        // Days since an epoch, good enough for dates in one year or two.
        p[0] * 372 + p[1] * 31 + p[2]
    };
    let _ = day;
    // Same subject, same offset: shifting the first date by 14 days gives the second.
    let first = sanitize(&e, "On 2021-03-01.", PhiMode::Pseudonymize, "patient 7");
    let second = sanitize(&e, "On 2021-03-15.", PhiMode::Pseudonymize, "patient 7");
    assert!(first.contains(dates[0]) && second.contains(dates[1]));
    // Another subject moves by another offset (with overwhelming probability).
    let other = sanitize(&e, "On 2021-03-01.", PhiMode::Pseudonymize, "patient 8");
    assert_ne!(first, other);
}

#[test]
fn redact_mask_and_hash_modes() {
    let e = engine("organisation A secret key");
    let text = "MRN 00482913, phone 555-867-5309.";
    assert_eq!(
        sanitize(&e, text, PhiMode::Redact, ""),
        "MRN [MRN], phone [PHONE]."
    );
    assert_eq!(
        sanitize(&e, text, PhiMode::Mask, ""),
        "MRN ********, phone ***-***-****."
    );
    let hashed = sanitize(&e, text, PhiMode::Hash, "");
    assert!(
        regex::Regex::new(r"^MRN <MRN:[0-9a-f]{16}>, phone <PHONE:[0-9a-f]{16}>\.$")
            .unwrap()
            .is_match(&hashed),
        "{hashed}"
    );
    assert_eq!(hashed, sanitize(&e, text, PhiMode::Hash, "other subject"));
}

#[test]
fn the_vault_reverses_pseudonyms_only_with_the_key() {
    let key = PhiKey::from_config("organisation A secret key").unwrap();
    let e = PhiEngine::new(key.clone())
        .unwrap()
        .with_vault(Vault::new());
    let text = "Mrs. Alvarez (MRN 00482913) called from 555-867-5309.";
    let out = sanitize(&e, text, PhiMode::Pseudonymize, "p1");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("map.vault");
    e.save_vault(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    for raw in ["Alvarez", "00482913", "867-5309"] {
        assert!(
            !bytes.windows(raw.len()).any(|w| w == raw.as_bytes()),
            "{raw} in the vault file"
        );
    }
    let vault = Vault::load(&path, &key).unwrap();
    assert_eq!(vault.reidentify(&out), text);
    let wrong = PhiKey::from_config("organisation B secret key").unwrap();
    assert!(Vault::load(&path, &wrong).is_err());
}

/// Every drug and condition of the healthcare tables, capitalised the ways clinical text does.
#[test]
fn drug_and_condition_names_from_the_healthcare_tables_are_not_phi() {
    let column = |csv: &str| -> Vec<String> {
        csv.lines()
            .skip(1)
            .filter_map(|l| l.split(',').next())
            .map(|s| s.trim_matches('"').to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let cap = |s: &str| {
        let mut c = s.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect::<String>())
            .unwrap_or_default()
    };
    let detector = Detector::new().unwrap();
    let mut flagged = Vec::new();
    for drug in column(include_str!("../../domains/healthcare/tables/drugs.csv")) {
        let d = cap(&drug);
        let text = format!(
            "{d} 500 mg twice daily. Started {d} 10 mg yesterday; continue {} 5 mg. Patient takes {d} and {d}.",
            drug.to_uppercase()
        );
        if !detector.detect(&text).is_empty() {
            flagged.push(text);
        }
    }
    for condition in column(include_str!(
        "../../domains/healthcare/tables/conditions.csv"
    )) {
        let c = cap(&condition);
        let text = format!("{c} was diagnosed. History of {c}. Seen for {c} in Cardiology.");
        if !detector.detect(&text).is_empty() {
            flagged.push(text);
        }
    }
    assert!(flagged.is_empty(), "flagged as PHI: {flagged:#?}");
}

/// Arbitrary text — digits, separators, letters with accents, Han, Hangul, emoji, combining
/// marks, line breaks, the pieces identifiers are made of — never makes detection or any mode of
/// replacement panic, and replacement keeps valid UTF-8 around every finding.
#[test]
fn arbitrary_text_never_panics() {
    const PIECES: &[&str] = &[
        "0",
        "7",
        "42",
        "555",
        "-",
        ".",
        "/",
        ":",
        "@",
        "(",
        ")",
        "+",
        " ",
        "  ",
        "\n",
        ",",
        "'",
        "#",
        "Dr.",
        "Mrs",
        "Smith",
        "van",
        "der",
        "Straße",
        "É",
        "é",
        "ñ",
        "王",
        "佐藤",
        "김",
        "あ",
        "🙂",
        "e\u{301}",
        "MRN",
        "SSN",
        "fax",
        "plate",
        "DOB",
        "March",
        "14th",
        "2021",
        "Apt",
        "St",
        "Street",
        "ul.",
        "Via",
        "http://",
        "www.",
        ".com",
        "::",
        "ff",
        "A1",
        "x",
        "mg",
        "1/2",
        "\u{200b}",
        "\t",
        "\"name\": \"",
        "\"",
    ];
    let detector = Detector::new().unwrap();
    let e = engine("arbitrary text test key");
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..3_000 {
        let mut text = String::new();
        let n = (state % 40) as usize + 1;
        for _ in 0..n {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
        }
        for d in detector.detect(&text) {
            assert!(
                text.is_char_boundary(d.start) && text.is_char_boundary(d.end),
                "{text:?}"
            );
            assert!(d.start < d.end && d.end <= text.len());
        }
        for mode in [
            PhiMode::Pseudonymize,
            PhiMode::Redact,
            PhiMode::Mask,
            PhiMode::Hash,
        ] {
            let _ = sanitize(&e, &text, mode, "s");
        }
    }
}

/// Long runs that keep many patterns alive (`0.1.2.3…`, `a.b.c…`, `A1-A1-…`) are read in one
/// pass each: every pattern's repetitions are bounded, so no candidate rescans the run.
#[test]
fn long_adversarial_runs_are_read_through() {
    let detector = Detector::new().unwrap();
    let digits: Vec<String> = (0..40_000).map(|i| (i % 10).to_string()).collect();
    let letters: Vec<String> = (0..40_000)
        .map(|i| char::from(b'a' + (i % 26) as u8).to_string())
        .collect();
    for text in [
        digits.join("."),
        letters.join("."),
        vec!["A1"; 20_000].join("-"),
        format!("{}@", "a".repeat(100_000)),
    ] {
        for d in detector.detect(&text) {
            assert!(d.end <= text.len());
        }
    }
}

#[test]
fn structured_values_are_sanitised_by_field_name_at_any_depth() {
    let e = engine("organisation A secret key");
    let mut v = serde_json::json!({
        "model": "gpt-x-2024-05-13",
        "metadata": { "started_at": "2024-05-13T10:00:00Z" },
        "domain_data": {
            "patient": { "name": "Jane Doe", "mrn": 12345678, "ssn": 123456789, "phone": "٥٥٥١٢٣٤٥٦٧" },
            "medications": [{ "name": "Metformin", "dose_mg": 500 }],
            "visit": { "started_at": "Jane Doe, 2021-03-04" },
            "Quenby Hallowell": { "note": "a key can be PHI" }
        }
    });
    let mut report = SanitizeReport::default();
    e.sanitize_value(
        &mut v,
        None,
        &all_classes(PhiMode::Redact),
        "s",
        &mut report,
    );
    let text = v.to_string();
    for raw in [
        "Jane",
        "12345678",
        "123456789",
        "٥٥٥",
        "Quenby",
        "2021-03-04",
    ] {
        assert!(!text.contains(raw), "{raw} left in {text}");
    }
    // Fields that are never PHI stay at the top level and in `metadata`; clinical names stay.
    assert_eq!(v["model"], "gpt-x-2024-05-13");
    assert_eq!(v["metadata"]["started_at"], "2024-05-13T10:00:00Z");
    assert_eq!(v["domain_data"]["medications"][0]["name"], "Metformin");
    assert_eq!(v["domain_data"]["medications"][0]["dose_mg"], 500);
    assert_eq!(v["domain_data"]["patient"]["mrn"], "[MRN]");
}

#[test]
fn trace_ids_with_identifiers_become_distinct_pseudonyms_in_every_mode() {
    use aegis_core::tiers::Sanitizer;
    let e = engine("organisation A secret key");
    let settings = all_classes(PhiMode::Redact);
    let ids: Vec<String> = ["jane.doe@example.com", "john.roe@example.com", "trace-7"]
        .iter()
        .map(|id| {
            let mut t: aegis_core::Trace =
                serde_json::from_value(serde_json::json!({ "id": id, "output": "ok" })).unwrap();
            e.sanitize(&mut t, &settings);
            t.id.unwrap()
        })
        .collect();
    assert!(ids[0].starts_with("trace-") && ids[0] != ids[1], "{ids:?}");
    assert!(!ids[0].contains("jane") && !ids[1].contains("john"));
    assert_eq!(ids[2], "trace-7", "an id without identifiers stays");
}

#[test]
fn vault_entries_never_show_originals_in_debug() {
    let mut v = Vault::new();
    v.record("Ellis Carter", PhiClass::Name, "Jane Doe");
    let shown = format!("{v:?} {:?}", v.original("Ellis Carter"));
    assert!(!shown.contains("Jane"), "{shown}");
}

/// An eponym is no person and no place: a name before its head (`St John's wort`, `Bell's
/// palsy`), in any case, while a saint's name that is a place (`St Albans`) still is one.
#[test]
fn eponyms_are_neither_people_nor_places() {
    let detector = Detector::new().unwrap();
    for text in [
        "Take St John's wort daily.",
        "continue ST JOHN'S WORT 5 mg.",
        "Diagnosed with BELL'S PALSY in 2019.",
        "Bell's palsy resolved.",
    ] {
        assert!(
            detector.detect(text).is_empty(),
            "{text}: {:?}",
            detector.detect(text)
        );
    }
    assert!(!detector.detect("Moved to St Albans last year.").is_empty());
}

/// A text scanned clean is kept and not scanned again (an application's system prompt in
/// every trace); what is kept is only ever a text with nothing to replace, per set of classes.
#[test]
fn texts_found_clean_are_remembered_per_class_set_and_never_hide_an_identifier() {
    use aegis_core::{PhiClasses, PhiSettings};
    let engine =
        PhiEngine::new(PhiKey::from_config("a key for the clean-text test").unwrap()).unwrap();
    let all = all_classes(PhiMode::Redact);
    let prompt = "You are a clinical decision-support assistant for licensed clinicians. \
                  Answer concisely and cite the usual adult dosing.";
    for _ in 0..3 {
        let mut report = SanitizeReport::default();
        assert_eq!(engine.sanitize_text(prompt, &all, "s", &mut report), prompt);
        assert_eq!(report.total(), 0);
    }
    // A text with a name, first seen by a setting that does not detect names (kept as clean
    // for that setting), is still found by one that does, every time.
    let named = "Please forward the discharge summary of Margaret Okonkwo-Bailey to the \
                 cardiology clinic before Friday.";
    let no_names = PhiSettings {
        classes: PhiClasses::of(&[PhiClass::Email]),
        ..all_classes(PhiMode::Redact)
    };
    let mut report = SanitizeReport::default();
    assert_eq!(
        engine.sanitize_text(named, &no_names, "s", &mut report),
        named
    );
    for _ in 0..3 {
        let mut report = SanitizeReport::default();
        let clean = engine.sanitize_text(named, &all, "s", &mut report);
        assert!(!clean.contains("Okonkwo"), "{clean}");
        assert!(report.total() >= 1);
    }
}
