//! Exact numbers.
//!
//! Every number on the path from an input record to a grade is a [`Number`]: an exact
//! rational with 128-bit numerator and denominator. Input numbers are parsed from their
//! JSON text (never through `f64`), rates stay exact (`1038/1314` is kept as `173/219`),
//! and rounding happens only where a pack asks for it, with the mode it names.
//! Arithmetic is checked: an overflow is an error, never a wrong answer.

use num_integer::Integer;
use num_rational::Ratio;
use num_traits::{CheckedAdd, CheckedDiv, CheckedMul, CheckedSub, Signed, Zero};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An exact rational number.
///
/// Arithmetic on numbers whose numerator and denominator fit in 64 bits (the numbers of
/// real data) runs in 64- and 128-bit integers with 64-bit gcds; anything larger goes
/// through the general 128-bit rational code. Both give the same reduced fraction.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Number(Ratio<i128>);

/// Greatest common divisor (binary), `gcd(0, b) == b`.
fn gcd64(mut a: u64, mut b: u64) -> u64 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, o: &Number) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Number {
    fn cmp(&self, o: &Number) -> std::cmp::Ordering {
        match (self.small(), o.small()) {
            // a/b vs c/d with positive denominators: a·d vs c·b, exactly in 128 bits
            (Some((a, b)), Some((c, d))) => {
                (i128::from(a) * i128::from(d)).cmp(&(i128::from(c) * i128::from(b)))
            }
            _ => self.0.cmp(&o.0),
        }
    }
}

/// An arithmetic failure: overflow or division by zero.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArithError {
    /// The exact result does not fit in 128-bit numerator and denominator.
    #[error("arithmetic overflow")]
    Overflow,
    /// Division by zero.
    #[error("division by zero")]
    DivisionByZero,
}

/// How to round to a number of decimal digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// Round half away from zero (四舍五入): 8.95 → 9.0.
    #[default]
    HalfUp,
    /// Round half towards zero: 8.95 → 8.9.
    HalfDown,
    /// Round half to even (banker's rounding): 8.85 → 8.8, 8.95 → 9.0.
    HalfEven,
    /// Away from zero: 8.91 → 9.0.
    Up,
    /// Towards zero (truncate): 8.99 → 8.9.
    Down,
    /// Towards positive infinity.
    Ceiling,
    /// Towards negative infinity.
    Floor,
}

impl RoundingMode {
    /// All modes with their pack names.
    pub const ALL: [(&'static str, RoundingMode); 7] = [
        ("half_up", RoundingMode::HalfUp),
        ("half_down", RoundingMode::HalfDown),
        ("half_even", RoundingMode::HalfEven),
        ("up", RoundingMode::Up),
        ("down", RoundingMode::Down),
        ("ceiling", RoundingMode::Ceiling),
        ("floor", RoundingMode::Floor),
    ];

    /// Looks a mode up by its pack name (`"half_up"`, …).
    pub fn from_name(name: &str) -> Option<RoundingMode> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
    }
}

/// The largest number of decimal digits a pack may round to.
pub const MAX_DIGITS: u32 = 18;

// `add`, `sub`, … are checked and return a `Result`, so they cannot be the operator
// traits; the names say what they do.
#[allow(clippy::should_implement_trait)]
impl Number {
    /// Zero.
    pub const ZERO: Number = Number(Ratio::new_raw(0, 1));
    /// One.
    pub const ONE: Number = Number(Ratio::new_raw(1, 1));

    /// A whole number.
    pub fn from_int(n: i128) -> Number {
        Number(Ratio::from_integer(n))
    }

    /// `numer / denom`, reduced; an error when `denom` is zero.
    pub fn ratio(numer: i128, denom: i128) -> Result<Number, ArithError> {
        if denom == 0 {
            return Err(ArithError::DivisionByZero);
        }
        if numer == i128::MIN || denom == i128::MIN {
            return Err(ArithError::Overflow);
        }
        Ok(Number(Ratio::new(numer, denom)))
    }

    /// Numerator of the reduced fraction (the sign is carried here).
    pub fn numer(&self) -> i128 {
        *self.0.numer()
    }

    /// Denominator of the reduced fraction (always positive).
    pub fn denom(&self) -> i128 {
        *self.0.denom()
    }

    /// True when the number is whole.
    pub fn is_integer(&self) -> bool {
        self.0.is_integer()
    }

    /// True when the number is zero.
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// True when the number is below zero.
    pub fn is_negative(&self) -> bool {
        self.0.is_negative()
    }

    /// Numerator and denominator when both fit in 64 bits.
    fn small(&self) -> Option<(i64, u64)> {
        Some((
            i64::try_from(*self.0.numer()).ok()?,
            u64::try_from(*self.0.denom()).ok()?,
        ))
    }

    /// A reduced fraction from its parts (`d > 0`, `gcd(n, d) == 1`); `None` when it does
    /// not fit.
    fn reduced(n: i128, d: u128) -> Option<Number> {
        if n == 0 {
            return Some(Number::ZERO);
        }
        Some(Number(Ratio::new_raw(n, i128::try_from(d).ok()?)))
    }

    /// `a/b + c/d` for 64-bit parts (Knuth's method: only gcds of 64-bit numbers).
    fn add_small((a, b): (i64, u64), (c, d): (i64, u64)) -> Option<Number> {
        let g = gcd64(b, d);
        let (b_g, d_g) = (b / g, d / g);
        let n = (i128::from(a) * i128::from(d_g)).checked_add(i128::from(c) * i128::from(b_g))?;
        // gcd(n, b_g·d) divides gcd(n, g)
        let g2 = gcd64((n.unsigned_abs() % u128::from(g)) as u64, g);
        Number::reduced(n / i128::from(g2), u128::from(b_g) * u128::from(d / g2))
    }

    /// `a/b × c/d` for 64-bit parts, cross-reduced first so the result is reduced.
    fn mul_small((a, b): (i64, u64), (c, d): (i64, u64)) -> Option<Number> {
        let g1 = gcd64(a.unsigned_abs(), d);
        let g2 = gcd64(c.unsigned_abs(), b);
        let n = (i128::from(a) / i128::from(g1)).checked_mul(i128::from(c) / i128::from(g2))?;
        Number::reduced(n, u128::from(b / g2) * u128::from(d / g1))
    }

    /// Checked addition.
    pub fn add(self, o: Number) -> Result<Number, ArithError> {
        if let Some(x) = self
            .small()
            .zip(o.small())
            .and_then(|(x, y)| Number::add_small(x, y))
        {
            return Ok(x);
        }
        self.0
            .checked_add(&o.0)
            .map(Number)
            .ok_or(ArithError::Overflow)
    }

    /// Checked subtraction.
    pub fn sub(self, o: Number) -> Result<Number, ArithError> {
        if let Some(x) = self
            .small()
            .zip(o.small())
            .and_then(|(x, (c, d))| Number::add_small(x, (c.checked_neg()?, d)))
        {
            return Ok(x);
        }
        self.0
            .checked_sub(&o.0)
            .map(Number)
            .ok_or(ArithError::Overflow)
    }

    /// Checked multiplication.
    pub fn mul(self, o: Number) -> Result<Number, ArithError> {
        if let Some(x) = self
            .small()
            .zip(o.small())
            .and_then(|(x, y)| Number::mul_small(x, y))
        {
            return Ok(x);
        }
        self.0
            .checked_mul(&o.0)
            .map(Number)
            .ok_or(ArithError::Overflow)
    }

    /// Checked division.
    pub fn div(self, o: Number) -> Result<Number, ArithError> {
        if o.is_zero() {
            return Err(ArithError::DivisionByZero);
        }
        // x ÷ c/d = x × (±d)/|c|
        let inverse =
            |(c, d): (i64, u64)| Some((i64::try_from(d).ok()? * c.signum(), c.unsigned_abs()));
        if let Some(x) = self
            .small()
            .zip(o.small().and_then(inverse))
            .and_then(|(x, y)| Number::mul_small(x, y))
        {
            return Ok(x);
        }
        self.0
            .checked_div(&o.0)
            .map(Number)
            .ok_or(ArithError::Overflow)
    }

    /// Remainder of truncating division (`7 % 3 == 1`, `-7 % 3 == -1`), as in rhai.
    pub fn rem(self, o: Number) -> Result<Number, ArithError> {
        if o.is_zero() {
            return Err(ArithError::DivisionByZero);
        }
        let q = self.div(o)?.0.trunc();
        self.sub(Number(q).mul(o)?)
    }

    /// Negation.
    pub fn neg(self) -> Result<Number, ArithError> {
        Number::ZERO.sub(self)
    }

    /// Absolute value.
    pub fn abs(self) -> Result<Number, ArithError> {
        if self.is_negative() {
            self.neg()
        } else {
            Ok(self)
        }
    }

    /// Rounds to `digits` decimal places with `mode`.
    pub fn round(self, digits: u32, mode: RoundingMode) -> Result<Number, ArithError> {
        if digits > MAX_DIGITS {
            return Err(ArithError::Overflow);
        }
        let scale = 10i128.pow(digits);
        let scaled = self.mul(Number::from_int(scale))?;
        let (n, d) = (scaled.numer(), scaled.denom());
        let floor = Integer::div_floor(&n, &d);
        let rem = n - floor * d; // 0 <= rem < d
        let negative = n < 0;
        let up = if rem == 0 {
            false
        } else {
            // compare rem/d with 1/2 without overflow: rem vs d - rem
            let half = rem.cmp(&(d - rem));
            match mode {
                RoundingMode::Floor => false,
                RoundingMode::Ceiling => true,
                RoundingMode::Down => negative,
                RoundingMode::Up => !negative,
                RoundingMode::HalfUp => match half {
                    std::cmp::Ordering::Greater => true,
                    std::cmp::Ordering::Less => false,
                    std::cmp::Ordering::Equal => !negative,
                },
                RoundingMode::HalfDown => match half {
                    std::cmp::Ordering::Greater => true,
                    std::cmp::Ordering::Less => false,
                    std::cmp::Ordering::Equal => negative,
                },
                RoundingMode::HalfEven => match half {
                    std::cmp::Ordering::Greater => true,
                    std::cmp::Ordering::Less => false,
                    std::cmp::Ordering::Equal => floor.is_odd(),
                },
            }
        };
        let int = if up { floor + 1 } else { floor };
        Number::ratio(int, scale)
    }

    /// Smallest whole number not below this one.
    pub fn ceil_int(self) -> i128 {
        let (n, d) = (self.numer(), self.denom());
        let q = Integer::div_floor(&n, &d);
        if q * d == n {
            q
        } else {
            q + 1
        }
    }

    /// Parses decimal text such as `8.95`, `-3`, `1e3`, `1.5E-2`, or a fraction `1/3`.
    pub fn parse(text: &str) -> Result<Number, String> {
        let t = text.trim();
        // whole numbers of up to 18 digits: no scaling needed
        let digits = t.strip_prefix('-').unwrap_or(t);
        if !digits.is_empty() && digits.len() <= 18 && digits.bytes().all(|c| c.is_ascii_digit()) {
            if let Ok(n) = t.parse::<i64>() {
                return Ok(Number::from_int(n as i128));
            }
        }
        let bad = || format!("'{text}' is not a number");
        if let Some((a, b)) = t.split_once('/') {
            let n: i128 = a.trim().parse().map_err(|_| bad())?;
            let d: i128 = b.trim().parse().map_err(|_| bad())?;
            return Number::ratio(n, d).map_err(|e| format!("'{text}': {e}"));
        }
        let (mantissa, exp) = match t.find(['e', 'E']) {
            Some(i) => {
                let e: i32 = t[i + 1..].parse().map_err(|_| bad())?;
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
        let all: String = format!("{int_part}{frac_part}");
        let all = all.trim_start_matches('0');
        let too_big = || format!("'{text}' has too many digits to be exact here");
        let mut n: i128 = if all.is_empty() {
            0
        } else {
            all.parse().map_err(|_| too_big())?
        };
        if neg {
            n = -n;
        }
        let scale = exp - frac_part.len() as i32;
        let pow =
            |k: i32| -> Result<i128, String> { 10i128.checked_pow(k as u32).ok_or_else(too_big) };
        if scale >= 0 {
            let m = pow(scale)?;
            n.checked_mul(m).map(Number::from_int).ok_or_else(too_big)
        } else {
            Number::ratio(n, pow(-scale)?).map_err(|_| too_big())
        }
    }

    /// The exact value as text: a terminating decimal (`8.95`) when there is one,
    /// otherwise the reduced fraction (`173/219`).
    pub fn to_exact_string(&self) -> String {
        let d = self.denom();
        if d == 1 {
            return self.numer().to_string();
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
        if rest != 1 {
            return format!("{}/{}", self.numer(), d);
        }
        let digits = twos.max(fives);
        match self.round(digits, RoundingMode::Down) {
            Ok(_) if digits <= 30 => self.fixed_unchecked(digits),
            _ => format!("{}/{}", self.numer(), d),
        }
    }

    /// Rounds with `mode` and prints exactly `digits` decimals (`79.0`).
    pub fn to_fixed(&self, digits: u32, mode: RoundingMode) -> Result<String, ArithError> {
        let r = self.round(digits, mode)?;
        Ok(r.fixed_unchecked(digits))
    }

    /// Prints a number whose denominator divides 10^digits with `digits` decimals.
    fn fixed_unchecked(&self, digits: u32) -> String {
        let (n, d) = (self.numer(), self.denom());
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
        s
    }
}

/// A [`Number`] as a [`Value`](crate::value::Value) holds it: 16 bytes instead of 32. It is
/// inline when the reduced numerator and denominator fit in 64 bits, which every number read
/// from data and nearly every computed one does, and shared otherwise. The form is canonical
/// (a number that fits is always inline), so equal numbers have equal `Num`s.
#[derive(PartialEq, Eq)]
pub enum Num {
    /// Numerator and (positive) denominator of the reduced fraction.
    Small(i64, std::num::NonZeroU64),
    /// A number too big to be inline.
    Big(std::sync::Arc<Number>),
}

/// Not inlined, so that its test of which form a number has stays behind the test that a
/// value is a number: inlined into a loop, the compiler may test the form first, reading
/// bytes that other kinds of values leave unset (harmless, but valgrind reports it).
impl Clone for Num {
    #[inline(never)]
    fn clone(&self) -> Num {
        match self {
            Num::Small(n, d) => Num::Small(*n, *d),
            Num::Big(b) => Num::Big(b.clone()),
        }
    }
}

impl Num {
    /// The number.
    pub fn get(&self) -> Number {
        match self {
            Num::Small(n, d) => Number(Ratio::new_raw(*n as i128, d.get() as i128)),
            Num::Big(b) => **b,
        }
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, o: &Num) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Num {
    /// The order of the numbers (inline ones compared without building a [`Number`]).
    fn cmp(&self, o: &Num) -> std::cmp::Ordering {
        match (self, o) {
            (Num::Small(a, b), Num::Small(c, d)) => {
                (i128::from(*a) * i128::from(d.get())).cmp(&(i128::from(*c) * i128::from(b.get())))
            }
            _ => self.get().cmp(&o.get()),
        }
    }
}

impl From<Number> for Num {
    fn from(x: Number) -> Num {
        let small = i64::try_from(x.numer()).ok().zip(
            u64::try_from(x.denom())
                .ok()
                .and_then(std::num::NonZeroU64::new),
        );
        match small {
            Some((n, d)) => Num::Small(n, d),
            None => Num::Big(std::sync::Arc::new(x)),
        }
    }
}

impl fmt::Debug for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.get(), f)
    }
}

impl Default for Number {
    fn default() -> Self {
        Number::ZERO
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
    type Err = String;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    #[test]
    fn parses_exactly() {
        assert_eq!(n("8.95"), Number::ratio(895, 100).unwrap());
        assert_eq!(n("-0.5"), Number::ratio(-1, 2).unwrap());
        assert_eq!(n("1e3"), Number::from_int(1000));
        assert_eq!(n("1.5E-2"), Number::ratio(15, 1000).unwrap());
        assert_eq!(n("1/3").to_exact_string(), "1/3");
        assert_eq!(n("007.50").to_exact_string(), "7.5");
        for bad in ["", "-", ".", "1..2", "abc", "1e", "1/0", "--1", "1e99999"] {
            assert!(Number::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn half_up_at_the_catering_boundary() {
        // (9.0 + 8.9) / 2 = 8.95 -> 9.0 half-up (A), 8.9 if truncated or float-rounded.
        let mean = n("9.0")
            .add(n("8.9"))
            .unwrap()
            .div(Number::from_int(2))
            .unwrap();
        assert_eq!(mean.to_exact_string(), "8.95");
        assert_eq!(mean.round(1, RoundingMode::HalfUp).unwrap(), n("9.0"));
        assert_eq!(mean.round(1, RoundingMode::HalfDown).unwrap(), n("8.9"));
        assert_eq!(mean.round(1, RoundingMode::HalfEven).unwrap(), n("9.0"));
        assert_eq!(
            n("8.85").round(1, RoundingMode::HalfEven).unwrap(),
            n("8.8")
        );
    }

    #[test]
    fn every_mode_on_negative_and_positive() {
        let cases = [
            (
                "2.5",
                [
                    ("half_up", "3"),
                    ("half_down", "2"),
                    ("half_even", "2"),
                    ("up", "3"),
                    ("down", "2"),
                    ("ceiling", "3"),
                    ("floor", "2"),
                ],
            ),
            (
                "-2.5",
                [
                    ("half_up", "-3"),
                    ("half_down", "-2"),
                    ("half_even", "-2"),
                    ("up", "-3"),
                    ("down", "-2"),
                    ("ceiling", "-2"),
                    ("floor", "-3"),
                ],
            ),
            (
                "2.4",
                [
                    ("half_up", "2"),
                    ("half_down", "2"),
                    ("half_even", "2"),
                    ("up", "3"),
                    ("down", "2"),
                    ("ceiling", "3"),
                    ("floor", "2"),
                ],
            ),
        ];
        for (x, expected) in cases {
            for (mode, want) in expected {
                let m = RoundingMode::from_name(mode).unwrap();
                assert_eq!(n(x).round(0, m).unwrap(), n(want), "{x} {mode}");
            }
        }
    }

    #[test]
    fn displays_rates() {
        let rate = Number::ratio(1038, 1314)
            .unwrap()
            .mul(Number::from_int(100))
            .unwrap();
        assert_eq!(rate.to_exact_string(), "17300/219");
        assert_eq!(rate.to_fixed(0, RoundingMode::HalfUp).unwrap(), "79");
        assert_eq!(rate.to_fixed(1, RoundingMode::HalfUp).unwrap(), "79.0");
        assert_eq!(rate.to_fixed(2, RoundingMode::HalfUp).unwrap(), "79.00");
        assert_eq!(
            n("-0.05").to_fixed(1, RoundingMode::HalfUp).unwrap(),
            "-0.1"
        );
        assert_eq!(n("0.125").to_exact_string(), "0.125");
    }

    #[test]
    fn ceil_near_the_limits() {
        assert_eq!(n("2.1").ceil_int(), 3);
        assert_eq!(n("-2.1").ceil_int(), -2);
        assert_eq!(n("4").ceil_int(), 4);
        let big = Number::ratio(i128::MAX, 2).unwrap();
        assert_eq!(big.ceil_int(), i128::MAX / 2 + 1);
    }

    #[test]
    fn overflow_is_an_error() {
        let big = Number::from_int(i128::MAX / 2);
        assert_eq!(big.mul(Number::from_int(4)), Err(ArithError::Overflow));
        assert_eq!(
            Number::ONE.div(Number::ZERO),
            Err(ArithError::DivisionByZero)
        );
        assert_eq!(n("7").rem(n("3")).unwrap(), n("1"));
        assert_eq!(n("-7").rem(n("3")).unwrap(), n("-1"));
    }

    /// The 64-bit fast paths give exactly what the general 128-bit rational code gives,
    /// including at the edges of the 64-bit range (where they step aside).
    mod fast_paths {
        use super::*;
        use proptest::prelude::*;

        fn general(x: Number, y: Number, op: u8) -> Option<Number> {
            let (a, b) = (x.0, y.0);
            match op {
                0 => a.checked_add(&b),
                1 => a.checked_sub(&b),
                2 => a.checked_mul(&b),
                _ if b.is_zero() => None,
                _ => a.checked_div(&b),
            }
            .map(Number)
        }

        fn part() -> impl Strategy<Value = i128> {
            prop_oneof![
                -1000i128..1000,
                any::<i64>().prop_map(i128::from),
                Just(i128::from(i64::MIN)),
                Just(i128::from(i64::MAX)),
                Just(i128::from(u64::MAX)),
                Just(i128::from(u64::MAX) + 1),
            ]
        }

        fn number() -> impl Strategy<Value = Number> {
            (part(), part()).prop_filter_map("a denominator", |(n, d)| Number::ratio(n, d).ok())
        }

        proptest! {
            #[test]
            fn same_as_the_general_code(x in number(), y in number(), op in 0u8..4) {
                let fast = match op {
                    0 => x.add(y),
                    1 => x.sub(y),
                    2 => x.mul(y),
                    _ => x.div(y),
                };
                prop_assert_eq!(fast.ok(), general(x, y, op));
                prop_assert_eq!(x.cmp(&y), x.0.cmp(&y.0));
            }
        }

        #[test]
        fn sums_of_decimals() {
            let mut s = Number::ZERO;
            for p in ["4", "3", "0.7", "2.8", "0.05", "-1.25"] {
                s = s.add(n(p)).unwrap();
            }
            assert_eq!(s, n("9.3"));
            assert_eq!(n("8.95").mul(n("2")).unwrap(), n("17.9"));
            assert_eq!(n("17.9").div(n("-2")).unwrap(), n("-8.95"));
            assert!(n("8.95") < n("9.0") && n("-0.5") < n("0.25"));
        }
    }
}
