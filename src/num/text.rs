//! Numbers as text: parsing decimals and fractions exactly, printing the exact value and
//! a rounded display, and their serde forms.

use super::{pow10_big, ArithError, Number, Repr, RoundingMode, MAX_BITS};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Why a text is not a number: its message names the text and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseNumberError(String);

impl fmt::Display for ParseNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseNumberError {}

impl Number {
    /// Parses decimal text such as `8.95`, `-3`, `1e3`, `1.5E-2`, or a fraction `1/3`,
    /// exactly; a number past the size limit is an error that says so.
    pub fn parse(text: &str) -> Result<Number, ParseNumberError> {
        Number::parse_text(text).map_err(ParseNumberError)
    }

    fn parse_text(text: &str) -> Result<Number, String> {
        match Number::parse_plain(text.trim()) {
            Some(n) => Ok(n),
            None => Number::parse_general(text),
        }
    }

    /// A whole number or a plain decimal (`72.4`, `-3`, `0.125`) of at most 18 digits in
    /// all, parsed in 64-bit integers (see [`plain_parts`]). `None` for anything else
    /// (exponents, fractions, `+`, more digits), which [`Number::parse_general`] reads.
    pub(super) fn parse_plain(t: &str) -> Option<Number> {
        let (n, d) = plain_parts(t)?;
        Some(Number(Repr::Fixed(num_rational::Ratio::new_raw(
            i128::from(n),
            i128::from(d),
        ))))
    }

    /// Any number text: decimals of any length, exponents, fractions `a/b`, exactly.
    pub(super) fn parse_general(text: &str) -> Result<Number, String> {
        let t = text.trim();
        let bad = || format!("'{text}' is not a number");
        let too_big = |e: ArithError| format!("'{text}': {e}");
        // at most this many decimal digits can fit in MAX_BITS (log2(10) > 3.32)
        let max_digits = (MAX_BITS * 100 / 332) as usize + 1;
        let whole = |s: &str| -> Result<BigInt, String> {
            let s = s.trim();
            let body = s.strip_prefix(['-', '+']).unwrap_or(s);
            if body.is_empty() || !body.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            if body.trim_start_matches('0').len() > max_digits {
                return Err(too_big(ArithError::TooLarge {
                    bits: (body.len() as u64 * 332) / 100,
                }));
            }
            s.parse::<BigInt>().map_err(|_| bad())
        };
        if let Some((a, b)) = t.split_once('/') {
            let (n, d) = (whole(a)?, whole(b)?);
            if d.is_zero() {
                return Err(format!("'{text}': {}", ArithError::DivisionByZero));
            }
            return Number::from_big(BigRational::new(n, d)).map_err(too_big);
        }
        let (mantissa, exp) = match t.find(['e', 'E']) {
            Some(i) => {
                let e: i64 = t[i + 1..].parse().map_err(|_| bad())?;
                (&t[..i], e)
            }
            None => (t, 0),
        };
        let (neg, digits) = match mantissa.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
        };
        let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
        if (int_part.is_empty() && frac_part.is_empty())
            || !int_part.bytes().all(|c| c.is_ascii_digit())
            || !frac_part.bytes().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let all = format!("{int_part}{frac_part}");
        let all = all.trim_start_matches('0');
        let mut n = if all.is_empty() {
            return Ok(Number::ZERO);
        } else {
            whole(all)?
        };
        if neg {
            n = -n;
        }
        let scale = exp - frac_part.len() as i64;
        let size = |k: i64| ArithError::TooLarge {
            bits: (k.unsigned_abs() + all.len() as u64) * 332 / 100,
        };
        if scale.unsigned_abs() as usize + all.len() > max_digits + 1 {
            return Err(too_big(size(scale)));
        }
        let pow = pow10_big(scale.unsigned_abs() as u32);
        let x = if scale >= 0 {
            BigRational::from_integer(n * pow)
        } else {
            BigRational::new(n, pow)
        };
        Number::from_big(x).map_err(too_big)
    }

    /// The exact value as text: a terminating decimal (`8.95`) when there is one of at most
    /// 30 decimals, otherwise the reduced fraction (`173/219`).
    pub fn to_exact_string(&self) -> String {
        if let Repr::Fixed(r) = &self.0 {
            let (n, d) = (*r.numer(), *r.denom());
            if d == 1 {
                return n.to_string();
            }
            let mut rest = d;
            let (mut twos, mut fives) = (0u32, 0u32);
            while rest % 2 == 0 {
                rest /= 2;
                twos += 1;
            }
            while rest % 5 == 0 {
                rest /= 5;
                fives += 1;
            }
            let digits = twos.max(fives);
            if rest != 1 || digits > 30 {
                return format!("{n}/{d}");
            }
            return self.fixed_unchecked(digits);
        }
        let big = self.to_big();
        let (n, d) = (big.numer(), big.denom());
        if d.is_one() {
            return n.to_string();
        }
        let twos = d.trailing_zeros().unwrap_or(0);
        let mut rest = d >> twos;
        let five = BigInt::from(5u8);
        let mut fives = 0u64;
        while fives <= 30 && (&rest % &five).is_zero() {
            rest /= &five;
            fives += 1;
        }
        let digits = twos.max(fives);
        if !rest.is_one() || digits > 30 {
            return format!("{n}/{d}");
        }
        self.fixed_unchecked(digits as u32)
    }

    /// Rounds with `mode` and prints exactly `digits` decimals (`79.0`).
    pub fn to_fixed(&self, digits: u32, mode: RoundingMode) -> Result<String, ArithError> {
        let r = self.clone().round(digits, mode)?;
        Ok(r.fixed_unchecked(digits))
    }

    /// Prints a number whose denominator divides 10^digits with `digits` decimals.
    fn fixed_unchecked(&self, digits: u32) -> String {
        if let Repr::Fixed(r) = &self.0 {
            let (n, d) = (*r.numer(), *r.denom());
            let neg = n < 0;
            let n = n.unsigned_abs();
            let d = d.unsigned_abs();
            let int = n / d;
            let mut rem = n % d;
            let mut s = String::new();
            if neg {
                s.push('-');
            }
            s.push_str(&int.to_string());
            if digits > 0 {
                s.push('.');
                for _ in 0..digits {
                    rem *= 10;
                    s.push(char::from(b'0' + (rem / d) as u8));
                    rem %= d;
                }
            }
            return s;
        }
        let big = self.to_big();
        let scaled = (big.numer() * pow10_big(digits)) / big.denom();
        let text = scaled.magnitude().to_string();
        let text = format!("{text:0>width$}", width = digits as usize + 1);
        let (int, frac) = text.split_at(text.len() - digits as usize);
        let sign = if scaled.is_negative() { "-" } else { "" };
        if digits == 0 {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac}")
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_exact_string())
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({})", self.to_exact_string())
    }
}

impl FromStr for Number {
    type Err = ParseNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Number::parse(s)
    }
}

impl Serialize for Number {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_exact_string())
    }
}

impl<'de> Deserialize<'de> for Number {
    /// Accepts a JSON number (read from its text, exactly) or a string (`"8.95"`, `"1/3"`).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        match &v {
            serde_json::Value::Number(n) => {
                Number::parse(n.as_str()).map_err(serde::de::Error::custom)
            }
            serde_json::Value::String(s) => Number::parse(s).map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(format!(
                "expected a number, found {}",
                crate::json_locate::describe(other)
            ))),
        }
    }
}

/// A plain decimal of at most 18 digits as its reduced fraction `n / d` in 64-bit integers:
/// the digits over a power of ten, reduced by the factors of two and five they share with
/// it (the only factors a power of ten has), so no division by a greatest common divisor.
pub(super) fn plain_parts(t: &str) -> Option<(i64, u64)> {
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    if int_part.is_empty()
        || int_part.len() + frac_part.len() > 18
        || !plain(int_part)
        || !plain(frac_part)
        || (digits.len() > int_part.len() && frac_part.is_empty())
    {
        return None;
    }
    let mut m: u64 = 0;
    for c in int_part.bytes().chain(frac_part.bytes()) {
        m = m * 10 + u64::from(c - b'0');
    }
    if m == 0 {
        return Some((0, 1));
    }
    let k = frac_part.len() as u32;
    let twos = m.trailing_zeros().min(k);
    m >>= twos;
    let mut fives = 0;
    while fives < k && m.is_multiple_of(5) {
        m /= 5;
        fives += 1;
    }
    let d = (1u64 << (k - twos)) * 5u64.pow(k - fives);
    // at most 18 digits: below 2^63
    let n = m as i64;
    Some((if digits.len() < t.len() { -n } else { n }, d))
}

impl super::Num {
    /// A plain decimal (see [`plain_parts`]) held inline, read without building a
    /// [`Number`]; `None` for any other text.
    pub(crate) fn parse_plain(t: &str) -> Option<super::Num> {
        let (n, d) = plain_parts(t)?;
        Some(super::Num::Small(n, std::num::NonZeroU64::new(d)?))
    }
}
