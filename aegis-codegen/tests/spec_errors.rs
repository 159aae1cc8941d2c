//! Every kind of spec error is reported at its `file:line:col` with the offending text, and
//! every error of a spec is reported at once.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A spec in a fresh directory, with a small drugs table next to it. A spec that does not say
/// whether its traces carry PHI gets `detect: none` (with its reason) at its end, where it
/// moves no line of the spec.
fn write_spec(yaml: &str) -> PathBuf {
    let yaml = if yaml.contains("\nphi:") || yaml.starts_with("phi:") {
        yaml.to_owned()
    } else {
        format!("{yaml}\nphi: {{ detect: none, reason: test specs hold no text about people }}\n")
    };
    let yaml = yaml.as_str();
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("aegis-spec-errors-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tables")).unwrap();
    std::fs::write(
        dir.join("tables/drugs.csv"),
        "name,max_mg,class\nibuprofen,3200,nsaid\nnaproxen,1500,nsaid\n",
    )
    .unwrap();
    let path = dir.join("domain_spec.yaml");
    std::fs::write(&path, yaml).unwrap();
    path
}

const HEAD: &str = "domain: test
version: 1.0.0
data:
  patient:
    age_years: float?
tables:
  drugs:
    source: tables/drugs.csv
    key: name
    columns: { name: string, max_mg: float, class: string }
extractors:
  meds:
    pattern: '(?i)\\b(?P<drug>{drugs.name})\\s+(?P<dose>\\d+)\\s*mg'
    captures: { drug: drugs, dose: float }
";

fn errors_of(yaml: &str) -> Vec<String> {
    errors_at(&write_spec(yaml))
}

/// The errors of the spec at `path`, each showing its file by name only.
fn errors_at(path: &std::path::Path) -> Vec<String> {
    match aegis_codegen::generate(path) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .errors
            .iter()
            .map(|e| {
                // Show the file by name only, so that messages are stable.
                let s = e.to_string();
                s.replace(&path.parent().unwrap().display().to_string(), "")
            })
            .collect(),
    }
}

fn one_error(yaml: &str) -> String {
    let errors = errors_of(yaml);
    assert_eq!(errors.len(), 1, "expected one error, got {errors:#?}");
    errors.into_iter().next().unwrap()
}

fn rule(body: &str) -> String {
    format!("{HEAD}tier1:\n{body}")
}

#[test]
fn a_valid_spec_generates() {
    let ok = rule(
        "  - id: ok\n    severity: high\n    for_each: m in meds\n    require: m.dose <= m.drug.max_mg\n    message: \"{m.drug.name}: {m.dose} mg\"\n",
    );
    assert_eq!(errors_of(&ok), Vec::<String>::new());
}

#[test]
fn unknown_field() {
    let e = one_error(&rule(
        "  - id: r\n    severity: high\n    require: patient.weight_kg > 3\n    message: x\n",
    ));
    assert!(e.contains("domain_spec.yaml:18:14:"), "{e}");
    assert!(
        e.contains("unknown field `weight_kg` in data group `patient`"),
        "{e}"
    );
    assert!(e.contains("its fields are: age_years"), "{e}");
    assert!(e.contains("| patient.weight_kg > 3"), "{e}");
}

#[test]
fn type_mismatch() {
    let e = one_error(&rule(
        "  - id: r\n    severity: high\n    for_each: m in meds\n    require: m.drug.name > 3\n    message: x\n",
    ));
    assert!(e.contains("domain_spec.yaml:19:14:"), "{e}");
    assert!(
        e.contains("string and number cannot be compared with `>`"),
        "{e}"
    );
    let e = one_error(&rule(
        "  - id: r\n    severity: high\n    for_each: m in meds\n    require: m.dose * 2\n    message: x\n",
    ));
    assert!(
        e.contains(
            "type mismatch: `require` must be a condition (bool), but this expression is number"
        ),
        "{e}"
    );
}

#[test]
fn unknown_table_column() {
    let e = one_error(&rule(
        "  - id: r\n    severity: high\n    for_each: m in meds\n    require: m.dose <= m.drug.max_daily_mg\n    message: x\n",
    ));
    assert!(e.contains("domain_spec.yaml:19:24:"), "{e}");
    assert!(
        e.contains(
            "unknown column `max_daily_mg` in table `drugs`; its columns are: name, max_mg, class"
        ),
        "{e}"
    );
    // In a pattern, too.
    let yaml = HEAD.replace("{drugs.name}", "{drugs.nme}");
    let e = one_error(&yaml);
    assert!(e.contains("domain_spec.yaml:13:30:"), "{e}");
    assert!(e.contains("unknown column `nme` in table `drugs`"), "{e}");
}

#[test]
fn invalid_regex() {
    let yaml = HEAD.replace("\\s*mg'", "\\s*(mg'");
    let e = one_error(&yaml);
    assert!(e.contains("domain_spec.yaml:13:15:"), "{e}");
    assert!(e.contains("invalid regex in extractor `meds`"), "{e}");
    assert!(e.contains("unclosed group"), "{e}");
}

#[test]
fn unknown_placeholder_in_message() {
    let e = one_error(&rule(
        "  - id: r\n    severity: high\n    for_each: m in meds\n    require: m.dose < 10\n    message: \"{m.drug.name} at {dose_mg} mg\"\n",
    ));
    assert!(e.contains("domain_spec.yaml:20:33:"), "{e}");
    assert!(
        e.contains("unknown placeholder `{dose_mg}` in message"),
        "{e}"
    );
}

#[test]
fn duplicate_id() {
    let body = "  - id: same\n    severity: high\n    require: patient.age_years > 1\n    message: x\n  - id: same\n    severity: low\n    require: patient.age_years > 2\n    message: y\n";
    let e = one_error(&rule(body));
    assert!(e.contains("domain_spec.yaml:20:9:"), "{e}");
    assert!(
        e.contains("duplicate validator id `same`: already used at line 16"),
        "{e}"
    );
}

#[test]
fn every_error_is_reported_at_once() {
    let body = "  - id: a\n    severity: high\n    require: patient.nope\n    message: x\n  - id: b\n    severity: high\n    require: 1 +\n    message: \"{missing}\"\n";
    let errors = errors_of(&rule(body));
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(errors[0].contains(":18:"), "{errors:#?}");
    assert!(errors[1].contains("syntax error"), "{errors:#?}");
    assert!(errors[2].contains("unknown placeholder"), "{errors:#?}");
}

#[test]
fn yaml_errors_and_unknown_keys_have_locations() {
    let e = one_error(&rule(
        "  - id: r\n    severity: high\n    requires: patient.age_years > 1\n    message: x\n",
    ));
    assert!(e.contains("domain_spec.yaml:18:"), "{e}");
    assert!(e.contains("requires"), "{e}");
    let e = one_error("domain: test\nversion: [1.0\n");
    assert!(e.contains("domain_spec.yaml:"), "{e}");
    let e = one_error(&rule(
        "  - id: r\n    severity: severe\n    require: patient.age_years > 1\n    message: x\n",
    ));
    assert!(e.contains(":17:"), "{e}");
}

#[test]
fn table_errors_name_the_csv_line() {
    let path = write_spec(&rule(
        "  - id: r\n    severity: high\n    for_each: m in meds\n    require: m.dose <= m.drug.max_mg\n    message: x\n",
    ));
    std::fs::write(
        path.parent().unwrap().join("tables/drugs.csv"),
        "name,max_mg,class\nibuprofen,3200,nsaid\nnaproxen,lots,nsaid\nIbuprofen,1,nsaid\n",
    )
    .unwrap();
    let err = aegis_codegen::generate(&path).unwrap_err().to_string();
    assert!(
        err.contains("tables/drugs.csv:3:10: column `max_mg`: `lots` is not a number"),
        "{err}"
    );
    assert!(err.contains("duplicate key `ibuprofen`"), "{err}");
}

#[test]
fn names_are_checked_and_lets_must_be_used() {
    let e = one_error(&rule(
        "  - id: Bad-Id\n    severity: high\n    require: patient.age_years > 1\n    message: x\n",
    ));
    assert!(e.contains("`Bad-Id` is not a valid validator name"), "{e}");
    let e = one_error(&rule(
        "  - id: r\n    severity: high\n    let: { unused: patient.age_years }\n    require: patient.age_years > 1\n    message: x\n",
    ));
    assert!(e.contains("binds `unused` but never uses it"), "{e}");
    let e = one_error(&rule(
        "  - id: r\n    severity: high\n    let: { outcome: patient.age_years }\n    require: outcome > 1\n    message: x\n",
    ));
    assert!(
        e.contains("`outcome` is a name the generated code uses"),
        "{e}"
    );
}

#[test]
fn spec_strings_never_become_code() {
    // A message and a pattern full of Rust syntax stay literals.
    let ok = rule(
        "  - id: r\n    severity: high\n    require: patient.age_years > 1\n    message: \"\\\"); panic!(\\\"boom\\\"); //{{ }}\"\n",
    );
    let path = write_spec(&ok);
    let source = aegis_codegen::generate(&path)
        .expect("generates")
        .to_source();
    assert!(
        !source.contains("panic!(\"boom\")"),
        "message text leaked into code"
    );
}

#[test]
fn a_bad_cell_in_a_keyed_table_is_reported_without_a_panic() {
    let path = write_spec(&rule(
        "  - id: r\n    severity: high\n    for_each: m in meds\n    require: m.dose <= m.drug.max_mg\n    message: x\n",
    ));
    std::fs::write(
        path.parent().unwrap().join("tables/drugs.csv"),
        "max_mg,name,class\nlots,ibuprofen,nsaid\n",
    )
    .unwrap();
    let err = aegis_codegen::generate(&path).unwrap_err();
    assert_eq!(err.errors.len(), 1, "{err}");
    assert!(
        err.to_string()
            .contains("tables/drugs.csv:2:1: column `max_mg`: `lots` is not a number"),
        "{err}"
    );
}

#[test]
fn names_that_would_generate_the_same_item_are_reported() {
    let yaml = HEAD
        .replace("  drugs:\n    source", "  info:\n    source")
        .replace("{drugs.name}", "{info.name}")
        .replace("drug: drugs", "drug: info");
    let e = one_error(&yaml);
    assert!(
        e.contains("table `info` would generate the Rust item `INFO`"),
        "{e}"
    );
    let e = one_error(&HEAD.replace("domain: test", "domain: context"));
    assert!(
        e.contains("domain `context` would generate the Rust item `Context`"),
        "{e}"
    );
}

#[test]
fn follow_on_errors_are_not_reported() {
    let e = one_error(&rule(
        "  - id: r\n    severity: high\n    let: { bad: patient.nope + 1, twice: bad * 2 }\n    require: twice > bad\n    message: \"{bad}\"\n",
    ));
    assert!(e.contains("unknown field `nope`"), "{e}");
    let yaml = HEAD.replace("\\s*mg'", "\\s*(mg'")
        + "tier1:\n  - id: r\n    severity: high\n    for_each: m in meds\n    require: m.dose < 3\n    message: x\n";
    let e = one_error(&yaml);
    assert!(e.contains("invalid regex"), "{e}");
}

#[test]
fn regex_escapes_with_braces_and_verbose_comments_are_not_table_references() {
    let yaml = HEAD.replace(
        "    pattern: '(?i)\\b(?P<drug>{drugs.name})\\s+(?P<dose>\\d+)\\s*mg'",
        "    pattern: |\n      (?xi) \\b(?P<drug>{drugs.name}) # a {comment} with braces\n      \\s+(?P<dose>\\d+)\\s*mg\\p{Greek}?\\x{e9}?",
    );
    assert_eq!(errors_of(&(yaml + "tier1: []\n")), Vec::<String>::new());
}

#[test]
fn optional_lists_are_refused_with_a_hint() {
    let yaml = HEAD.replace(
        "    age_years: float?",
        "    age_years: float?\n    tags: list<string>?",
    );
    let e = one_error(&yaml);
    assert!(e.contains("a list is never missing"), "{e}");
}

#[test]
fn phi_section_errors_name_the_class_mode_or_subject() {
    let errors = errors_of(&format!(
        "{HEAD}phi:\n  detect: [NAME, PHONE_NUMBER]\n  mode: scramble\n  subject: patient.id\ntier1: []\n"
    ));
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(
        errors[0].contains(":16:11:") && errors[0].contains("`PHONE_NUMBER` is not a PHI class"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].contains(":17:9:") && errors[1].contains("unknown PHI mode `scramble`"),
        "{}",
        errors[1]
    );
    assert!(
        errors[2].contains(":18:12:") && errors[2].contains("`subject: patient.id` is not a field"),
        "{}",
        errors[2]
    );
    // A valid section generates.
    assert!(errors_of(&format!("{HEAD}phi: {{ detect: [NAME, DATE], mode: hash, subject: patient.age_years }}\ntier1: []\n")).is_empty());
    // What Safe Harbor lets a domain keep: `year` (not with whole-date pseudonyms) and `zip3`.
    let errors = errors_of(&format!(
        "{HEAD}phi:\n  detect: all\n  mode: pseudonymize\n  keep: [year, zip5]\ntier1: []\n"
    ));
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0].contains(":18:9:") && errors[0].contains("`keep: [zip5]`"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].contains(":18:9:") && errors[1].contains("`mode: redact` or `mask`"),
        "{}",
        errors[1]
    );
    assert!(
        errors_of(&format!(
            "{HEAD}phi: {{ detect: all, mode: redact, keep: [year, zip3] }}\ntier1: []\n"
        ))
        .is_empty()
    );
}

#[test]
fn synthetic_template_and_rule_label_errors_are_located() {
    let model = |synthetic: &str| {
        format!(
            "{HEAD}tier1: []\ntier2:\n  - id: risk\n    kind: text_classifier\n    input: output\n    labels: [safe, unsafe]\n    backbone: hashed_ngrams\n    escalate_when: p.unsafe > 0.5\n    synthetic:\n{synthetic}"
        )
    };
    let errors = errors_of(&model(
        "      templates:\n        safe: [\"Ask about {drugs.name}\"]\n      label_by_rules:\n        fail: risky\n        pass: safe\n        templates:\n          - \"Take {drugs#0.name} {drugs.max_mg * x|2} mg\"\n          - \"Take {drugs.dose} mg\"\n",
    ));
    assert_eq!(errors.len(), 4, "{errors:#?}");
    assert!(
        errors[0].contains(":27:15:")
            && errors[0]
                .contains("synthetic target `risky` must be one of the labels (safe, unsafe)"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].contains(":30:19:") && errors[1].contains("unknown placeholder `{drugs#0.name}`"),
        "{}",
        errors[1]
    );
    assert!(
        errors[2].contains(":30:34:") && errors[2].contains("a factor must be a number"),
        "{}",
        errors[2]
    );
    assert!(
        errors[3].contains(":31:19:") && errors[3].contains("unknown column in `{drugs.dose}`"),
        "{}",
        errors[3]
    );
    // The same label on both sides, and no template at all.
    let errors = errors_of(&model("      label_by_rules: { fail: safe, pass: safe }\n"));
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0].contains("`synthetic` has no template"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].contains("`pass` and `fail` are both `safe`"),
        "{}",
        errors[1]
    );
    // A valid section generates: a second row of a table, factor choices.
    let ok = errors_of(&model(
        "      label_by_rules:\n        fail: unsafe\n        pass: safe\n        templates: [\"Take {drugs.name} with {drugs#2.name}, {drugs.max_mg * 0.5|2} mg\"]\n",
    ));
    assert!(ok.is_empty(), "{ok:#?}");
}

/// Errors of a spec with extra files (prompt templates) beside it.
fn errors_with_files(yaml: &str, files: &[(&str, &str)]) -> Vec<String> {
    let path = write_spec(yaml);
    let dir = path.parent().unwrap();
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    match aegis_codegen::generate(&path) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .errors
            .iter()
            .map(|e| e.to_string().replace(&dir.display().to_string(), ""))
            .collect(),
    }
}

#[test]
fn judge_template_placeholders_and_verdicts_are_checked_with_locations() {
    let judge = |verdict: &str| {
        format!(
            "{HEAD}tier1: []\ntier3:\n  - id: review\n    template: prompts/review.md\n    verdict:\n{verdict}"
        )
    };
    let good_verdict =
        "      verdict: enum(pass, fail, uncertain)\n      score: float\n      rationale: string\n";
    // Unknown placeholders are errors at their line and column in the template file; a JSON
    // example in braces is template text.
    let template = "Judge this answer:\n{output}\nPatient: {data.patient.age_years}, {data.patient.weight}\nDoses: {extract.doses} and {extract.meds}\nAnswer like {\"verdict\": \"pass\"}. {trace_id}\n";
    let errors = errors_with_files(&judge(good_verdict), &[("prompts/review.md", template)]);
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(
        errors[0].contains("prompts/review.md:3:")
            && errors[0].contains("{data.patient.weight}")
            && errors[0].contains("is not a field"),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains(":3:36:"), "{}", errors[0]);
    assert!(
        errors[1].contains("prompts/review.md:4:8:")
            && errors[1].contains("`doses` is not an extractor of the domain (it has: meds)"),
        "{}",
        errors[1]
    );
    assert!(
        errors[2].contains("prompts/review.md:5:")
            && errors[2].contains("{trace_id}")
            && errors[2].contains("unknown placeholder"),
        "{}",
        errors[2]
    );
    // Verdict fields: a bad type, and no decisive `verdict`.
    let errors = errors_with_files(
        &judge("      score: number\n      rationale: string\n"),
        &[("prompts/review.md", "{output}")],
    );
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].contains(":20:14:") && errors[0].contains("unknown type `number`"),
        "{}",
        errors[0]
    );
    let errors = errors_with_files(
        &judge("      verdict: enum(ok, bad)\n      score: string\n"),
        &[("prompts/review.md", "{output}")],
    );
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0].contains("`verdict` must be `enum(pass, fail, uncertain)`"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].contains("`score` is shown in results and must be `float`"),
        "{}",
        errors[1]
    );
    // A missing template file, a template that reads nothing from the trace, an unknown builtin.
    let errors = errors_with_files(&judge(good_verdict), &[]);
    assert!(
        errors[0].contains(":18:15:")
            && errors[0].contains("cannot read the template of judge `review`"),
        "{errors:#?}"
    );
    let errors = errors_with_files(
        &judge(good_verdict),
        &[("prompts/review.md", "Be fair. {domain}")],
    );
    assert!(
        errors[0].contains("prompts/review.md:1:1:")
            && errors[0].contains("reads nothing from the trace"),
        "{errors:#?}"
    );
    let errors = errors_with_files(
        &format!("{HEAD}tier1: []\ntier3:\n  - id: rag\n    template: builtin:faithful\n"),
        &[],
    );
    assert!(
        errors[0].contains("unknown builtin judge `faithful`"),
        "{errors:#?}"
    );
    // A valid judge generates, and so does the builtin RAG-faithfulness judge.
    let ok = errors_with_files(
        &format!(
            "{}  - id: rag\n    template: builtin:rag_faithfulness\n",
            judge(good_verdict)
        ),
        &[(
            "prompts/review.md",
            "{output} {input} {context} {issues} {data} {data.patient} {extract.meds} {model} {domain} {compliance} {{output}",
        )],
    );
    assert!(ok.is_empty(), "{ok:#?}");
}

#[test]
fn rl_thresholds_are_checked_with_locations() {
    let errors = errors_of(&format!(
        "{HEAD}tier1: []\nrl:\n  reward_range: [1, -1]\n  min_coverage: 2\n  bins: 0\n  state_bounds: [[0, 1], [3]]\n"
    ));
    assert_eq!(errors.len(), 4, "{errors:#?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains(":17:17:") && e.contains("`reward_range` must be `[low, high]`")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("`min_coverage` must be a number from 0 to 1")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("`bins` must be a whole number")),
        "{errors:#?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("`state_bounds` must be")),
        "{errors:#?}"
    );
    assert!(
        errors_of(&format!(
            "{HEAD}tier1: []\nrl:\n  cost_budget: 25\n  state_bounds: [[-2.4, 2.4]]\n"
        ))
        .is_empty()
    );
}

#[test]
fn simulator_code_is_checked_with_locations() {
    let errors = errors_of(&format!(
        "{HEAD}simulators:
  - id: walk
    state: {{ x: float, v: int }}
    params: {{ k: 2.0 }}
    actions: discrete(0)
    reset:
      x: uniform(0, 1)
    step: |
      let y = x + foo;
      k = 1;
      x = x % 2;
    reward: x > 1
    terminate: abs(x)
"
    ));
    fn has_in(errors: &[String], at: &str, text: &str) {
        assert!(
            errors.iter().any(|e| e.contains(at) && e.contains(text)),
            "{at} {text}: {errors:#?}"
        );
    }
    let has = |at: &str, text: &str| has_in(&errors, at, text);
    has(":17:27:", "a state variable is a `float`, not `int`");
    has(":19:14:", "`actions` must be `discrete(N)`");
    has(
        ":17:24:",
        "`reset` gives no value for the state variable `v`",
    );
    has(":23:19:", "unknown name `foo`");
    has(":24:7:", "`k` is a parameter");
    has(":25:11:", "`%` is ambiguous");
    has(":27:16:", "`terminate` needs a condition, not a number");
    assert_eq!(errors.len(), 7, "{errors:#?}");

    // Functions: defined before use, typed results, no state, no randomness.
    let errors = errors_of(&format!(
        "{HEAD}simulators:
  - id: arm
    state: {{ q: float }}
    actions: {{ torque: [-1, 1] }}
    reset: {{ q: 0 }}
    functions: |
      fn f(a) {{ (a, a) }}
      fn s(a) {{ a + q }}
      fn g(a) {{ a + uniform(0, 1) }}
      fn h(a) {{ a > 1 }}
    step: |
      let (a, b) = f(q);
      let c = f(q);
      q = undefined_fn(q) + torque;
    reward: 0
"
    ));
    let has = |at: &str, text: &str| has_in(&errors, at, text);
    has(":22:21:", "a function cannot read the state (`q`)");
    has(":23:21:", "`uniform` draws a random number");
    has(":24:17:", "a function returns numbers, not a condition");
    has(":27:15:", "bind them with `let (a, b, …) = …;`");
    has(":28:11:", "unknown function `undefined_fn`");
    assert_eq!(errors.len(), 5, "{errors:#?}");

    // Names that are not names are errors, not panics; ids that would clash are refused.
    let errors = errors_of(&format!(
        "{HEAD}simulators:
  - id: bad
    state: {{ x-dot: float, \"\": float }}
    actions: discrete(2)
    reset: {{ x-dot: 0 }}
    step: \"x = 1;\"
    reward: 0
  - id: state
    state: {{ x: float }}
    actions: discrete(2)
    reset: {{ x: 0 }}
    step: \"x = 1;\"
    reward: 0
"
    ));
    let has = |at: &str, text: &str| has_in(&errors, at, text);
    has(":17:14:", "`x-dot` is not a valid state variable name");
    has(":17:28:", "`` is not a valid state variable name");
    has(":22:9:", "`state` cannot name a simulator");
    assert_eq!(errors.len(), 3, "{errors:#?}");

    // A valid simulator with a box action, helper functions, `if`, tuples and `observe`.
    let ok = errors_of(&format!(
        "{HEAD}simulators:
  - id: arm
    state: {{ q: float, w: float }}
    params: {{ dt: 0.1 }}
    actions: {{ torque: [-1, 1] }}
    reset:
      q: uniform(-1, 1)
      w: 0
    functions: |
      fn deriv(q, w, u) {{ (w, u - sin(q)) }}
    step: |
      let (k1q, k1w) = deriv(q, w, torque);
      let (k2q, k2w) = deriv(q + dt / 2 * k1q, w + dt / 2 * k1w, torque);
      q = q + dt * k2q;
      w = w + dt * k2w;
      if abs(w) > 5 {{ w = sign(w) * 5; }}
    reward: -abs(q)
    cost: abs(q) > 1
    observe: [cos(q), sin(q), w]
    max_steps: 10
"
    ));
    assert!(ok.is_empty(), "{ok:#?}");
}

#[test]
fn a_model_when_is_checked_as_a_rule_condition() {
    let model = |when: &str| {
        format!(
            "{HEAD}tier1: []\ntier2:\n  - id: risk\n    kind: text_classifier\n    input: output\n    when: {when}\n    labels: [safe, unsafe]\n    backbone: hashed_ngrams\n    escalate_when: p.unsafe > 0.5\n"
        )
    };
    // `when` runs before the model: its scores `p` are not there yet.
    let error = one_error(&model("p.unsafe > 0.5"));
    assert!(
        error.contains(":20:11:") && error.contains("unknown name `p`"),
        "{error}"
    );
    let error = one_error(&model("patient.age_years"));
    assert!(
        error.contains(":20:11:") && error.contains("`when` must be a condition"),
        "{error}"
    );
    let error = one_error(&model("meds.count() > \"two\""));
    assert!(error.contains(":20:"), "{error}");
    // Typed data, extractors and tables, as in a rule's `when`.
    for valid in [
        "patient.age_years >= 18",
        "meds.is_empty()",
        "meds.any(m => m.drug.class == \"nsaid\")",
    ] {
        let errors = errors_of(&model(&format!("'{valid}'")));
        assert!(errors.is_empty(), "{valid}: {errors:#?}");
    }
}

#[test]
fn a_spec_says_whether_its_traces_carry_phi() {
    let e = one_error("domain: test\nversion: 1.0.0\nphi: { detect: none }\n");
    assert!(
        e.contains("domain_spec.yaml:3:") && e.contains("needs a `reason`"),
        "{e}"
    );
    let e = one_error("domain: test\nversion: 1.0.0\nphi: { detect: all, reason: none here }\n");
    assert!(
        e.contains("domain_spec.yaml:3:") && e.contains("`detect: none` only"),
        "{e}"
    );
    // No phi section at all: said at the domain's name.
    let path = write_spec("domain: test\nversion: 1.0.0\n");
    std::fs::write(&path, "domain: test\nversion: 1.0.0\n").unwrap();
    let e = aegis_codegen::generate(&path).unwrap_err().to_string();
    assert!(
        e.contains(":1:9:") && e.contains("does not say whether its traces carry PHI"),
        "{e}"
    );
    assert!(
        errors_of("domain: test\nversion: 1.0.0\nphi: { detect: none, reason: no people }\n")
            .is_empty()
    );
}

#[test]
fn tools_bind_a_group_some_rule_reads() {
    let reads_patient =
        "  - id: r\n    severity: high\n    require: patient.age_years > 3\n    message: x\n";
    let with_tools = |tools: &str| format!("{HEAD}tools:\n{tools}tier1:\n{reads_patient}");
    assert_eq!(
        errors_of(&with_tools(
            "  prescribe:\n    data: patient\n    arguments: { age: age_years }\n"
        )),
        Vec::<String>::new()
    );
    let e = one_error(&with_tools("  prescribe:\n    data: patients\n"));
    assert!(e.contains("domain_spec.yaml:17:11:"), "{e}");
    assert!(
        e.contains("unknown data group `patients`; the spec's data groups are: patient"),
        "{e}"
    );
    let e = one_error(&with_tools(
        "  prescribe:\n    data: patient\n    arguments: { age: years }\n",
    ));
    assert!(e.contains("domain_spec.yaml:18:23:"), "{e}");
    assert!(
        e.contains("unknown field `years` in data group `patient`; its fields are: age_years"),
        "{e}"
    );
    let e = one_error(&with_tools("  bad name!:\n    data: patient\n"));
    assert!(e.contains("`bad name!` is not a tool name"), "{e}");
    // A group no rule reads would check nothing.
    let head = HEAD.replace("data:\n", "data:\n  visit:\n    reason: string?\n");
    let e = one_error(&format!(
        "{head}tools:\n  book:\n    data: visit\ntier1:\n{reads_patient}"
    ));
    assert!(
        e.contains("no `tier1` validator reads data group `visit`, so calls of `book` would be checked by nothing"),
        "{e}"
    );
}

#[test]
fn table_aliases_name_keys_that_exist() {
    let with_aliases = |csv: &str| {
        let yaml = HEAD.replace(
            "    key: name\n",
            "    key: name\n    aliases: tables/aliases.csv\n",
        );
        let path = write_spec(&yaml);
        std::fs::write(path.parent().unwrap().join("tables/aliases.csv"), csv).unwrap();
        errors_at(&path)
    };
    assert_eq!(
        with_aliases("alias,name\nAdvil,ibuprofen\nAleve,NAPROXEN\n"),
        Vec::<String>::new()
    );
    let e = with_aliases("alias,name\nAdvil,ibuprofen\nTylenol,acetaminophen\n");
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("aliases.csv:3:"), "{e:?}");
    assert!(
        e[0].contains("`acetaminophen` is not a key of table `drugs`"),
        "{e:?}"
    );
    let e = with_aliases("alias,name\nnaproxen,ibuprofen\nadvil,ibuprofen\nADVIL,ibuprofen\n");
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].contains("`naproxen` is a key of table `drugs` already"),
        "{e:?}"
    );
    assert!(e[1].contains("duplicate alias `ADVIL`"), "{e:?}");
    let e = with_aliases("brand,drug\nAdvil,ibuprofen\n");
    assert!(
        e[0].contains("aliases.csv:1:1: the header must be `alias,name`"),
        "{e:?}"
    );
}

#[test]
fn alert_rules_are_checked_where_they_are_written() {
    let spec = |alerts: &str| {
        format!(
            "domain: test\nversion: 1.0.0\ntier1:\n  - id: dose\n    description: d\n    severity: high\n    forbid: 'false'\n    message: m\nalerts:\n{alerts}"
        )
    };
    // Every rule below is on line 10 of its spec; its condition's value further right.
    let e = one_error(&spec("  - { id: a, when: { validator: nope } }\n"));
    assert!(
        e.contains("domain_spec.yaml:10:")
            && e.contains("`nope` is no validator")
            && e.contains("one of dose"),
        "{e}"
    );
    let e = one_error(&spec("  - { id: a, when: { queue_age: 10 } }\n"));
    assert!(
        e.contains("domain_spec.yaml:10:") && e.contains("needs a unit"),
        "{e}"
    );
    let e = one_error(&spec(
        "  - { id: a, when: { fail_rate: { above: 5, over: 10m } } }\n",
    ));
    assert!(
        e.contains("domain_spec.yaml:10:") && e.contains("between 0 and 1"),
        "{e}"
    );
    let e = one_error(&spec(
        "  - { id: a, when: { silent: 1h }, group_by: validator }\n",
    ));
    assert!(
        e.contains("domain_spec.yaml:10:") && e.contains("a rule over a window"),
        "{e}"
    );
    let e = one_error(&spec("  - { id: a, when: { judge: fail } }\n"));
    assert!(e.contains("needs a Tier-3 judge"), "{e}");
    let e = one_error(&spec(
        "  - { id: a, when: { issue: high }, notify: [Ops Slack] }\n",
    ));
    assert!(e.contains("is not a channel name"), "{e}");
    let e = one_error(&spec(
        "  - { id: a, when: { issue: high }, severity: urgent }\n",
    ));
    assert!(e.contains("domain_spec.yaml:10:"), "{e}");
    let e = one_error(&spec(
        "  - { id: a, when: { issue: high } }\n  - { id: a, when: { issue: low } }\n",
    ));
    assert!(e.contains("duplicate alert id `a`"), "{e}");
    assert!(
        errors_of(&spec(
            "  - { id: a, when: { issue: high }, group_by: validator, cooldown: 5m, notify: [ops-slack] }\n  - { id: b, when: { p95_latency: { above: 2s, over: 10m } }, severity: critical }\n"
        ))
        .is_empty()
    );
}
