//! Exact arithmetic, rounding, parsing and printing, checked against arbitrary precision.

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
    let mean: Number = n("9.0")
        .add(n("8.9"))
        .unwrap()
        .div(Number::from_int(2))
        .unwrap();
    assert_eq!(mean.to_exact_string(), "8.95");
    assert_eq!(
        mean.clone().round(1, RoundingMode::HalfUp).unwrap(),
        n("9.0")
    );
    assert_eq!(
        mean.clone().round(1, RoundingMode::HalfDown).unwrap(),
        n("8.9")
    );
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
    assert_eq!(n("2.1").ceil(), n("3"));
    assert_eq!(n("-2.1").ceil(), n("-2"));
    assert_eq!(n("4").ceil(), n("4"));
    let big = Number::ratio(i128::MAX, 2).unwrap();
    assert_eq!(big.ceil(), Number::from_int(i128::MAX / 2 + 1));
    let huge = n("1e60").add(n("0.5")).unwrap();
    assert_eq!(
        huge.ceil().to_exact_string(),
        format!("1{}1", "0".repeat(59))
    );
}

#[test]
fn past_128_bits_is_exact_and_comes_back() {
    let big: Number = Number::from_int(i128::MAX / 2);
    let four = big.clone().mul(Number::from_int(4)).unwrap();
    assert_eq!(
        four.to_exact_string(),
        (BigInt::from(i128::MAX / 2) * BigInt::from(4)).to_string()
    );
    assert!(four > big && four.clone().neg().unwrap() < big);
    // back under 128 bits, the number is inline again and equal to one made there
    let back = four.div(Number::from_int(4)).unwrap();
    assert_eq!(back, big);
    assert!(matches!(back.0, Repr::Fixed(_)));
    assert_eq!(
        Number::from_int(i128::MIN).to_exact_string(),
        i128::MIN.to_string()
    );
    assert_eq!(
        Number::ratio(1, i128::MIN).unwrap().to_exact_string(),
        format!("-1/{}", i128::MIN.unsigned_abs())
    );
    // a big decimal prints as one, rounds and compares
    let x = n("123456789012345678901234567890123456789012.345");
    assert_eq!(
        x.to_exact_string(),
        "123456789012345678901234567890123456789012.345"
    );
    assert_eq!(
        x.to_fixed(2, RoundingMode::HalfUp).unwrap(),
        "123456789012345678901234567890123456789012.35"
    );
    assert_eq!(
        x.clone()
            .neg()
            .unwrap()
            .to_fixed(0, RoundingMode::HalfEven)
            .unwrap(),
        "-123456789012345678901234567890123456789012"
    );
    assert_eq!(x.clone().rem(n("10")).unwrap(), n("2.345"));
    assert_eq!(n("1/3").add(x.clone()).unwrap().sub(x).unwrap(), n("1/3"));
}

#[test]
fn errors_name_their_limits() {
    assert_eq!(
        Number::ONE.div(Number::ZERO),
        Err(ArithError::DivisionByZero)
    );
    let e = Number::ONE.round(19, RoundingMode::HalfUp).unwrap_err();
    assert_eq!(
        e.to_string(),
        "rounding to 19 decimal digits: the limit is 18"
    );
    // squaring from 2: 2^32768 has 32,769 bits, its square 65,537: past MAX_BITS
    let mut p = Number::from_int(2);
    for _ in 0..15 {
        p = p.clone().mul(p).unwrap();
    }
    let e = p.clone().mul(p).unwrap_err();
    assert_eq!(e, ArithError::TooLarge { bits: 65_537 });
    assert!(e.to_string().contains("limit of 65536 bits"), "{e}");
    assert!(Number::parse("1e99999").unwrap_err().to_string().contains("65536 bits"));
    assert_eq!(n("7").rem(n("3")).unwrap(), n("1"));
    assert_eq!(n("-7").rem(n("3")).unwrap(), n("-1"));
}

/// The 64-bit fast paths give exactly what the general 128-bit rational code gives,
/// including at the edges of the 64-bit range (where they step aside).
mod fast_paths {
    use super::*;
    use proptest::prelude::*;

    /// The same operation in arbitrary precision, as the test computes it.
    fn general(x: &Number, y: &Number, op: u8) -> Option<Number> {
        let (a, b) = (x.to_big(), y.to_big());
        Number::from_big(match op {
            0 => a + b,
            1 => a - b,
            2 => a * b,
            _ if b.is_zero() => return None,
            _ => a / b,
        })
        .ok()
    }

    fn part() -> impl Strategy<Value = i128> {
        prop_oneof![
            -1000i128..1000,
            any::<i64>().prop_map(i128::from),
            Just(i128::from(i64::MIN)),
            Just(i128::from(i64::MAX)),
            Just(i128::from(u64::MAX)),
            Just(i128::from(u64::MAX) + 1),
            Just(i128::MAX),
            Just(i128::MIN + 1),
            Just(i128::MIN),
        ]
    }

    fn number() -> impl Strategy<Value = Number> {
        (part(), part()).prop_filter_map("a denominator", |(n, d)| Number::ratio(n, d).ok())
    }

    proptest! {
        /// Plain decimals read in 64 bits are the same numbers the general reader gives.
        #[test]
        fn plain_decimals_read_fast_are_exact(
            neg in any::<bool>(),
            int_part in "[0-9]{1,12}",
            frac_part in "[0-9]{0,6}",
        ) {
            let text = format!(
                "{}{int_part}{}{frac_part}",
                if neg { "-" } else { "" },
                if frac_part.is_empty() { "" } else { "." }
            );
            let fast = Number::parse_plain(&text);
            let general = Number::parse_general(&text).unwrap();
            prop_assert_eq!(fast.as_ref(), Some(&general), "{}", text);
            // and held the same way: reduced, inline (a derived, structural equality)
            prop_assert_eq!(super::super::Num::parse_plain(&text), Some(super::super::Num::from(general)), "{}", text);
            prop_assert_eq!(fast.and_then(|f| f.small()), Number::parse_general(&text).unwrap().small());
        }
    }

    proptest! {
        #[test]
        fn same_as_the_general_code(x in number(), y in number(), op in 0u8..4) {
            let expected = general(&x, &y, op);
            let order = x.to_big().cmp(&y.to_big());
            prop_assert_eq!(x.cmp(&y), order);
            let fast = match op {
                0 => x.add(y),
                1 => x.sub(y),
                2 => x.mul(y),
                _ => x.div(y),
            };
            prop_assert_eq!(fast.ok(), expected);
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
