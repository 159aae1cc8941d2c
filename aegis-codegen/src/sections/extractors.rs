//! The `extractors` section: regexes (with `{table.column}` expanded) compiled and their named
//! captures typed at generation time, emitted as a function returning typed matches.

use std::collections::BTreeMap;

use aegis_core::TextField;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};
use regex_syntax::hir::{Hir, HirKind};

use crate::checked::*;
use crate::emit::*;
use crate::load::Builder;
use crate::spec::*;

impl Builder<'_> {
    pub(crate) fn extractor(
        &mut self,
        name: &Located<String>,
        spec: &ExtractorSpec,
        schema: &Schema,
    ) -> Option<Extractor> {
        let pattern = self.expand_pattern(&spec.pattern, schema)?;
        if let Err(e) = regex::Regex::new(&pattern) {
            let detail = e.to_string();
            let last = detail.lines().last().unwrap_or("").trim().to_owned();
            self.error_in(
                &spec.pattern,
                0..spec.pattern.value.len(),
                format!("invalid regex in extractor `{}`: {last}", name.value),
            );
            return None;
        }
        let whole_match_group;
        let groups = match regex_syntax::ParserBuilder::new().build().parse(&pattern) {
            Ok(hir) => {
                let mut out = Vec::new();
                capture_groups(&hir, false, &mut out);
                whole_match_group = group_spanning_whole_match(&hir);
                out
            }
            Err(e) => {
                self.error_in(
                    &spec.pattern,
                    0..spec.pattern.value.len(),
                    format!("invalid regex in extractor `{}`: {e}", name.value),
                );
                return None;
            }
        };
        let mut declared: BTreeMap<&str, &Located<String>> = BTreeMap::new();
        for (cap, ty) in spec.captures.iter() {
            if !groups.iter().any(|(g, _, _)| g == &cap.value) {
                let names: Vec<&str> = groups.iter().map(|(g, _, _)| g.as_str()).collect();
                self.error(
                    cap.position,
                    format!(
                        "capture `{}` is not a named group of the pattern; its groups are: {}",
                        cap.value,
                        if names.is_empty() {
                            "(none)".to_owned()
                        } else {
                            names.join(", ")
                        }
                    ),
                );
                continue;
            }
            declared.insert(&cap.value, ty);
        }
        let mut captures = Vec::new();
        for (group, optional, index) in &groups {
            // `text`, `start` and `end` are every match's own fields; the others name locals of
            // the generated extractor.
            const TAKEN: [&str; 7] = ["text", "start", "end", "whole", "caps", "found", "m"];
            if !is_identifier(group) || TAKEN.contains(&group.as_str()) {
                self.error(spec.pattern.position, format!("group name `{group}` cannot be a field name: use lowercase letters, digits and `_`, not {}", TAKEN.join(", ")));
                continue;
            }
            let kind = match declared.get(group.as_str()).map(|t| t.value.trim()) {
                None | Some("string") => CaptureKind::Str,
                Some("float" | "int" | "number") => CaptureKind::Num,
                Some(table) => match schema.table(table) {
                    Some(t) if t.key.is_some() => CaptureKind::Row(table.to_owned()),
                    Some(_) => {
                        if let Some(ty) = declared.get(group.as_str()) {
                            self.error(ty.position, format!("table `{table}` has no `key`, so a capture cannot be looked up in it"));
                        }
                        continue;
                    }
                    None => {
                        if let Some(ty) = declared.get(group.as_str()) {
                            self.error(ty.position, format!("unknown capture type `{table}`; expected string, float, int, or the name of a table with a key"));
                        }
                        continue;
                    }
                },
            };
            captures.push(Capture {
                name: group.clone(),
                kind,
                optional: *optional,
                index: *index as usize,
            });
        }
        let lowercase_pattern =
            lowercase_equivalent(&pattern).filter(|p| regex::Regex::new(p).is_ok());
        Some(Extractor {
            name: name.value.clone(),
            from: match spec.from {
                TextFieldName::Input => TextField::Input,
                TextFieldName::Output => TextField::Output,
            },
            pattern,
            lowercase_pattern,
            single_group_is_whole_match: captures.len() == 1
                && whole_match_group.as_deref() == captures.first().map(|c| c.name.as_str()),
            captures,
            description: spec.description.trim().to_owned(),
            position: name.position,
        })
    }

    /// Replaces `{table.column}` with an alternation of the column's values, longest first.
    pub(crate) fn expand_pattern(
        &mut self,
        pattern: &Located<String>,
        schema: &Schema,
    ) -> Option<String> {
        let p = &pattern.value;
        let bytes = p.as_bytes();
        let mut out = String::with_capacity(p.len());
        let mut i = 0;
        let mut ok = true;
        // Whether the pattern opens with flags that include `x` (verbose: `#` starts a comment).
        let verbose = p
            .strip_prefix("(?")
            .and_then(|rest| rest.split([')', ':']).next())
            .is_some_and(|flags| flags.split('-').next().is_some_and(|on| on.contains('x')));
        let mut in_class = false;
        while i < bytes.len() {
            match bytes[i] {
                // `\b \d \s \w` (and their negations) are ASCII classes: Unicode ones stop the
                // regex crate's lazy DFA on non-ASCII text and blow up its automata, which costs
                // an order of magnitude in speed.
                b'\\'
                    if matches!(
                        bytes.get(i + 1),
                        Some(b'b' | b'B' | b'd' | b'D' | b's' | b'S' | b'w' | b'W')
                    ) =>
                {
                    out.push_str(match bytes[i + 1] {
                        b'b' => r"(?-u:\b)",
                        b'B' => r"(?-u:\B)",
                        b'd' => "[0-9]",
                        b'D' => "[^0-9]",
                        b's' => r"[\t\n\v\f\r\ ]",
                        b'S' => r"[^\t\n\v\f\r\ ]",
                        b'w' => "[0-9A-Za-z_]",
                        _ => "[^0-9A-Za-z_]",
                    });
                    i += 2;
                }
                // `\p{Greek}`, `\x{e9}`, `\u{e9}`: the braces belong to the escape.
                b'\\'
                    if matches!(bytes.get(i + 1), Some(b'p' | b'P' | b'x' | b'u' | b'U'))
                        && bytes.get(i + 2) == Some(&b'{') =>
                {
                    let end = p[i..].find('}').map_or(p.len(), |c| i + c + 1);
                    out.push_str(&p[i..end]);
                    i = end;
                }
                b'\\' => {
                    let ch_len = p[i + 1..].chars().next().map_or(0, char::len_utf8);
                    out.push_str(&p[i..i + 1 + ch_len]);
                    i += 1 + ch_len;
                }
                // A comment of a verbose pattern runs to the end of the line, braces and all.
                b'#' if verbose && !in_class => {
                    let end = p[i..].find('\n').map_or(p.len(), |c| i + c);
                    out.push_str(&p[i..end]);
                    i = end;
                }
                b'[' => {
                    in_class = true;
                    out.push('[');
                    i += 1;
                }
                b']' => {
                    in_class = false;
                    out.push(']');
                    i += 1;
                }
                b'{' if bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) => {
                    let Some(close) = p[i..].find('}').map(|c| i + c) else {
                        self.error_in(
                            pattern,
                            i..i + 1,
                            "unclosed `{` in pattern; expected `{table.column}`",
                        );
                        return None;
                    };
                    let inner = &p[i + 1..close];
                    let Some((table, column)) = inner.split_once('.') else {
                        self.error_in(
                            pattern,
                            i..close + 1,
                            format!(
                                "`{{{inner}}}` must name a table column, as in `{{drugs.name}}`"
                            ),
                        );
                        ok = false;
                        i = close + 1;
                        continue;
                    };
                    match schema.table(table) {
                        None => {
                            self.error_in(
                                pattern,
                                i..close + 1,
                                format!(
                                    "unknown table `{table}` in pattern; tables are: {}",
                                    schema
                                        .tables
                                        .iter()
                                        .map(|t| t.name.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            );
                            ok = false;
                        }
                        Some(t) => match t.columns.iter().position(|c| c.name == column) {
                            None => {
                                self.error_in(pattern, i..close + 1, format!("unknown column `{column}` in table `{table}`; its columns are: {}", t.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")));
                                ok = false;
                            }
                            Some(ci) if t.columns[ci].ty.scalar != ScalarType::Str => {
                                self.error_in(pattern, i..close + 1, format!("column `{table}.{column}` is not a string column, so it cannot make an alternation"));
                                ok = false;
                            }
                            Some(ci) => {
                                let mut values: Vec<&str> = t
                                    .rows
                                    .iter()
                                    .filter_map(|r| match &r[ci] {
                                        Cell::Str(s) if !s.is_empty() => Some(s.as_str()),
                                        _ => None,
                                    })
                                    .collect();
                                // The key column matches the rows' aliases too.
                                if t.key.as_deref() == Some(column) {
                                    values.extend(t.alias_names.iter().map(String::as_str));
                                }
                                values.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
                                values.dedup_by(|a, b| a.to_lowercase() == b.to_lowercase());
                                let alternation: Vec<String> =
                                    values.iter().map(|v| regex::escape(v)).collect();
                                // `(?-x:…)`: values keep their spaces even in a verbose (`(?x)`)
                                // pattern. ASCII case folding (`-u`) keeps the automaton small,
                                // unless a value needs Unicode's.
                                let all_ascii = values.iter().all(|v| v.is_ascii());
                                out.push_str(if all_ascii { "(?-ux:" } else { "(?-x:" });
                                if alternation.is_empty() {
                                    // No values: the alternation matches nothing (not the empty
                                    // string).
                                    // An empty class intersection: valid with or without `u`.
                                    out.push_str("[a&&b]");
                                } else {
                                    out.push_str(&alternation.join("|"));
                                }
                                out.push(')');
                            }
                        },
                    }
                    i = close + 1;
                }
                _ => {
                    let ch_len = p[i..].chars().next().map_or(1, char::len_utf8);
                    out.push_str(&p[i..i + ch_len]);
                    i += ch_len;
                }
            }
        }
        ok.then_some(out)
    }
}

/// For a pattern that is case-insensitive as a whole (`(?i)` or `(?xi)` up front, nothing that
/// turns it off), an equivalent case-sensitive pattern for the text in ASCII lowercase. `None`
/// where that is not certain: non-ASCII patterns, scoped flag groups, or escapes whose meaning
/// depends on letter case (`\B`, `\P{…}`, `\x41`, …).
fn lowercase_equivalent(pattern: &str) -> Option<String> {
    let rest = pattern.strip_prefix("(?")?;
    let close = rest.find(')')?;
    let flags = &rest[..close];
    if !flags.contains('i') || !flags.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let body = &rest[close + 1..];
    if !pattern.is_ascii() {
        return None;
    }
    let bytes = body.as_bytes();
    for (i, w) in bytes.windows(2).enumerate() {
        // A later flag group that mentions `i`, or a case-sensitive escape.
        if w == b"(?"
            && body[i + 2..]
                .split([')', ':'])
                .next()
                .is_some_and(|f| f.contains('i'))
        {
            return None;
        }
        if w[0] == b'\\' && (w[1].is_ascii_uppercase() || matches!(w[1], b'x' | b'u' | b'p')) {
            return None;
        }
    }
    let flags: String = flags.chars().filter(|c| *c != 'i').collect();
    let lowered = body.to_ascii_lowercase();
    Some(if flags.is_empty() {
        lowered
    } else {
        format!("(?{flags}){lowered}")
    })
}

/// The named group that always spans the whole match (the pattern is that group between
/// zero-width assertions), if there is one: its text is the match's, with no capture engine.
fn group_spanning_whole_match(hir: &Hir) -> Option<String> {
    let parts: &[Hir] = match hir.kind() {
        HirKind::Concat(parts) => parts,
        _ => std::slice::from_ref(hir),
    };
    let mut group = None;
    for part in parts {
        match part.kind() {
            HirKind::Look(_) => {}
            HirKind::Capture(c) if group.is_none() => group = Some(c.name.as_deref()?.to_owned()),
            _ => return None,
        }
    }
    group
}

/// Named capture groups of a regex, in order: name, whether it may not take part in a match,
/// and its group index.
fn capture_groups(hir: &Hir, optional: bool, out: &mut Vec<(String, bool, u32)>) {
    match hir.kind() {
        HirKind::Capture(c) => {
            if let Some(name) = &c.name {
                out.push((name.to_string(), optional, c.index));
            }
            capture_groups(&c.sub, optional, out);
        }
        HirKind::Concat(parts) => {
            for h in parts {
                capture_groups(h, optional, out);
            }
        }
        HirKind::Alternation(branches) => {
            for h in branches {
                capture_groups(h, true, out);
            }
        }
        HirKind::Repetition(r) => capture_groups(&r.sub, optional || r.min == 0, out),
        _ => {}
    }
}

impl Emitter<'_> {
    pub(crate) fn extractors(&self) -> TokenStream {
        let mut items = Vec::new();
        for e in &self.domain.schema.extractors {
            let name = &e.name;
            let st = format_ident!("{}Match", camel(name));
            let pat = format_ident!("{}_PATTERN", name.to_uppercase());
            let fun = format_ident!("extract_{}", name);
            let field = e.from.as_str();
            let field_tokens = text_field_tokens(e.from);
            let cap_fields = e.captures.iter().map(|c| {
                let f = ident(&c.name);
                let base = match &c.kind {
                    CaptureKind::Str => quote!(&'t str),
                    CaptureKind::Num => quote!(f64),
                    CaptureKind::Row(t) => {
                        let r = format_ident!("{}Row", camel(t));
                        quote!(&'static #r)
                    }
                };
                let ty = if c.optional {
                    quote!(::std::option::Option<#base>)
                } else {
                    base
                };
                let what = match &c.kind {
                    CaptureKind::Str => "the captured text".to_owned(),
                    CaptureKind::Num => "the captured number".to_owned(),
                    CaptureKind::Row(t) => {
                        format!("the row of table `{t}` the captured text names")
                    }
                };
                let d = doc(&format!(
                    "Group `{}`: {what}{}.",
                    c.name,
                    if c.optional {
                        ", when the group took part"
                    } else {
                        ""
                    }
                ));
                quote!(#d pub #f: #ty,)
            });
            let whole_match = e.single_group_is_whole_match;
            // Over lowercased text, matched text is taken from the original at the same offsets.
            let lowered = e.lowercase_pattern.is_some();
            let as_text = if lowered {
                quote!(::aegis_core::__private::slice(text, m))
            } else {
                quote!(m.as_str())
            };
            let whole_text = if lowered {
                quote!(::aegis_core::__private::slice(text, whole))
            } else {
                quote!(whole.as_str())
            };
            let hay = if lowered {
                quote!(lowered)
            } else {
                quote!(text)
            };
            let reads = e.captures.iter().map(|c| {
                let f = ident(&c.name);
                let index = Literal::usize_unsuffixed(c.index);
                let group = if whole_match {
                    quote!(Some(whole))
                } else {
                    quote!(caps.get(#index))
                };
                let convert = match &c.kind {
                    CaptureKind::Str => None,
                    CaptureKind::Num => {
                        Some(quote!(::aegis_core::__private::parse_number(#as_text)))
                    }
                    CaptureKind::Row(t) => {
                        let table = self.domain.schema.table(t);
                        let key = table.and_then(|t| t.key.clone()).unwrap_or_default();
                        let lookup = format_ident!("{}_by_{}", t, key);
                        Some(quote!(#lookup(#as_text)))
                    }
                };
                match (convert, c.optional) {
                    (None, true) => quote!(let #f = #group.map(|m| #as_text);),
                    (None, false) => quote!(let #f = #group.map_or("", |m| #as_text);),
                    (Some(conv), true) => quote!(let #f = #group.and_then(|m| #conv);),
                    (Some(conv), false) => quote! {
                        let Some(#f) = #group.and_then(|m| #conv) else {
                            continue;
                        };
                    },
                }
            });
            let names: Vec<Ident> = e.captures.iter().map(|c| ident(&c.name)).collect();
            let pattern = e.lowercase_pattern.as_ref().unwrap_or(&e.pattern);
            let lifetime = quote!(<'t>);
            let st_doc = doc(&format!(
                "A match of extractor `{name}` in the trace's `{field}`{}\n\nSpec: `{}`.",
                if e.description.is_empty() {
                    ".".to_owned()
                } else {
                    format!(": {}", e.description)
                },
                self.at(e.position)
            ));
            let pat_doc = doc(&format!("The compiled pattern of extractor `{name}`."));
            let groups: Vec<String> = e
                .captures
                .iter()
                .map(|c| format!("{} `{}`", c.index, c.name))
                .collect();
            let fun_doc = doc(&format!(
                "Finds every match of extractor `{name}` in `text` (the trace's `{field}`).{}",
                if groups.is_empty() {
                    String::new()
                } else {
                    format!("\n\nCapture groups by index: {}.", groups.join(", "))
                }
            ));
            let body = if e.captures.is_empty() {
                quote! {
                    #pat
                        .find_iter(#hay)
                        .take(::aegis_core::__private::MAX_MATCHES)
                        .map(|m| #st { start: m.start(), end: m.end(), text: #as_text })
                        .collect()
                }
            } else {
                // When the one group is the whole match, `find_iter` serves: no capture engine.
                let each_match = if e.single_group_is_whole_match {
                    quote!(for whole in #pat.find_iter(#hay).take(::aegis_core::__private::MAX_MATCHES))
                } else {
                    quote!(for caps in #pat.captures_iter(#hay).take(::aegis_core::__private::MAX_MATCHES))
                };
                let whole_of_caps = (!e.single_group_is_whole_match).then(|| {
                    quote! {
                        let Some(whole) = caps.get(0) else {
                            continue;
                        };
                    }
                });
                quote! {
                    let mut found = ::std::vec::Vec::new();
                    #each_match {
                        #whole_of_caps
                        #(#reads)*
                        found.push(#st {
                            start: whole.start(),
                            end: whole.end(),
                            text: #whole_text,
                            #(#names),*
                        });
                    }
                    found
                }
            };
            let functions = if lowered {
                let fun_lowered = format_ident!("extract_{}_lowered", name);
                let d = doc(&format!(
                    "[`{fun}`] over `lowered`, the same text in ASCII lowercase: the pattern is case-insensitive, and matching it case-sensitively over lowercased text lets the regex engine use its literal prefilters."
                ));
                quote! {
                    pub fn #fun(text: &str) -> ::std::vec::Vec<#st<'_>> {
                        #fun_lowered(text, &text.to_ascii_lowercase())
                    }
                    #d
                    pub fn #fun_lowered<'t>(text: &'t str, lowered: &str) -> ::std::vec::Vec<#st<'t>> {
                        #body
                    }
                }
            } else {
                quote! {
                    pub fn #fun(text: &str) -> ::std::vec::Vec<#st<'_>> {
                        #body
                    }
                }
            };
            items.push(quote! {
                #st_doc
                #[derive(Debug, Clone, Copy, PartialEq)]
                pub struct #st #lifetime {
                    #[doc = " Byte offset where the match starts."]
                    pub start: usize,
                    #[doc = " Byte offset just past the match."]
                    pub end: usize,
                    #[doc = " The matched text."]
                    pub text: &'t str,
                    #(#cap_fields)*
                }
                impl #st<'_> {
                    #[doc = " Where the match is, as evidence for an issue."]
                    pub fn evidence(&self) -> ::aegis_core::Evidence {
                        ::aegis_core::__private::span(#field_tokens, self.start, self.end)
                    }
                }
                #pat_doc
                static #pat: ::aegis_core::__private::LazyRegex = ::aegis_core::__private::LazyRegex::new(|| {
                    ::aegis_core::__private::compile_checked_regex(#pattern)
                });
                #fun_doc
                #functions
            });
        }
        quote!(#(#items)*)
    }
}

impl Emitter<'_> {
    /// Each extractor's `ExtractorInfo` in the domain's `DomainInfo`.
    pub(crate) fn extractor_infos(&self) -> Vec<TokenStream> {
        self.domain
            .schema
            .extractors
            .iter()
            .map(|e| {
                let name = &e.name;
                let from = e.from.as_str();
                let caps = e.captures.iter().map(|c| {
                    let t = match &c.kind {
                        CaptureKind::Str => "string".to_owned(),
                        CaptureKind::Num => "number".to_owned(),
                        CaptureKind::Row(t) => format!("row of {t}"),
                    };
                    format!("{}: {t}{}", c.name, if c.optional { "?" } else { "" })
                });
                let desc = &e.description;
                quote!(::aegis_core::ExtractorInfo { name: #name, from: #from, captures: &[#(#caps),*], description: #desc })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::lowercase_equivalent;

    #[test]
    fn case_insensitive_patterns_get_a_lowercase_equivalent_only_when_it_is_exact() {
        assert_eq!(
            lowercase_equivalent("(?i)Abc|DEF").as_deref(),
            Some("abc|def")
        );
        assert_eq!(
            lowercase_equivalent("(?xi)A (?-u:\\b) [A-Z]").as_deref(),
            Some("(?x)a (?-u:\\b) [a-z]")
        );
        for unsure in [
            "abc",          // not case-insensitive
            "(?i)a(?-i:B)", // case matters again inside
            "(?i)a\\Bb",    // \B is not \b
            "(?i)\\x41",    // a letter by its code
            "(?i)\\p{Lu}",  // a Unicode class
            "(?i)café",     // not ASCII
            "(?i:abc)",     // a scoped group, not the whole pattern
        ] {
            assert_eq!(lowercase_equivalent(unsure), None, "{unsure}");
        }
    }
}
