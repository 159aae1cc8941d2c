//! Safe Harbor's exact line (45 CFR 164.514(b)(2)(i)): what Tier 0 must replace, and what it
//! must leave as it is — states, ages up to 89, years, clinical vocabulary, legal citations,
//! tickers and companies — each rule with its paragraph.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use aegis_core::{PhiClasses, PhiKeep, PhiMode, PhiSettings, SanitizeReport};
use aegis_phi::{PhiEngine, PhiKey, all_classes};

fn engine() -> PhiEngine {
    PhiEngine::new(PhiKey::from_config(&"07".repeat(32)).unwrap()).unwrap()
}

fn sanitize_with(text: &str, settings: &PhiSettings) -> String {
    engine().sanitize_text(text, settings, "subject", &mut SanitizeReport::default())
}

fn redact(text: &str) -> String {
    sanitize_with(text, &all_classes(PhiMode::Redact))
}

/// Each text comes back exactly as it went in (every class detected, pseudonyms).
fn assert_untouched(texts: &[&str]) {
    let settings = all_classes(PhiMode::Pseudonymize);
    for text in texts {
        assert_eq!(
            &sanitize_with(text, &settings),
            text,
            "Tier 0 changed {text:?}"
        );
    }
}

#[test]
fn states_stay_and_smaller_places_go() {
    // (b)(2)(i)(B): "All geographic subdivisions smaller than a State".
    assert_untouched(&[
        "Moved from Mississippi to Georgia in 2019.",
        "A rancher in Montana with a cough.",
        "Not automatically. In New York, as everywhere in the United States, the rule applies.",
        "She grew up in West Virginia and now lives in New Mexico.",
        "Travel to Florida last month; licensed in NY.",
    ]);
    let out = redact("He lives in Jackson, Mississippi 39201 with his wife.");
    assert!(
        out.contains("[CITY]") && out.contains("Mississippi"),
        "{out}"
    );
    assert!(!out.contains("Jackson") && !out.contains("39201"), "{out}");
}

#[test]
fn ages_up_to_89_stay_and_older_ones_become_90() {
    // (b)(2)(i)(C): "all ages over 89 ... aggregated into a single category of age 90 or older".
    assert_untouched(&[
        "A 67-year-old woman, aged 45 at diagnosis.",
        "Age 89, in her 80s, 84 yo.",
    ]);
    let out = sanitize_with(
        "A 93-year-old man, aged 101.",
        &all_classes(PhiMode::Pseudonymize),
    );
    assert_eq!(out, "A 90-year-old man, aged 90.");
}

#[test]
fn a_year_alone_stays_and_a_dates_year_stays_only_where_the_spec_asks() {
    // (b)(2)(i)(C): "All elements of dates (except year)".
    assert_untouched(&["Diagnosed in 2019; CABG (2015); on apixaban since 2008."]);
    let text = "Admitted 03/14/2019, discharged 14 March 2019.";
    assert_eq!(redact(text), "Admitted [DATE], discharged [DATE].");
    let keep_year = |mode| PhiSettings {
        keep: PhiKeep {
            year: true,
            zip3: false,
        },
        ..all_classes(mode)
    };
    assert_eq!(
        sanitize_with(text, &keep_year(PhiMode::Redact)),
        "Admitted [DATE 2019], discharged [DATE 2019]."
    );
    assert_eq!(
        sanitize_with(text, &keep_year(PhiMode::Mask)),
        "Admitted **/**/2019, discharged ** ***** 2019."
    );
    // Pseudonyms shift the whole date: the year is not kept there.
    let shifted = sanitize_with(text, &keep_year(PhiMode::Pseudonymize));
    assert!(!shifted.contains("03/14/2019"), "{shifted}");
}

#[test]
fn a_zip_codes_first_three_digits_stay_only_where_the_spec_asks() {
    // (b)(2)(i)(B)(1)-(2): the initial three digits, if the area they make holds more than
    // 20,000 people; else `000`.
    let text = "ZIP code 62704; zip 03601-1234.";
    assert_eq!(redact(text), "ZIP code [POSTAL_CODE]; zip [POSTAL_CODE].");
    let zip3 = PhiSettings {
        keep: PhiKeep {
            year: false,
            zip3: true,
        },
        ..all_classes(PhiMode::Pseudonymize)
    };
    assert_eq!(sanitize_with(text, &zip3), "ZIP code 627**; zip 000**.");
}

#[test]
fn eponyms_are_no_people() {
    assert_untouched(&[
        "Homans' sign negative. Barrett's esophagus on EGD. Hashimoto's thyroiditis.",
        "Wernicke encephalopathy suspected. Apgar 8 and 9.",
        "Positive Murphy sign, Kernig and Brudzinski negative, Romberg positive.",
        "Parkinson's disease since 2008. Whipple procedure in 2015. Foley catheter placed.",
        "BELL'S PALSY. St John's wort interacts with sertraline.",
    ]);
    // A title or a cue still makes a person of the same surname.
    for (text, name) in [
        ("Seen by Dr. Murphy today.", "Murphy"),
        ("Mrs. Barrett called about her results.", "Barrett"),
        ("Patient Parkinson reports a fall.", "Parkinson"),
    ] {
        let out = redact(text);
        assert!(!out.contains(name), "{name} kept in {out:?}");
    }
}

#[test]
fn clinical_and_billing_codes_are_no_identifiers() {
    assert_untouched(&[
        "Billed CPT 99213, 93000 and 80053; HCPCS G0439.",
        "ICD-10 E11.9 and I10; ICD-10-PCS 0DTJ4ZZ.",
        "NDC 0002-1433-80; LOINC 4548-4 and 2345-7.",
        "E/M code 99223; procedure code 45378.",
    ]);
    // The same numbers after an identifier's cue are identifiers.
    let out = redact("MRN 99213; call 555-201-3344.");
    assert!(
        !out.contains("99213") && !out.contains("555-201-3344"),
        "{out}"
    );
}

#[test]
fn drug_products_are_no_people() {
    assert_untouched(&[
        "Take two Tylenol Extra Strength every 6 hours.",
        "Advil Liqui-Gels, Motrin IB, Zoloft 50 mg daily.",
        "Ozempic 0.5 mg weekly; Eliquis 5 mg twice daily.",
    ]);
}

#[test]
fn legal_citations_stay_while_the_client_is_found() {
    let legal = PhiSettings {
        classes: PhiClasses::ALL,
        mode: PhiMode::Redact,
        subject_field: None,
        keep: PhiKeep::default(),
    };
    let text = "Under Brown v. Board of Education, 347 U.S. 483 (1954), Fed. R. Civ. P. \
                12(b)(6) and 42 U.S.C. § 2000e-2(a), my client John Whitaker may sue; see \
                Berghuis v. Thompkins, 560 U.S. 370 (2010), and Iqbal, 556 U.S. at 678. In \
                Miranda v. Arizona, the Supreme Court held otherwise.";
    let out = sanitize_with(text, &legal);
    for kept in [
        "Brown v. Board of Education, 347 U.S. 483 (1954)",
        "Fed. R. Civ. P. 12(b)(6)",
        "42 U.S.C. § 2000e-2(a)",
        "Berghuis v. Thompkins, 560 U.S. 370 (2010)",
        "Iqbal, 556 U.S. at 678",
        "Miranda v. Arizona",
        "the Supreme Court",
    ] {
        assert!(out.contains(kept), "`{kept}` rewritten: {out}");
    }
    assert!(
        out.contains("my client [NAME] may") && !out.contains("Whitaker"),
        "{out}"
    );
}

#[test]
fn tickers_and_companies_named_for_people_are_no_people() {
    assert_untouched(&[
        "Morgan Stanley and Goldman Sachs upgraded Ford Motor (F) and Johnson & Johnson (JNJ).",
        "Procter & Gamble fell; Eli Lilly and Company beat estimates; Dell (DELL) rose.",
        "Buy KO and sell TSLA; HOOD, COIN and $AAPL closed higher.",
        "Charles Schwab Corporation reported; Tesla shares slid.",
    ]);
    let out = redact("Customer Linda Park bought 100 HOOD.");
    assert_eq!(out, "Customer [NAME] bought 100 HOOD.");
}

#[test]
fn the_tiers_after_tier_0_read_each_pseudonym_as_its_class() {
    use aegis_core::{Pseudonym, Sanitized, Trace};
    let trace = Trace {
        input: "Mrs. Quenby Hallowell, DOB 03/14/1951, asks about warfarin.".into(),
        output: "Mrs. Hallowell, call (555) 867-5309. Will Hallowell help?".into(),
        // A list a trace brings is never taken: it would hide its words from the rules.
        pseudonyms: vec![Pseudonym {
            text: "warfarin".into(),
            class: aegis_core::PhiClass::Name,
        }],
        ..Trace::default()
    };
    let (sanitized, _) = Sanitized::sanitize(trace, &engine(), &all_classes(PhiMode::Pseudonymize));
    assert!(!sanitized.pseudonyms.iter().any(|p| p.text == "warfarin"));
    assert!(!sanitized.pseudonyms.is_empty());
    let view = sanitized.evaluation_view();
    assert_eq!(view.input, "Mrs. [NAME], DOB [DATE], asks about warfarin.");
    assert!(
        view.output.starts_with("Mrs. [NAME], call [PHONE]."),
        "{}",
        view.output
    );
    // The stored text keeps its pseudonyms.
    assert!(!sanitized.input.contains("[NAME]"));
}

#[test]
fn the_clients_own_caption_is_no_citation() {
    // A decided case is cited with its reporter, or by its parties' surnames; the client's own
    // matter comes with a docket number, under a heading, or with a party's full name.
    for (text, name) in [
        (
            "Re: United States v. Hannah B. Bauer, No. 3:25-cr-00653",
            "Bauer",
        ),
        (
            "Dmitri P. Jackson v. Monique Sullivan, No. 4:23-cv-00841 (C.D. Cal.)",
            "Sullivan",
        ),
        ("DEADLINE ALERT: Connor Walsh v. Redwood Analytics", "Walsh"),
    ] {
        let out = redact(text);
        assert!(!out.contains(name), "{name} kept in {out:?}");
    }
    assert_untouched(&[
        "Dear Counsel: we request all Brady material; Miranda warnings were given.",
        "A Terry stop; the Sarbanes-Oxley Act; an Allen charge; Chevron deference.",
        "In Miranda v. Arizona, the Supreme Court required warnings.",
        "See Hadley v. Baxendale. Palsgraf v. Long Island R.R. Co., 248 N.Y. 339 (1928), is the classic.",
    ]);
}
