//! Date shifting: a date found in text moves by the subject's offset and is written back in the
//! format it came in, so that intervals between one person's dates survive pseudonymisation.

use aegis_core::calendar::{civil_from_days, days_from_civil, days_in_month};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_of(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.to_ascii_lowercase().starts_with(&w))
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn month_name(m: u32, like: &str) -> String {
    let full = MONTHS[(m as usize).saturating_sub(1).min(11)];
    let base = if like.trim_end_matches('.').len() <= 4
        && !like.eq_ignore_ascii_case("june")
        && !like.eq_ignore_ascii_case("july")
    {
        let short = if m == 9 && like.len() >= 4 && like[..4].eq_ignore_ascii_case("sept") {
            "Sept".to_owned()
        } else {
            full[..3].to_owned()
        };
        if like.ends_with('.') {
            format!("{short}.")
        } else {
            short
        }
    } else {
        full.to_owned()
    };
    if like.chars().skip(1).all(|c| !c.is_lowercase()) && like.len() > 1 {
        base.to_uppercase()
    } else {
        base
    }
}

/// Moves a date written in one of the common formats by `offset` days, keeping its format.
/// `None` when the text is no date this module can read.
pub(crate) fn shift(text: &str, offset: i64) -> Option<String> {
    let t = text.trim();
    // A time after the date stays as it is.
    let (date, time) = split_time(t);
    let shifted = shift_numeric(date, offset).or_else(|| shift_textual(date, offset))?;
    Some(format!("{shifted}{time}"))
}

fn split_time(t: &str) -> (&str, &str) {
    for sep in ["T", " at ", ", at ", ", ", " "] {
        if let Some(i) = t.find(sep) {
            let rest = &t[i + sep.len()..];
            if rest.chars().next().is_some_and(|c| c.is_ascii_digit())
                && rest.contains(':')
                && !rest[..rest.find(':').unwrap_or(0)].contains(' ')
            {
                return (&t[..i], &t[i..]);
            }
        }
    }
    (t, "")
}

fn shift_numeric(t: &str, offset: i64) -> Option<String> {
    let sep = t.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let parts: Vec<&str> = t.split(sep).collect();
    if !parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n: Vec<i64> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    let width = |i: usize| parts[i].len();
    let (y, m, d, order) = match n.as_slice() {
        [a, b, c] if width(0) == 4 => (*a, *b, *c, "ymd"),
        [a, b, c] => {
            let year = if width(2) == 2 {
                if *c > 40 { 1900 + c } else { 2000 + c }
            } else {
                *c
            };
            // Day first when the first number cannot be a month, or with dots (European).
            if *a > 12 || (sep == '.' && *b <= 12) {
                (year, *b, *a, "dmy")
            } else {
                (year, *a, *b, "mdy")
            }
        }
        [a, b] => (2001, *a, *b, "md"),
        _ => return None,
    };
    let (m, d) = (u32::try_from(m).ok()?, u32::try_from(d).ok()?);
    if !(1..=9999).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let (ny, nm, nd) = civil_from_days(days_from_civil(y, m, d) + offset);
    let pad = |v: u32, w: usize| format!("{v:0w$}");
    let year = |w: usize| {
        if w == 2 {
            format!("{:02}", ny.rem_euclid(100))
        } else {
            ny.to_string()
        }
    };
    Some(match order {
        "ymd" => format!(
            "{}{sep}{}{sep}{}",
            year(4),
            pad(nm, width(1)),
            pad(nd, width(2))
        ),
        "dmy" => format!(
            "{}{sep}{}{sep}{}",
            pad(nd, width(0)),
            pad(nm, width(1)),
            year(width(2))
        ),
        "mdy" => format!(
            "{}{sep}{}{sep}{}",
            pad(nm, width(0)),
            pad(nd, width(1)),
            year(width(2))
        ),
        _ => format!("{}{sep}{}", pad(nm, width(0)), pad(nd, width(1))),
    })
}

fn shift_textual(t: &str, offset: i64) -> Option<String> {
    let words: Vec<&str> = t
        .split([' ', '-', ','])
        .filter(|w| !w.is_empty() && *w != "of")
        .collect();
    let num = |w: &str| -> Option<i64> {
        w.trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .parse()
            .ok()
    };
    let month_at = words.iter().position(|w| month_of(w).is_some())?;
    let m = month_of(words[month_at])?;
    let others: Vec<i64> = words
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != month_at)
        .filter_map(|(_, w)| num(w))
        .collect();
    let (day, year) = match others.as_slice() {
        [d, y] if *y > 31 => (Some(*d), Some(*y)),
        [y] if *y > 31 => (None, Some(*y)),
        [d] => (Some(*d), None),
        [d, y] => (Some(*d), Some(2000 + y)),
        _ => return None,
    };
    let y = year.unwrap_or(2001);
    let d = u32::try_from(day.unwrap_or(15)).ok()?;
    if !(1..=9999).contains(&y) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let (ny, nm, nd) = civil_from_days(days_from_civil(y, m, d) + offset);
    let name = month_name(nm, words[month_at]);
    let day_first = day.is_some() && month_at > 0;
    let suffix = words
        .iter()
        .find(|w| {
            w.bytes().next().is_some_and(|b| b.is_ascii_digit())
                && w.ends_with(|c: char| c.is_ascii_alphabetic())
        })
        .map(|w| ordinal(nd, w));
    let day_text = suffix.unwrap_or_else(|| nd.to_string());
    let dashed = t.contains('-');
    Some(match (day, year, day_first) {
        (Some(_), Some(_), true) if dashed => format!("{day_text}-{name}-{ny}"),
        (Some(_), Some(_), true) => format!("{day_text} {name} {ny}"),
        (Some(_), Some(_), false) => {
            if t.contains(',') {
                format!("{name} {day_text}, {ny}")
            } else {
                format!("{name} {day_text} {ny}")
            }
        }
        (Some(_), None, true) => format!("{day_text} {name}"),
        (Some(_), None, false) => format!("{name} {day_text}"),
        (None, Some(_), _) => {
            if t.contains(',') {
                format!("{name}, {ny}")
            } else {
                format!("{name} {ny}")
            }
        }
        (None, None, _) => return None,
    })
}

/// Whether `s` is a timestamp in RFC 3339 / ISO 8601 extended form: `2024-03-01T09:30:00Z`,
/// `2024-03-01 09:30`, `2024-03-01T09:30:00.123+01:00`. A time of day is required: a date alone
/// may be anyone's date of birth.
pub(crate) fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let part = b.get(from..from + len)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let (Some(y), Some(m), Some(d), Some(h), Some(min)) =
        (num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2))
    else {
        return false;
    };
    let date_ok = b[4] == b'-'
        && b[7] == b'-'
        && (1..=12).contains(&m)
        && d >= 1
        && d <= days_in_month(i64::from(y), m);
    if !date_ok || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || h > 23 || min > 59 {
        return false;
    }
    let mut at = 16;
    if b.get(at) == Some(&b':') {
        match num(at + 1, 2) {
            Some(sec) if sec <= 60 => at += 3,
            _ => return false,
        }
        if b.get(at) == Some(&b'.') {
            let digits = b[at + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if !(1..=9).contains(&digits) {
                return false;
            }
            at += 1 + digits;
        }
    }
    match &b[at..] {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', rest @ ..] => {
            let zone = |r: &[u8]| r.iter().all(u8::is_ascii_digit);
            match rest {
                [h1, h2] | [h1, h2, _, _] if zone(rest) => (*h1 - b'0') * 10 + (*h2 - b'0') <= 23,
                [h1, h2, b':', m1, m2] if zone(&[*h1, *h2, *m1, *m2]) => {
                    (*h1 - b'0') * 10 + (*h2 - b'0') <= 23 && (*m1 - b'0') * 10 + (*m2 - b'0') <= 59
                }
                _ => false,
            }
        }
        _ => false,
    }
}

fn ordinal(d: u32, like: &str) -> String {
    let suffix = match (d % 10, d % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    if like
        .bytes()
        .next_back()
        .is_some_and(|b| b.is_ascii_uppercase())
    {
        format!("{d}{}", suffix.to_uppercase())
    } else {
        format!("{d}{suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::shift;

    #[test]
    fn dates_move_by_the_offset_and_keep_their_format() {
        assert_eq!(shift("2021-03-14", 10).as_deref(), Some("2021-03-24"));
        assert_eq!(shift("03/14/2021", -14).as_deref(), Some("02/28/2021"));
        assert_eq!(shift("14.03.2021", 1).as_deref(), Some("15.03.2021"));
        assert_eq!(
            shift("March 14, 2021", 30).as_deref(),
            Some("April 13, 2021")
        );
        assert_eq!(shift("14 Mar 2021", 1).as_deref(), Some("15 Mar 2021"));
        assert_eq!(shift("March 2021", 31).as_deref(), Some("April 2021"));
        assert_eq!(
            shift("2020-12-31T10:30:00Z", 1).as_deref(),
            Some("2021-01-01T10:30:00Z")
        );
        assert_eq!(shift("12/31/99", 1).as_deref(), Some("01/01/00"));
        assert_eq!(
            shift("14th March 2021", 1).as_deref(),
            Some("15th March 2021")
        );
        assert_eq!(shift("not a date", 1), None);
        assert_eq!(shift("02/30/2021", 1), None);
        assert_eq!(shift("1/1/99999999999999999", 1), None);
        assert_eq!(shift("March 5, 99999999999999999", 1), None);
    }

    #[test]
    fn timestamps_are_told_from_other_text() {
        use super::is_timestamp;
        for ok in [
            "2024-03-01T09:30:00Z",
            "2024-03-01T09:30:00.123456+01:00",
            "2024-03-01 09:30",
            "2024-02-29T23:59:60-0500",
            "2024-03-01T09:30:00+01",
        ] {
            assert!(is_timestamp(ok), "{ok}");
        }
        for no in [
            "1961-03-04",
            "2023-02-29T09:30:00Z",
            "2024-03-01T24:00:00Z",
            "2024-03-01T09:30:00Z Margaret Thompson",
            "512-48-3391",
            "yesterday at 9",
            "2024-03-01T09:30:00.Z",
            "",
        ] {
            assert!(!is_timestamp(no), "{no}");
        }
    }
}
