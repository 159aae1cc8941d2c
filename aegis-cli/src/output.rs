//! Result formats, each written as results arrive (memory stays flat).

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Seek, Write};

use aegis_core::{EvaluationResult, Verdict};

use super::RunSummary;
use super::args::Format;
use aegis_app::files::Output;

/// Where results go, in one of the formats.
pub(crate) struct Sink {
    format: Format,
    out: Output,
    first: bool,
    /// JUnit needs counts in its opening tag: test cases wait in an anonymous temporary file
    /// (no name, so nothing is left behind and no other user can open it).
    junit_cases: Option<BufWriter<File>>,
    /// Whether the table format ends with the summary (not with `--quiet`).
    table_summary: bool,
}

impl Sink {
    pub(crate) fn new(format: Format, mut out: Output, table_summary: bool) -> io::Result<Sink> {
        let mut junit_cases = None;
        match format {
            Format::Table => writeln!(
                out,
                "{:>6}  {:<20} {:<13} {:<8} issues",
                "line", "trace", "verdict", "tier"
            )?,
            Format::Json => write!(out, "{{\"results\":[")?,
            Format::Jsonl => {}
            Format::Junit => {
                let file = tempfile::tempfile().map_err(|e| {
                    io::Error::new(
                        e.kind(),
                        format!("cannot create a temporary file for the JUnit test cases: {e}"),
                    )
                })?;
                junit_cases = Some(BufWriter::new(file));
            }
        }
        Ok(Sink {
            format,
            out,
            first: true,
            junit_cases,
            table_summary,
        })
    }

    pub(crate) fn result(&mut self, r: &EvaluationResult) -> io::Result<()> {
        match self.format {
            Format::Jsonl => {
                serde_json::to_writer(&mut self.out, r)?;
                writeln!(self.out)?;
            }
            Format::Json => {
                if !self.first {
                    write!(self.out, ",")?;
                }
                serde_json::to_writer(&mut self.out, r)?;
            }
            Format::Table => write_table_row(&mut self.out, r)?,
            Format::Junit => {
                if let Some(cases) = &mut self.junit_cases {
                    write_junit_case(cases, r)?;
                }
            }
        }
        self.first = false;
        Ok(())
    }

    /// Writes the end (the summary, JUnit's cases) and hands the output back, to be committed.
    pub(crate) fn finish(mut self, summary: &RunSummary) -> io::Result<Output> {
        match self.format {
            Format::Jsonl => {}
            Format::Json => {
                write!(self.out, "],\"summary\":")?;
                serde_json::to_writer(&mut self.out, summary)?;
                writeln!(self.out, "}}")?;
            }
            Format::Table if self.table_summary => {
                super::run::write_summary(summary, &mut self.out)?
            }
            Format::Table => {}
            Format::Junit => {
                if let Some(cases) = self.junit_cases.take() {
                    write_junit(&mut self.out, cases, summary)?;
                }
            }
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

fn trace_name(r: &EvaluationResult) -> String {
    match (&r.trace_id, r.line) {
        // Control characters in an id could move the cursor or forge rows of a table.
        (Some(id), _) => id
            .chars()
            .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
            .collect(),
        (None, Some(line)) => format!("line {line}"),
        (None, None) => "trace".to_owned(),
    }
}

fn write_table_row(out: &mut impl Write, r: &EvaluationResult) -> io::Result<()> {
    let line = r.line.map_or(String::new(), |l| l.to_string());
    let verdict = match r.verdict {
        Verdict::Fail => "FAIL",
        other => other.as_str(),
    };
    let tier = r.decided_by.map_or("-", |t| t.as_str());
    let mut name = trace_name(r);
    if name.chars().count() > 20 {
        name = name.chars().take(19).collect::<String>() + "…";
    }
    let count = if r.issues.is_empty() {
        String::new()
    } else {
        r.issues.len().to_string()
    };
    writeln!(out, "{line:>6}  {name:<20} {verdict:<13} {tier:<8} {count}")?;
    for i in &r.issues {
        writeln!(
            out,
            "{:>8}{:<9} {}: {}",
            "",
            i.severity.as_str(),
            i.validator,
            i.message
        )?;
    }
    if let Some(e) = &r.error {
        writeln!(out, "{:>8}{}", "", e)?;
    }
    if r.verdict == Verdict::NeedsReview {
        let why: Vec<&str> = r
            .tiers
            .iter()
            .filter_map(|t| match &t.outcome {
                aegis_core::TierOutcome::Escalated { reason, .. } => Some(reason.as_ref()),
                _ => None,
            })
            .take(1)
            .collect();
        for w in why {
            writeln!(out, "{:>8}escalated: {w}", "")?;
        }
    }
    Ok(())
}

/// Escapes text for XML attributes and content.
/// Escapes text for XML content and attributes. Characters XML 1.0 does not allow are left
/// out (shown as U+FFFD); line breaks and tabs become character references, so that an
/// attribute keeps them.
fn xml(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&apos;"),
            '\n' => s.push_str("&#10;"),
            '\r' => s.push_str("&#13;"),
            '\t' => s.push_str("&#9;"),
            '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}' => {
                s.push(c)
            }
            _ => s.push('\u{FFFD}'),
        }
    }
    s
}

fn write_junit_case(out: &mut impl Write, r: &EvaluationResult) -> io::Result<()> {
    let name = xml(&trace_name(r));
    let class = xml(r.domain.as_deref().unwrap_or("aegis"));
    let secs = r.latency_ns as f64 / 1e9;
    write!(
        out,
        "    <testcase name=\"{name}\" classname=\"{class}\" time=\"{secs:.6}\""
    )?;
    let details: String = r
        .issues
        .iter()
        .map(|i| format!("{} {}: {}\n", i.severity, i.validator, i.message))
        .collect();
    match r.verdict {
        Verdict::Pass => writeln!(out, "/>")?,
        Verdict::Fail => {
            let first = r
                .issues
                .first()
                .map_or(String::new(), |i| format!("{}: {}", i.validator, i.message));
            writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"fail\">{}</failure>\n    </testcase>",
                xml(&first),
                xml(&details)
            )?;
        }
        Verdict::NeedsReview => {
            writeln!(
                out,
                ">\n      <skipped message=\"needs review\">{}</skipped>\n    </testcase>",
                xml(&details)
            )?;
        }
        Verdict::Error => {
            let e = r.error.as_deref().unwrap_or("error");
            writeln!(
                out,
                ">\n      <error message=\"{}\" type=\"error\"/>\n    </testcase>",
                xml(e)
            )?;
        }
    }
    Ok(())
}

fn write_junit(
    out: &mut dyn Write,
    cases: BufWriter<File>,
    summary: &RunSummary,
) -> io::Result<()> {
    let mut file = cases.into_inner().map_err(|e| e.into_error())?;
    file.rewind()?;
    let failures = summary.count(Verdict::Fail);
    let errors = summary.count(Verdict::Error);
    let skipped = summary.count(Verdict::NeedsReview);
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\">",
        summary.total
    )?;
    writeln!(
        out,
        "  <testsuite name=\"aegis-eval\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{:.3}\">",
        summary.total, summary.elapsed_seconds
    )?;
    let mut reader = BufReader::new(file);
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        out.write_all(buf)?;
        let n = buf.len();
        reader.consume(n);
    }
    writeln!(out, "  </testsuite>\n</testsuites>")
}
