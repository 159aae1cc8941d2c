//! The `tables` section: CSV files read and typed at generation time (every cell checked
//! against its column's type, errors at the CSV's own `file:line:col`), emitted as static rows
//! with a lookup by key.

use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::checked::*;
use crate::emit::*;
use crate::load::Builder;
use crate::spec::*;

impl Builder<'_> {
    pub(crate) fn table(&mut self, name: &Located<String>, spec: &TableSpec) -> Option<Table> {
        let (text, shown) =
            self.read_spec_file(&spec.source, &format!("table `{}`", name.value))?;

        let mut columns = Vec::new();
        for (col, ty) in spec.columns.iter() {
            if !self.check_name(col, "column") {
                continue;
            }
            let written = ty.value.trim();
            let (base, optional) = match written.strip_suffix('?') {
                Some(b) => (b.trim_end(), true),
                None => (written, false),
            };
            match ScalarType::parse(base) {
                Some(scalar) => columns.push(Column { name: col.value.clone(), ty: ColumnType { scalar, optional } }),
                None => self.error(ty.position, format!("unknown column type `{written}`; expected float, int, string or bool, with `?` for optional")),
            }
        }
        if columns.is_empty() {
            self.error(
                name.position,
                format!("table `{}` declares no columns", name.value),
            );
            return None;
        }

        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.file_error(&shown, 1, 1, format!("not a valid CSV header: {e}"));
                return None;
            }
        };
        let mut index = Vec::new();
        for (col, ty_node) in spec.columns.iter() {
            if let Some(i) = headers.iter().position(|h| h.trim() == col.value) {
                index.push(i);
            } else if columns.iter().any(|c| c.name == col.value) {
                self.error(
                    ty_node.position,
                    format!(
                        "column `{}` is not in `{}`; its header has: {}",
                        col.value,
                        shown.display(),
                        headers.iter().collect::<Vec<_>>().join(", ")
                    ),
                );
                return None;
            }
        }
        if index.len() != columns.len() {
            return None;
        }
        let key = match &spec.key {
            Some(k) => match columns.iter().find(|c| c.name == k.value) {
                Some(c) if c.ty.scalar == ScalarType::Str && !c.ty.optional => {
                    Some(k.value.clone())
                }
                Some(_) => {
                    self.error(
                        k.position,
                        format!(
                            "key column `{}` must be of type `string` (not optional)",
                            k.value
                        ),
                    );
                    None
                }
                None => {
                    self.error(
                        k.position,
                        format!(
                            "key `{}` is not a declared column of table `{}`",
                            k.value, name.value
                        ),
                    );
                    None
                }
            },
            None => None,
        };

        let mut rows = Vec::new();
        for (line, record) in self.csv_records(&mut reader, &shown) {
            let mut row = Vec::new();
            for (col, &i) in columns.iter().zip(&index) {
                let raw = record.get(i).unwrap_or("").trim();
                let column_no = record
                    .position()
                    .and_then(|p| text.get(usize::try_from(p.byte()).ok()?..))
                    .map_or((i + 1) as u32, |rest| csv_column(rest, i));
                let cell = if raw.is_empty() {
                    if col.ty.optional || col.ty.scalar == ScalarType::Str {
                        if col.ty.optional {
                            Cell::Missing
                        } else {
                            Cell::Str(String::new())
                        }
                    } else {
                        self.file_error(&shown, line, column_no, format!("column `{}` is empty, but its type `{}` is not optional (write `{}?`)", col.name, col.ty.scalar.name(), col.ty.scalar.name()));
                        Cell::Missing
                    }
                } else {
                    match col.ty.scalar {
                        ScalarType::Str => Cell::Str(raw.to_owned()),
                        ScalarType::Float => match raw.parse::<f64>() {
                            Ok(v) if v.is_finite() => Cell::Float(v),
                            _ => {
                                self.file_error(
                                    &shown,
                                    line,
                                    column_no,
                                    format!("column `{}`: `{raw}` is not a number", col.name),
                                );
                                Cell::Missing
                            }
                        },
                        ScalarType::Int => match raw.parse::<i64>() {
                            Ok(v) => Cell::Int(v),
                            Err(_) => {
                                self.file_error(
                                    &shown,
                                    line,
                                    column_no,
                                    format!("column `{}`: `{raw}` is not a whole number", col.name),
                                );
                                Cell::Missing
                            }
                        },
                        ScalarType::Bool => match raw.to_ascii_lowercase().as_str() {
                            "true" | "yes" | "1" => Cell::Bool(true),
                            "false" | "no" | "0" => Cell::Bool(false),
                            _ => {
                                self.file_error(
                                    &shown,
                                    line,
                                    column_no,
                                    format!("column `{}`: `{raw}` is not true or false", col.name),
                                );
                                Cell::Missing
                            }
                        },
                    }
                };
                row.push(cell);
            }
            rows.push((line, row));
        }
        // Rows that failed are reported above; the table is still declared, so that the rest of
        // the spec is checked against it instead of failing with "unknown table".
        if let Some(key) = &key {
            let k = columns.iter().position(|c| &c.name == key).unwrap_or(0);
            let key_of = |r: &Vec<Cell>| match &r[k] {
                Cell::Str(s) => s.to_lowercase(),
                _ => String::new(),
            };
            rows.sort_by_key(|(_, r)| key_of(r));
            let mut seen: BTreeMap<String, u64> = BTreeMap::new();
            for (line, r) in &rows {
                let kv = key_of(r);
                if kv.is_empty() {
                    self.file_error(&shown, *line, 1, format!("key column `{key}` is empty"));
                } else if let Some(first) = seen.get(&kv) {
                    self.file_error(&shown, *line, 1, format!("duplicate key `{kv}` in column `{key}` (first at line {first}); keys must be unique regardless of case"));
                } else {
                    seen.insert(kv, *line);
                }
            }
        }
        let rows: Vec<Vec<Cell>> = rows.into_iter().map(|(_, r)| r).collect();
        let (aliases, alias_names) = match &spec.aliases {
            None => (Vec::new(), Vec::new()),
            Some(file) => self.aliases(name, file, key.as_deref(), &columns, &rows),
        };
        Some(Table {
            name: name.value.clone(),
            source: spec.source.value.clone(),
            key,
            columns,
            rows,
            aliases,
            alias_names,
            description: spec.description.trim().to_owned(),
            position: name.position,
        })
    }
}

impl Builder<'_> {
    /// Reads a table's `aliases` file: `alias,<key>` rows, each naming an existing key; an
    /// alias is unique regardless of case and is never a key itself. Errors at the file's own
    /// `file:line:col`.
    /// The well-formed rows of a CSV file with their line numbers; a malformed row is reported
    /// at its line and left out.
    fn csv_records(
        &mut self,
        reader: &mut csv::Reader<&[u8]>,
        shown: &std::path::Path,
    ) -> Vec<(u64, csv::StringRecord)> {
        let mut rows = Vec::new();
        for record in reader.records() {
            match record {
                Ok(r) => rows.push((r.position().map_or(0, csv::Position::line), r)),
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    self.file_error(shown, line, 1, format!("malformed CSV row: {e}"));
                }
            }
        }
        rows
    }

    fn aliases(
        &mut self,
        table: &Located<String>,
        file: &Located<String>,
        key: Option<&str>,
        columns: &[Column],
        rows: &[Vec<Cell>],
    ) -> (Vec<(String, usize)>, Vec<String>) {
        let Some(key) = key else {
            self.error(
                file.position,
                format!(
                    "table `{}` has aliases but no `key`: aliases are other names for a key",
                    table.value
                ),
            );
            return (Vec::new(), Vec::new());
        };
        let Some((text, shown)) =
            self.read_spec_file(file, &format!("the aliases of table `{}`", table.value))
        else {
            return (Vec::new(), Vec::new());
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let header: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(|c| c.trim().to_owned()).collect(),
            Err(e) => {
                self.file_error(&shown, 1, 1, format!("not a valid CSV header: {e}"));
                return (Vec::new(), Vec::new());
            }
        };
        if header != ["alias", key] {
            self.file_error(
                &shown,
                1,
                1,
                format!("the header must be `alias,{key}` (an alias, and the key it stands for); it is `{}`", header.join(",")),
            );
            return (Vec::new(), Vec::new());
        }
        let k = columns.iter().position(|c| c.name == key).unwrap_or(0);
        let mut keys: BTreeMap<String, usize> = BTreeMap::new();
        for (i, r) in rows.iter().enumerate() {
            if let Cell::Str(s) = &r[k] {
                keys.insert(s.to_lowercase(), i);
            }
        }
        let mut seen: BTreeMap<String, u64> = BTreeMap::new();
        let mut out = Vec::new();
        let mut names = Vec::new();
        for (line, record) in self.csv_records(&mut reader, &shown) {
            let alias = record.get(0).unwrap_or("").trim();
            let target = record.get(1).unwrap_or("").trim().to_lowercase();
            let lowered = alias.to_lowercase();
            if alias.is_empty() {
                self.file_error(&shown, line, 1, "the alias is empty".to_owned());
            } else if keys.contains_key(&lowered) {
                self.file_error(
                    &shown,
                    line,
                    1,
                    format!(
                        "`{alias}` is a key of table `{}` already, not an alias",
                        table.value
                    ),
                );
            } else if let Some(first) = seen.get(&lowered) {
                self.file_error(&shown, line, 1, format!("duplicate alias `{alias}` (first at line {first}); aliases must be unique regardless of case"));
            } else {
                match keys.get(&target) {
                    None => self.file_error(
                        &shown,
                        line,
                        csv_column(
                            record
                                .position()
                                .and_then(|p| text.get(usize::try_from(p.byte()).ok()?..))
                                .unwrap_or(""),
                            1,
                        ),
                        format!("`{target}` is not a key of table `{}`", table.value),
                    ),
                    Some(&row) => {
                        seen.insert(lowered.clone(), line);
                        out.push((lowered, row));
                        names.push(alias.to_owned());
                    }
                }
            }
        }
        out.sort();
        (out, names)
    }
}

/// The 1-based character column where field `field` starts on the CSV line `line` (quotes
/// respected).
fn csv_column(line: &str, field: usize) -> u32 {
    let mut in_quotes = false;
    let mut seen = 0;
    for (col, c) in line.chars().enumerate() {
        if seen == field {
            return col as u32 + 1;
        }
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => seen += 1,
            '\n' if !in_quotes => break,
            _ => {}
        }
    }
    1
}

impl Emitter<'_> {
    pub(crate) fn tables(&self) -> TokenStream {
        let mut items = Vec::new();
        for t in &self.domain.schema.tables {
            let row = format_ident!("{}Row", camel(&t.name));
            let stat = format_ident!("{}", t.name.to_uppercase());
            let n = Literal::usize_unsuffixed(t.rows.len());
            let fields = t.columns.iter().map(|c| {
                let f = ident(&c.name);
                let base = match c.ty.scalar {
                    ScalarType::Float => quote!(f64),
                    ScalarType::Int => quote!(i64),
                    ScalarType::Str => quote!(&'static str),
                    ScalarType::Bool => quote!(bool),
                };
                let ty = if c.ty.optional {
                    quote!(::std::option::Option<#base>)
                } else {
                    base
                };
                let d = doc(&format!(
                    "Column `{}` ({}{}).",
                    c.name,
                    c.ty.scalar.name(),
                    if c.ty.optional { ", may be empty" } else { "" }
                ));
                quote!(#d pub #f: #ty,)
            });
            let rows = t.rows.iter().map(|r| {
                let cells = t.columns.iter().zip(r).map(|(c, cell)| {
                    let f = ident(&c.name);
                    let v = match cell {
                        Cell::Str(s) => quote!(#s),
                        Cell::Float(x) => {
                            let l = Literal::f64_unsuffixed(*x);
                            quote!(#l)
                        }
                        Cell::Int(i) => {
                            let l = Literal::i64_unsuffixed(*i);
                            quote!(#l)
                        }
                        Cell::Bool(b) => quote!(#b),
                        Cell::Missing => quote!(None),
                    };
                    let v = if c.ty.optional && *cell != Cell::Missing {
                        quote!(Some(#v))
                    } else {
                        v
                    };
                    quote!(#f: #v)
                });
                quote!(#row { #(#cells),* })
            });
            let row_doc = doc(&format!(
                "A row of table `{}`{}\n\nCompiled from `{}`; declared at `{}`.",
                t.name,
                if t.description.is_empty() {
                    ".".to_owned()
                } else {
                    format!(": {}", t.description)
                },
                t.source,
                self.at(t.position)
            ));
            let order = match &t.key {
                Some(k) => format!(", sorted by `{k}` ignoring case"),
                None => ", in file order".to_owned(),
            };
            let stat_doc = doc(&format!("The {n} rows of table `{}`{order}.", t.name));
            let lookup = t.key.as_ref().map(|k| {
                let f = format_ident!("{}_by_{}", t.name, k);
                let key = ident(k);
                let keys_stat = format_ident!("{}_KEYS", t.name.to_uppercase());
                let ki = t.columns.iter().position(|c| &c.name == k).unwrap_or(0);
                let keys: Vec<String> = t
                    .rows
                    .iter()
                    .map(|r| match &r[ki] {
                        Cell::Str(s) => s.to_lowercase(),
                        _ => String::new(),
                    })
                    .collect();
                let d = doc(&format!(
                    "Looks up a row of table `{}` by its key `{k}`, ignoring case.",
                    t.name
                ));
                let kd = doc(&format!(
                    "The keys (`{k}`) of table `{}` in lowercase, in row order.",
                    t.name
                ));
                if t.aliases.is_empty() {
                    return quote! {
                        #kd
                        static #keys_stat: [&str; #n] = [#(#keys),*];
                        #d
                        pub fn #f(#key: &str) -> ::std::option::Option<&'static #row> {
                            ::aegis_core::__private::find_row(&#stat, &#keys_stat, #key)
                        }
                    };
                }
                let aliases_stat = format_ident!("{}_ALIASES", t.name.to_uppercase());
                let m = Literal::usize_unsuffixed(t.aliases.len());
                let alias_keys = t.aliases.iter().map(|(a, _)| a);
                let alias_rows = t.aliases.iter().map(|(_, r)| Literal::usize_unsuffixed(*r));
                let ad = doc(&format!(
                    "The aliases of table `{}` in lowercase, sorted, and the rows they name.",
                    t.name
                ));
                let d = doc(&format!(
                    "Looks up a row of table `{}` by its key `{k}` or an alias, ignoring case.",
                    t.name
                ));
                quote! {
                    #kd
                    static #keys_stat: [&str; #n] = [#(#keys),*];
                    #ad
                    static #aliases_stat: [(&str, usize); #m] = [#((#alias_keys, #alias_rows)),*];
                    #d
                    pub fn #f(#key: &str) -> ::std::option::Option<&'static #row> {
                        ::aegis_core::__private::find_row(&#stat, &#keys_stat, #key)
                            .or_else(|| ::aegis_core::__private::find_alias(&#stat, &#aliases_stat, #key))
                    }
                }
            });
            items.push(quote! {
                #row_doc
                #[derive(Debug, Clone, Copy, PartialEq)]
                pub struct #row {
                    #(#fields)*
                }
                #stat_doc
                // The table's data as written: a datasheet's 3.1416 is not a misspelt PI.
                #[allow(clippy::approx_constant)]
                pub static #stat: [#row; #n] = [#(#rows),*];
                #lookup
            });
        }
        quote!(#(#items)*)
    }
}

impl Emitter<'_> {
    /// Each table's `TableInfo` in the domain's `DomainInfo`.
    pub(crate) fn table_infos(&self) -> Vec<TokenStream> {
        self.domain
            .schema
            .tables
            .iter()
            .map(|t| {
                let name = &t.name;
                let source = &t.source;
                let key = match &t.key {
                    Some(k) => quote!(Some(#k)),
                    None => quote!(None),
                };
                let cols = t.columns.iter().map(|c| format!("{}: {}{}", c.name, c.ty.scalar.name(), if c.ty.optional { "?" } else { "" }));
                let rows = t.rows.len();
                quote!(::aegis_core::TableInfo { name: #name, source: #source, key: #key, columns: &[#(#cols),*], rows: #rows })
            })
            .collect()
    }
}
