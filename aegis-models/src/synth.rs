//! Synthetic cold-start data: labelled texts made from a spec's templates and tables, and
//! labelled by the domain's own Tier-1 rules, so a new domain has a working Tier-2 model before
//! any real labels exist.
//!
//! Two sources of labels:
//! - `templates`: each template carries its label, written in the spec;
//! - `label_by_rules`: every text made is put to the domain's Tier-1 rules. A text Tier 1 fails
//!   gets the `fail` label, whatever its template said; a text from the section's own
//!   (unlabelled) templates that Tier 1 does not fail gets the `pass` label.
//!
//! This crate knows no domain: the caller passes Tier 1 in as a function from a text to the ids
//! of the validators that fail it.

use aegis_core::{ModelInfo, RuleLabels, SyntheticInfo};

use crate::error::{ModelError, Result};
use crate::train::{Example, Target};

/// Where a synthetic example's target came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// Its template's written label (Tier 1 did not fail the text, or the spec has no
    /// `label_by_rules`).
    Template,
    /// A `label_by_rules` template: Tier 1 passed the text (`failed` is empty) or failed it
    /// (`failed` names the validators).
    Rules {
        /// The validators that failed the text.
        failed: Vec<String>,
    },
    /// A labelled template whose text Tier 1 fails: its label was replaced by the rules' `fail`
    /// label.
    Relabelled {
        /// The validators that failed the text.
        failed: Vec<String>,
    },
}

/// One synthetic example and where its target came from.
#[derive(Debug, Clone)]
pub struct SyntheticExample {
    /// The text and its target.
    pub example: Example,
    /// Where the target came from.
    pub provenance: Provenance,
}

/// How many examples each source of labels gave.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProvenanceCounts {
    /// Labelled by their template.
    pub template: usize,
    /// From `label_by_rules` templates that Tier 1 failed.
    pub rules_fail: usize,
    /// From `label_by_rules` templates that Tier 1 passed.
    pub rules_pass: usize,
    /// From labelled templates that Tier 1 failed, so relabelled.
    pub relabelled: usize,
}

impl ProvenanceCounts {
    /// Counts the examples by provenance.
    pub fn of(examples: &[SyntheticExample]) -> ProvenanceCounts {
        let mut c = ProvenanceCounts::default();
        for e in examples {
            match &e.provenance {
                Provenance::Template => c.template += 1,
                Provenance::Rules { failed } if failed.is_empty() => c.rules_pass += 1,
                Provenance::Rules { .. } => c.rules_fail += 1,
                Provenance::Relabelled { .. } => c.relabelled += 1,
            }
        }
        c
    }
}

/// Where a share of the examples comes from: a written target's templates, or the templates
/// the rules label.
enum Group<'a> {
    Labelled(&'a str, Vec<&'a str>),
    ByRules(&'a RuleLabels),
}

/// Makes `count` labelled examples from a model's templates, under `seed`.
///
/// The examples are shared out evenly between the written targets and (when the spec has
/// `label_by_rules` templates) the rules; within a share, templates are drawn uniformly. Each
/// `{table.column}` placeholder reads one random row per table per example (`{table#2.column}`
/// an independent second row). When the spec has `label_by_rules`, `tier1_failures` is called on
/// every text and returns the ids of the Tier-1 validators that fail it (empty: Tier 1 does not
/// fail it).
pub fn generate(
    info: &ModelInfo,
    count: usize,
    seed: u64,
    mut tier1_failures: impl FnMut(&str) -> Vec<String>,
) -> Result<Vec<SyntheticExample>> {
    let syn = info.synthetic.as_ref().ok_or_else(|| {
        ModelError::Data(format!(
            "model `{}` has no `synthetic` templates in its spec",
            info.id
        ))
    })?;
    // Written targets in sorted order, then the rules' share.
    let mut targets: Vec<&str> = syn.templates.iter().map(|(t, _)| *t).collect();
    targets.sort_unstable();
    targets.dedup();
    let mut groups: Vec<Group> = targets
        .into_iter()
        .map(|target| {
            let templates = syn
                .templates
                .iter()
                .filter(|(t, _)| *t == target)
                .map(|(_, x)| *x)
                .collect();
            Group::Labelled(target, templates)
        })
        .collect();
    if let Some(rules) = syn.rule_labels.as_ref().filter(|r| !r.templates.is_empty()) {
        groups.push(Group::ByRules(rules));
    }
    if groups.is_empty() {
        return Err(ModelError::Data(format!(
            "model `{}` has no synthetic template",
            info.id
        )));
    }
    let mut rng = Lcg(seed ^ 0x5851_f42d_4c95_7f2d);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let (target, provenance, text) = match &groups[i % groups.len()] {
            Group::ByRules(rules) => {
                let template = rules.templates[rng.below(rules.templates.len())];
                let text = fill(template, syn, &mut rng);
                let failed = tier1_failures(&text);
                let target = if failed.is_empty() {
                    rules.pass
                } else {
                    rules.fail
                };
                (target, Provenance::Rules { failed }, text)
            }
            Group::Labelled(target, templates) => {
                let text = fill(templates[rng.below(templates.len())], syn, &mut rng);
                match &syn.rule_labels {
                    // Tier 1 can only move a text to the `fail` label.
                    Some(rules) if *target != rules.fail => {
                        let failed = tier1_failures(&text);
                        if failed.is_empty() {
                            (*target, Provenance::Template, text)
                        } else {
                            (rules.fail, Provenance::Relabelled { failed }, text)
                        }
                    }
                    _ => (*target, Provenance::Template, text),
                }
            }
        };
        out.push(SyntheticExample {
            example: Example {
                text,
                target: parse_target(info, target)?,
            },
            provenance,
        });
    }
    Ok(out)
}

fn parse_target(info: &ModelInfo, target: &str) -> Result<Target> {
    match info.labels.iter().position(|l| *l == target) {
        Some(index) => Ok(Target::Label(index)),
        None => target.parse::<f32>().map(Target::Score).map_err(|_| {
            ModelError::Data(format!(
                "synthetic target `{target}` is neither a label nor a score"
            ))
        }),
    }
}

/// A small deterministic generator (PCG's LCG step): the same seed gives the same data on every
/// platform.
struct Lcg(u64);

impl Lcg {
    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n.max(1) as u64) as usize
    }
}

/// Fills one template. Rows are drawn the first time a `(table, instance)` is read, so two
/// columns of the same table instance agree.
fn fill(template: &str, syn: &SyntheticInfo, rng: &mut Lcg) -> String {
    let mut rows: Vec<((usize, &str), usize)> = Vec::new();
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inner = rest[open + 1..open + close].trim();
        if let Some((slot, factors)) = table_slot(inner) {
            let factor = factors.map(|f| {
                let options: Vec<&str> = f.split('|').collect();
                options[rng.below(options.len())].trim().parse::<f64>().ok()
            });
            let factor = factor.flatten();
            let value = slot.split_once('.').and_then(|(table, column)| {
                let (name, instance) = table.split_once('#').unwrap_or((table, "1"));
                let (ti, t) = syn
                    .tables
                    .iter()
                    .enumerate()
                    .find(|(_, t)| t.name == name)?;
                let ci = t.columns.iter().position(|c| *c == column)?;
                let row = match rows.iter().find(|(k, _)| *k == (ti, instance)) {
                    Some((_, row)) => *row,
                    None => {
                        let row = rng.below(t.rows.len());
                        rows.push(((ti, instance), row));
                        row
                    }
                };
                t.rows.get(row)?.get(ci).copied()
            });
            match (value, factor) {
                (Some(v), Some(f)) => match v.parse::<f64>() {
                    Ok(x) => out.push_str(&trim_number(x * f)),
                    Err(_) => out.push_str(v),
                },
                (Some(v), None) => out.push_str(v),
                (None, _) => out.push_str(inner),
            }
        } else {
            let options: Vec<&str> = inner.split('|').collect();
            out.push_str(options[rng.below(options.len())].trim());
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// A `{table.column}` or `{table.column * f1|f2}` placeholder's table slot and factor choices;
/// `None` for a `{a|b}` choice.
fn table_slot(inner: &str) -> Option<(&str, Option<&str>)> {
    match inner.split_once('*') {
        Some((slot, factors)) if !slot.contains('|') => Some((slot.trim(), Some(factors.trim()))),
        Some(_) => None,
        None => (!inner.contains('|')).then_some((inner, None)),
    }
}

fn trim_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use aegis_core::SlotTable;

    use super::*;

    const DRUGS: SlotTable = SlotTable {
        name: "drugs",
        columns: &["name", "max_mg"],
        rows: &[
            &["ibuprofen", "3200"],
            &["naproxen", "1500"],
            &["aspirin", "4000"],
        ],
    };

    fn info(synthetic: SyntheticInfo) -> ModelInfo {
        ModelInfo {
            id: "risk",
            kind: "text_classifier",
            description: "",
            labels: &["safe", "unsafe"],
            backbone: "hashed_ngrams",
            inputs: &["output"],
            when: None,
            spec_location: "spec.yaml:1:1",
            builtin_weights: false,
            synthetic: Some(synthetic),
        }
    }

    /// A stand-in for Tier 1: fails any dose above the drug's maximum.
    fn overdose_rule(text: &str) -> Vec<String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let over = words.windows(2).any(|w| {
            let max = DRUGS.rows.iter().find(|r| r[0] == w[0]).map(|r| r[1]);
            let dose = w[1].parse::<f64>().ok();
            matches!((max.and_then(|m| m.parse::<f64>().ok()), dose), (Some(m), Some(d)) if d > m)
        });
        if over {
            vec!["overdose".into()]
        } else {
            vec![]
        }
    }

    #[test]
    fn without_rules_the_written_labels_stand_and_targets_are_balanced() {
        let m = info(SyntheticInfo {
            count: 10,
            templates: &[
                ("unsafe", "Take {drugs.name} {drugs.max_mg * 2} mg"),
                ("safe", "Ask about {drugs.name}"),
            ],
            rule_labels: None,
            tables: &[DRUGS],
        });
        let made = generate(&m, 100, 7, |_| panic!("Tier 1 is not called without rules")).unwrap();
        let unsafe_ = made
            .iter()
            .filter(|e| e.example.target == Target::Label(1))
            .count();
        assert_eq!(unsafe_, 50);
        assert!(made.iter().all(|e| e.provenance == Provenance::Template));
        // Two columns of one row agree: the dose is twice that drug's own maximum.
        for e in made.iter().filter(|e| e.example.target == Target::Label(1)) {
            assert!(
                !overdose_rule(&e.example.text).is_empty(),
                "{}",
                e.example.text
            );
        }
    }

    #[test]
    fn the_rules_label_their_templates_and_relabel_written_labels_they_fail() {
        let m = info(SyntheticInfo {
            count: 10,
            templates: &[("safe", "Take {drugs.name} {drugs.max_mg * 0.5|2} mg")],
            rule_labels: Some(RuleLabels {
                fail: "unsafe",
                pass: "safe",
                templates: &["Take {drugs.name} {drugs#2.max_mg} mg"],
            }),
            tables: &[DRUGS],
        });
        let made = generate(&m, 600, 3, overdose_rule).unwrap();
        let counts = ProvenanceCounts::of(&made);
        assert_eq!(counts.template + counts.relabelled, 300);
        assert_eq!(counts.rules_fail + counts.rules_pass, 300);
        // A second row is independent: some doses are another drug's (higher) maximum.
        assert!(
            counts.rules_fail > 30 && counts.rules_pass > 30,
            "{counts:?}"
        );
        for e in &made {
            let fails = !overdose_rule(&e.example.text).is_empty();
            assert_eq!(e.example.target == Target::Label(1), fails, "{e:?}");
        }
    }
}
