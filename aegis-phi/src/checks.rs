//! Check digits and number-allocation rules: the structure that tells an identifier from a
//! number that only looks like one.

/// Digits of `s`, ignoring separators; `None` if `s` holds anything but digits, spaces and `-`.
fn digits(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'0'..=b'9' => out.push(b - b'0'),
            b' ' | b'-' => {}
            _ => return None,
        }
    }
    Some(out)
}

/// The Luhn (mod 10) check used by payment cards, IMEIs and NPIs.
pub(crate) fn luhn_digits(d: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &x) in d.iter().rev().enumerate() {
        let mut v = u32::from(x);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    !d.is_empty() && sum.is_multiple_of(10)
}

/// A payment card number: 13 to 19 digits passing Luhn.
pub(crate) fn card(s: &str) -> bool {
    digits(s).is_some_and(|d| (13..=19).contains(&d.len()) && luhn_digits(&d))
}

/// An IMEI: 15 digits passing Luhn.
pub(crate) fn imei(s: &str) -> bool {
    digits(s).is_some_and(|d| d.len() == 15 && luhn_digits(&d))
}

/// A US National Provider Identifier: 10 digits, Luhn over `80840` + the number.
pub(crate) fn npi(s: &str) -> bool {
    digits(s).is_some_and(|d| {
        let mut all = vec![8, 0, 8, 4, 0];
        all.extend_from_slice(&d);
        d.len() == 10 && matches!(d[0], 1 | 2) && luhn_digits(&all)
    })
}

/// A US Social Security number that the SSA could have issued: area not 000, 666 or 900–999;
/// group not 00; serial not 0000.
pub(crate) fn ssn(s: &str) -> bool {
    let Some(d) = digits(s) else { return false };
    if d.len() != 9 {
        return false;
    }
    let area = u32::from(d[0]) * 100 + u32::from(d[1]) * 10 + u32::from(d[2]);
    let group = d[3] * 10 + d[4];
    let serial = d[5..].iter().fold(0u32, |a, &x| a * 10 + u32::from(x));
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// The check digit (position 9) of a North American VIN.
pub(crate) fn vin(s: &str) -> bool {
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let b = s.as_bytes();
    if b.len() != 17 {
        return false;
    }
    let mut sum = 0;
    for (i, &c) in b.iter().enumerate() {
        let v = match c.to_ascii_uppercase() {
            c @ b'0'..=b'9' => u32::from(c - b'0'),
            c @ b'A'..=b'H' => u32::from(c - b'A') + 1,
            c @ b'J'..=b'N' => u32::from(c - b'J') + 1,
            b'P' => 7,
            b'R' => 9,
            c @ b'S'..=b'Z' => u32::from(c - b'S') + 2,
            _ => return false,
        };
        sum += v * WEIGHTS[i];
    }
    let check = match sum % 11 {
        10 => b'X',
        r => b'0' + r as u8,
    };
    b[8].to_ascii_uppercase() == check
}

/// An IBAN: country code, two check digits, mod-97 of the rearranged number equal to 1.
pub(crate) fn iban(s: &str) -> bool {
    let compact: Vec<u8> = s
        .bytes()
        .filter(|b| *b != b' ')
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if !(15..=34).contains(&compact.len())
        || !compact[..2].iter().all(u8::is_ascii_uppercase)
        || !compact[2..4].iter().all(u8::is_ascii_digit)
        || !compact.iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    let mut rem = 0u32;
    for &c in compact[4..].iter().chain(&compact[..4]) {
        if c.is_ascii_digit() {
            rem = (rem * 10 + u32::from(c - b'0')) % 97;
        } else {
            rem = (rem * 100 + u32::from(c - b'A') + 10) % 97;
        }
    }
    rem == 1
}

/// A DEA registration number: two letters and seven digits whose last is a check digit.
pub(crate) fn dea(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 9 || !b[..2].iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let Some(d) = digits(&s[2..]) else {
        return false;
    };
    if d.len() != 7 {
        return false;
    }
    let sum = u32::from(d[0] + d[2] + d[4]) + 2 * u32::from(d[1] + d[3] + d[5]);
    sum % 10 == u32::from(d[6])
}

/// An ABA routing number: nine digits with the 3-7-1 weighted checksum.
pub(crate) fn aba(s: &str) -> bool {
    let Some(d) = digits(s) else { return false };
    if d.len() != 9 {
        return false;
    }
    let w = [3u32, 7, 1];
    d.iter()
        .enumerate()
        .map(|(i, &x)| u32::from(x) * w[i % 3])
        .sum::<u32>()
        % 10
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_accept_real_shapes_and_reject_one_digit_off() {
        assert!(card("4111 1111 1111 1111"));
        assert!(!card("4111 1111 1111 1112"));
        assert!(imei("490154203237518"));
        assert!(!imei("490154203237519"));
        assert!(npi("1234567893"));
        assert!(!npi("1234567890"));
        assert!(ssn("123-45-6789"));
        assert!(!ssn("666-45-6789") && !ssn("900-12-3456") && !ssn("123-00-6789"));
        assert!(!ssn("000-12-3456") && !ssn("123-45-0000"));
        assert!(vin("1HGCM82633A004352"));
        assert!(vin("11111111111111111"));
        assert!(!vin("1HGCM82634A004352"));
        assert!(iban("GB82 WEST 1234 5698 7654 32"));
        assert!(iban("DE89370400440532013000"));
        assert!(!iban("DE89370400440532013001"));
        assert!(dea("AB1234563"));
        assert!(!dea("AB1234564"));
        assert!(aba("011000015"));
        assert!(!aba("011000016"));
    }
}
