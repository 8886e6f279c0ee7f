//! Exact numbers.
//!
//! Every number on the path from an input record to a grade is a [`Number`]: an exact
//! rational of any size. Input numbers are parsed from their JSON text (never through
//! `f64`), rates stay exact (`1038/1314` is kept as `173/219`), and rounding happens only
//! where a pack asks for it, with the mode it names.
//!
//! Three tiers give the same reduced fraction: numbers whose parts fit in 64 bits (the
//! numbers of real data) use 64- and 128-bit integers with 64-bit gcds; parts up to 128
//! bits use the general 128-bit rational code; anything larger (the mean of many rates
//! with different denominators, say) falls back to arbitrary-precision integers. A number
//! is never wrong and never overflows below `MAX_BITS`, the engine's one limit on the
//! size of an exact numerator or denominator, which keeps every operation bounded in time.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::{BigRational, Ratio};
use num_traits::{CheckedAdd, CheckedDiv, CheckedMul, CheckedSub, Signed, ToPrimitive, Zero};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// The largest numerator or denominator, in bits, that a number may have (65,536 bits:
/// about 19,700 decimal digits). The exact mean of a million rates whose denominators
/// are below 10,000 needs under 15,000; a number past this limit is an error that names
/// it, so that no operation can take unbounded time or memory.
pub const MAX_BITS: u64 = 65_536;

/// An exact rational number.
///
/// Cloning is cheap: numbers up to 128-bit parts are held inline, larger ones are shared.
/// The form is canonical (a number whose parts fit in 128 bits is always inline), so equal
/// numbers are equal values and hash alike.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Number(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// Reduced, positive denominator, numerator never `i128::MIN`.
    Fixed(Ratio<i128>),
    /// Reduced; a numerator or denominator outside 128 bits.
    Big(Arc<BigRational>),
}

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
            _ => match (&self.0, &o.0) {
                (Repr::Fixed(x), Repr::Fixed(y)) => x.cmp(y),
                _ => self.to_big().cmp(&o.to_big()),
            },
        }
    }
}

/// An arithmetic failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArithError {
    /// An exact numerator or denominator would be larger than `MAX_BITS`.
    #[error("a number larger than the limit of {MAX_BITS} bits for an exact numerator or denominator ({bits} bits)")]
    TooLarge {
        /// The size it would have had, in bits.
        bits: u64,
    },
    /// Division by zero.
    #[error("division by zero")]
    DivisionByZero,
    /// Rounding to more decimal digits than `MAX_DIGITS`.
    #[error("rounding to {0} decimal digits: the limit is {MAX_DIGITS}")]
    Digits(u32),
}

/// How to round to a number of decimal digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

    /// The mode's pack name (`"half_up"`, …).
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(_, m)| *m == self).map_or("half_up", |(n, _)| n)
    }

    /// Looks a mode up by its pack name (`"half_up"`, …).
    pub fn from_name(name: &str) -> Option<RoundingMode> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
    }
}

/// The largest number of decimal digits a pack may round to.
pub const MAX_DIGITS: u32 = 18;

/// `10^k` exactly.
fn pow10_big(k: u32) -> BigInt {
    num_traits::pow(BigInt::from(10u8), k as usize)
}

/// Which way a remainder rounds: `floor` is the quotient rounded down, `rem/d` (with
/// `0 < rem < d`) the fraction left, compared with one half as `half`.
fn rounds_up(
    mode: RoundingMode,
    negative: bool,
    half: std::cmp::Ordering,
    floor_is_odd: bool,
) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    match mode {
        RoundingMode::Floor => false,
        RoundingMode::Ceiling => true,
        RoundingMode::Down => negative,
        RoundingMode::Up => !negative,
        RoundingMode::HalfUp | RoundingMode::HalfDown | RoundingMode::HalfEven => match half {
            Greater => true,
            Less => false,
            Equal => match mode {
                RoundingMode::HalfUp => !negative,
                RoundingMode::HalfDown => negative,
                _ => floor_is_odd,
            },
        },
    }
}

// `add`, `sub`, … are checked and return a `Result`, so they cannot be the operator
// traits; the names say what they do.
#[allow(clippy::should_implement_trait)]
impl Number {
    /// Zero.
    pub const ZERO: Number = Number(Repr::Fixed(Ratio::new_raw(0, 1)));
    /// One.
    pub const ONE: Number = Number(Repr::Fixed(Ratio::new_raw(1, 1)));

    /// A whole number.
    pub fn from_int(n: i128) -> Number {
        if n == i128::MIN {
            return Number(Repr::Big(Arc::new(BigRational::from_integer(n.into()))));
        }
        Number(Repr::Fixed(Ratio::from_integer(n)))
    }

    /// `numer / denom`, reduced; an error when `denom` is zero.
    pub fn ratio(numer: i128, denom: i128) -> Result<Number, ArithError> {
        if denom == 0 {
            return Err(ArithError::DivisionByZero);
        }
        if numer == i128::MIN || denom == i128::MIN {
            return Number::from_big(BigRational::new(numer.into(), denom.into()));
        }
        Ok(Number(Repr::Fixed(Ratio::new(numer, denom))))
    }

    /// A number from an arbitrary-precision fraction (reduced or not): inline when its
    /// reduced parts fit in 128 bits, an error when they are larger than `MAX_BITS`.
    fn from_big(x: BigRational) -> Result<Number, ArithError> {
        let (n, d) = (x.numer(), x.denom());
        if let (Some(n), Some(d)) = (n.to_i128(), d.to_i128()) {
            if n != i128::MIN {
                return Ok(Number(Repr::Fixed(Ratio::new_raw(n, d))));
            }
        }
        let bits = n.bits().max(d.bits());
        if bits > MAX_BITS {
            return Err(ArithError::TooLarge { bits });
        }
        Ok(Number(Repr::Big(Arc::new(x))))
    }

    /// The number as an arbitrary-precision fraction.
    fn to_big(&self) -> BigRational {
        match &self.0 {
            Repr::Fixed(r) => BigRational::new_raw((*r.numer()).into(), (*r.denom()).into()),
            Repr::Big(b) => (**b).clone(),
        }
    }

    /// The whole number, when it is one and fits in 64 bits.
    pub fn to_i64(&self) -> Option<i64> {
        match &self.0 {
            Repr::Fixed(r) if r.is_integer() => i64::try_from(*r.numer()).ok(),
            _ => None,
        }
    }

    /// True when the number is whole.
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Fixed(r) => r.is_integer(),
            Repr::Big(b) => b.is_integer(),
        }
    }

    /// True when the number is zero.
    pub fn is_zero(&self) -> bool {
        matches!(&self.0, Repr::Fixed(r) if r.is_zero())
    }

    /// True when the number is below zero.
    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Fixed(r) => r.is_negative(),
            Repr::Big(b) => b.is_negative(),
        }
    }

    /// Numerator and denominator when both fit in 64 bits.
    #[inline]
    fn small(&self) -> Option<(i64, u64)> {
        match &self.0 {
            Repr::Fixed(r) => Some((
                i64::try_from(*r.numer()).ok()?,
                u64::try_from(*r.denom()).ok()?,
            )),
            Repr::Big(_) => None,
        }
    }

    /// A reduced fraction from its parts (`d > 0`, `gcd(n, d) == 1`); `None` when it does
    /// not fit.
    fn reduced(n: i128, d: u128) -> Option<Number> {
        if n == 0 {
            return Some(Number::ZERO);
        }
        if n == i128::MIN {
            return None;
        }
        Some(Number(Repr::Fixed(Ratio::new_raw(
            n,
            i128::try_from(d).ok()?,
        ))))
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

    /// The 128-bit operation when both numbers are inline and it does not overflow, else
    /// the arbitrary-precision one.
    fn general(
        &self,
        o: &Number,
        fixed: impl FnOnce(&Ratio<i128>, &Ratio<i128>) -> Option<Ratio<i128>>,
        big: impl FnOnce(BigRational, BigRational) -> BigRational,
    ) -> Result<Number, ArithError> {
        if let (Repr::Fixed(x), Repr::Fixed(y)) = (&self.0, &o.0) {
            if let Some(r) = fixed(x, y).filter(|r| *r.numer() != i128::MIN) {
                return Ok(Number(Repr::Fixed(r)));
            }
        }
        Number::from_big(big(self.to_big(), o.to_big()))
    }

    /// Exact addition.
    #[inline]
    pub fn add(self, o: Number) -> Result<Number, ArithError> {
        if let Some(x) = self
            .small()
            .zip(o.small())
            .and_then(|(x, y)| Number::add_small(x, y))
        {
            return Ok(x);
        }
        self.add_general(o)
    }

    /// [`Number::add`] past the 64-bit fast path (kept out of line, so that the fast path
    /// inlines where sums are taken).
    #[cold]
    #[inline(never)]
    fn add_general(self, o: Number) -> Result<Number, ArithError> {
        self.general(&o, |a, b| a.checked_add(b), |a, b| a + b)
    }

    /// Exact subtraction.
    #[inline]
    pub fn sub(self, o: Number) -> Result<Number, ArithError> {
        if let Some(x) = self
            .small()
            .zip(o.small())
            .and_then(|(x, (c, d))| Number::add_small(x, (c.checked_neg()?, d)))
        {
            return Ok(x);
        }
        self.sub_general(o)
    }

    /// [`Number::sub`] past the 64-bit fast path (kept out of line, so that the fast path
    /// inlines where sums are taken).
    #[cold]
    #[inline(never)]
    fn sub_general(self, o: Number) -> Result<Number, ArithError> {
        self.general(&o, |a, b| a.checked_sub(b), |a, b| a - b)
    }

    /// Exact multiplication.
    #[inline]
    pub fn mul(self, o: Number) -> Result<Number, ArithError> {
        if let Some(x) = self
            .small()
            .zip(o.small())
            .and_then(|(x, y)| Number::mul_small(x, y))
        {
            return Ok(x);
        }
        self.mul_general(o)
    }

    /// [`Number::mul`] past the 64-bit fast path (kept out of line, so that the fast path
    /// inlines where sums are taken).
    #[cold]
    #[inline(never)]
    fn mul_general(self, o: Number) -> Result<Number, ArithError> {
        self.general(&o, |a, b| a.checked_mul(b), |a, b| a * b)
    }

    /// Exact division; an error when `o` is zero.
    #[inline]
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
        self.div_general(o)
    }

    /// [`Number::div`] past the 64-bit fast path (kept out of line, so that the fast path
    /// inlines where sums are taken).
    #[cold]
    #[inline(never)]
    fn div_general(self, o: Number) -> Result<Number, ArithError> {
        self.general(&o, |a, b| a.checked_div(b), |a, b| a / b)
    }

    /// The whole part, rounded towards zero.
    fn trunc(&self) -> Number {
        match &self.0 {
            Repr::Fixed(r) => Number(Repr::Fixed(r.trunc())),
            // a whole part is never larger than the number
            Repr::Big(b) => Number::from_big(b.trunc()).unwrap_or(Number::ZERO),
        }
    }

    /// Remainder of truncating division (`7 % 3 == 1`, `-7 % 3 == -1`), as in rhai.
    pub fn rem(self, o: Number) -> Result<Number, ArithError> {
        if o.is_zero() {
            return Err(ArithError::DivisionByZero);
        }
        let q = self.clone().div(o.clone())?.trunc();
        self.sub(q.mul(o)?)
    }

    /// Negation.
    pub fn neg(self) -> Result<Number, ArithError> {
        match &self.0 {
            Repr::Fixed(r) => Ok(Number(Repr::Fixed(-r))), // never i128::MIN, so never overflows
            Repr::Big(b) => Number::from_big(-(**b).clone()),
        }
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
            return Err(ArithError::Digits(digits));
        }
        let scale = 10i128.pow(digits);
        let scaled = self.mul(Number::from_int(scale))?;
        if let Repr::Fixed(r) = &scaled.0 {
            let (n, d) = (*r.numer(), *r.denom());
            let floor = Integer::div_floor(&n, &d);
            let rem = n - floor * d; // 0 <= rem < d
                                     // compare rem/d with 1/2 without overflow: rem vs d - rem
            let up = rem != 0 && rounds_up(mode, n < 0, rem.cmp(&(d - rem)), floor.is_odd());
            if let Some(int) = floor.checked_add(i128::from(up)) {
                return Number::ratio(int, scale);
            }
        }
        let big = scaled.to_big();
        let (n, d) = (big.numer(), big.denom());
        let floor = n.div_floor(d);
        let rem = n - &floor * d;
        let up = !rem.is_zero()
            && rounds_up(mode, n.is_negative(), rem.cmp(&(d - &rem)), floor.is_odd());
        let int = if up { floor + 1 } else { floor };
        Number::from_big(BigRational::new(int, BigInt::from(scale)))
    }

    /// The smallest whole number not below this one.
    pub fn ceil(&self) -> Number {
        match &self.0 {
            Repr::Fixed(r) => {
                let (n, d) = (*r.numer(), *r.denom());
                let q = Integer::div_floor(&n, &d);
                let q = if q * d == n { q } else { q + 1 };
                Number::from_int(q)
            }
            // the ceiling of a number is no larger than it, plus one
            Repr::Big(b) => Number::from_big(b.ceil()).unwrap_or_else(|_| self.clone()),
        }
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
    /// The exact number it holds.
    pub fn get(&self) -> Number {
        match self {
            Num::Small(n, d) => Number(Repr::Fixed(Ratio::new_raw(*n as i128, d.get() as i128))),
            Num::Big(b) => (**b).clone(),
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
    #[inline]
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
        match x
            .small()
            .and_then(|(n, d)| Some((n, std::num::NonZeroU64::new(d)?)))
        {
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

mod text;
pub use text::ParseNumberError;

#[cfg(test)]
mod tests;
