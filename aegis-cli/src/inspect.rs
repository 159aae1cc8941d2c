//! `aegis-eval domains` and `aegis-eval inspect`.

use std::io::{self, Write};

use aegis_core::Domain;

pub(crate) fn list_domains(
    domains: &[&'static dyn Domain],
    out: &mut impl Write,
) -> io::Result<()> {
    for d in domains {
        let i = d.info();
        writeln!(
            out,
            "{:<16} {:<8} {:>3} validators  {}",
            i.name,
            i.version,
            i.validators.len(),
            i.description
        )?;
    }
    Ok(())
}

pub(crate) fn inspect(domain: &dyn Domain, json: bool, out: &mut impl Write) -> io::Result<()> {
    let i = domain.info();
    if json {
        serde_json::to_writer_pretty(&mut *out, i).map_err(io::Error::other)?;
        return writeln!(out);
    }
    writeln!(out, "domain      {} {}", i.name, i.version)?;
    writeln!(out, "about       {}", i.description)?;
    writeln!(
        out,
        "spec        {}  (sha256 {})",
        i.spec_path,
        &i.spec_hash[..i.spec_hash.len().min(16)]
    )?;
    writeln!(out, "compliance  {}", i.compliance.join(", "))?;
    writeln!(
        out,
        "tier 0      {}",
        match &i.phi {
            Some(p) => format!(
                "PHI/PII sanitising required ({} of {} classes, {}{})",
                aegis_core::PhiClass::ALL
                    .iter()
                    .filter(|c| p.classes.contains(**c))
                    .count(),
                aegis_core::PhiClass::ALL.len(),
                p.mode.name(),
                p.subject_field
                    .map(|f| format!(", subject {f}"))
                    .unwrap_or_default()
            ),
            None => "not required".to_owned(),
        }
    )?;
    let uncertain = i
        .policy
        .uncertain_at
        .map_or("never".to_owned(), |s| format!("at {s} and above"));
    writeln!(
        out,
        "escalation  fail at {} and above; escalate {uncertain}",
        i.policy.fail_at
    )?;
    writeln!(out, "\nvalidators ({})", i.validators.len())?;
    for v in i.validators {
        writeln!(
            out,
            "  {:<36} {:<9} {}",
            v.id,
            v.severity.as_str(),
            v.description
        )?;
        writeln!(out, "  {:<36} {:<9} {}", "", "", v.spec_location)?;
    }
    writeln!(out, "\ntools ({})", i.tools.len())?;
    for t in i.tools {
        let renamed: Vec<String> = t
            .renamed
            .iter()
            .map(|(a, f)| format!("{a} as {f}"))
            .collect();
        let renamed = if renamed.is_empty() {
            String::new()
        } else {
            format!(" ({})", renamed.join(", "))
        };
        writeln!(
            out,
            "  {:<24} arguments as `{}`{renamed}  {}",
            t.name, t.data, t.description
        )?;
        writeln!(out, "  {:<24} checked by: {}", "", t.validators.join(", "))?;
    }
    writeln!(out, "\ntables ({})", i.tables.len())?;
    for t in i.tables {
        let key = t.key.map_or(String::new(), |k| format!(", key {k}"));
        writeln!(
            out,
            "  {:<16} {:>5} rows{key}  from {}",
            t.name, t.rows, t.source
        )?;
        writeln!(out, "  {:<16} columns: {}", "", t.columns.join(", "))?;
    }
    writeln!(out, "\nextractors ({})", i.extractors.len())?;
    for e in i.extractors {
        writeln!(out, "  {:<24} from {:<7} {}", e.name, e.from, e.description)?;
        if !e.captures.is_empty() {
            writeln!(out, "  {:<24} captures: {}", "", e.captures.join(", "))?;
        }
    }
    writeln!(out, "\nmodels ({})", i.models.len())?;
    for m in i.models {
        writeln!(out, "  {:<24} {} over {}", m.id, m.kind, m.backbone)?;
        if let Some(when) = m.when {
            writeln!(out, "  {:<24} when: {when}", "")?;
        }
    }
    writeln!(out, "\njudges ({})", i.judges.len())?;
    for j in i.judges {
        writeln!(
            out,
            "  {:<24} {:<9} {}",
            j.id,
            j.severity.as_str(),
            j.template
        )?;
    }
    writeln!(out, "\nsimulators ({})", i.simulators.len())?;
    for s in i.simulators {
        writeln!(
            out,
            "  {:<24} state [{}], observation of {}, actions {}  ({})",
            s.id,
            s.state.join(", "),
            s.observation_size,
            s.actions,
            s.spec_location
        )?;
    }
    Ok(())
}
