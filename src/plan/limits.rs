//! Limits on a number field: `min`, `max`, `multiple_of` and allowed `values`, checked on
//! every value read (a record that breaks one is rejected with the reason).

use crate::num::Number;

/// What a number field's values must satisfy; every limit given must hold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Limits {
    /// The least value allowed (inclusive).
    pub min: Option<Number>,
    /// The greatest value allowed (inclusive).
    pub max: Option<Number>,
    /// Values must be whole multiples of this (positive): `0.5` for half points.
    pub multiple_of: Option<Number>,
    /// The only values allowed, when given.
    pub values: Option<Vec<Number>>,
}

impl Limits {
    /// Whether `n` is within the limits; `Err` says which it breaks, in the words the
    /// accounting shows (`11 is above the maximum 10`).
    pub fn check(&self, n: &Number) -> Result<(), String> {
        if let Some(min) = &self.min {
            if n < min {
                return Err(format!("{n} is below the minimum {min}"));
            }
        }
        if let Some(max) = &self.max {
            if n > max {
                return Err(format!("{n} is above the maximum {max}"));
            }
        }
        if let Some(step) = &self.multiple_of {
            // a limit that cannot be divided by (never: checked positive when the pack loads)
            // is no limit, rather than a panic
            let whole = n.clone().div(step.clone()).is_ok_and(|q| q.is_integer());
            if !whole {
                return Err(format!("{n} is not a multiple of {step}"));
            }
        }
        if let Some(values) = &self.values {
            if !values.contains(n) {
                let all: Vec<String> = values.iter().map(Number::to_exact_string).collect();
                return Err(format!("{n} is not one of {}", all.join(", ")));
            }
        }
        Ok(())
    }

    /// The problems of the limits themselves, as (field, message), for the pack's check.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let (Some(min), Some(max)) = (&self.min, &self.max) {
            if min > max {
                out.push(("max", format!("the maximum {max} is below the minimum {min}: no value is allowed")));
            }
        }
        if let Some(step) = &self.multiple_of {
            if step.is_zero() || step.is_negative() {
                out.push(("multiple_of", format!("multiple_of must be above 0, not {step}")));
            }
        }
        if let Some(values) = &self.values {
            if values.is_empty() {
                out.push(("values", "an empty list of values allows no value".into()));
            }
            // checked against the other limits (a bad multiple_of already said so)
            let rest = Limits {
                values: None,
                multiple_of: self.multiple_of.clone().filter(|s| !s.is_zero() && !s.is_negative()),
                ..self.clone()
            };
            for v in values {
                if let Err(why) = rest.check(v) {
                    out.push(("values", format!("the allowed value {v} can never be read: {why}")));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    #[test]
    fn each_limit_at_its_boundary() {
        let l = Limits {
            min: Some(n("0")),
            max: Some(n("10")),
            multiple_of: Some(n("0.5")),
            values: None,
        };
        for ok in ["0", "10", "9.5", "0.0", "10.00"] {
            assert_eq!(l.check(&n(ok)), Ok(()), "{ok}");
        }
        assert_eq!(l.check(&n("-0.5")).unwrap_err(), "-0.5 is below the minimum 0");
        assert_eq!(l.check(&n("10.5")).unwrap_err(), "10.5 is above the maximum 10");
        assert_eq!(l.check(&n("9.3")).unwrap_err(), "9.3 is not a multiple of 0.5");
        let v = Limits {
            values: Some(vec![n("0"), n("5")]),
            ..Limits::default()
        };
        assert_eq!(v.check(&n("5.0")), Ok(()));
        assert_eq!(v.check(&n("3")).unwrap_err(), "3 is not one of 0, 5");
    }

    #[test]
    fn limits_that_allow_nothing_are_problems() {
        let l = Limits {
            min: Some(n("5")),
            max: Some(n("1")),
            multiple_of: Some(n("0")),
            values: Some(vec![n("7")]),
        };
        let fields: Vec<&str> = l.problems().iter().map(|p| p.0).collect();
        assert_eq!(fields, ["max", "multiple_of", "values"]);
    }
}
