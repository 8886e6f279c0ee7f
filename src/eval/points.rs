//! Points: what an indicator earns in a group under its scoring rule.

use super::indicator::arith;
use super::ScoreError;
use crate::num::Number;
use crate::plan::{Scoring, Target};

/// Points of one indicator in one group, for the scorecard.
#[derive(Clone, Debug, Default)]
pub struct Points {
    /// Points earned (none without scoring, or when excluded).
    pub points: Option<Number>,
    /// Full points (none without scoring).
    pub full: Option<Number>,
    /// Not applicable and excluded from the maximum.
    pub excluded: bool,
}

/// Points of an applicable indicator.
pub(crate) fn points(
    s: Scoring,
    v: Number,
    target: Option<Target>,
    met: Option<bool>,
    failing: Option<u64>,
    id: &str,
) -> Result<Number, ScoreError> {
    let zero = Number::ZERO;
    Ok(match s {
        Scoring::AllOrNothing(p) => {
            if met == Some(true) {
                p
            } else {
                zero
            }
        }
        Scoring::Proportional(p) => {
            let share = match target {
                Some(Target::Min(t)) if t.is_zero() || v >= t => Number::ONE,
                Some(Target::Min(t)) => arith(id, v.max(zero).div(t))?,
                Some(Target::Max(t)) if v <= t || v.is_zero() => Number::ONE,
                Some(Target::Max(t)) => arith(id, t.max(zero).div(v))?,
                _ => {
                    if met == Some(true) {
                        Number::ONE
                    } else {
                        zero
                    }
                }
            };
            arith(id, p.mul(share))?
        }
        Scoring::Deduction {
            points,
            per,
            unit,
            floor,
        } => {
            let short = match (failing, target) {
                (Some(f), _) => Number::from_int(f as i128),
                (None, Some(Target::Min(t))) => arith(id, t.sub(v))?.max(zero),
                (None, Some(Target::Max(t))) => arith(id, v.sub(t))?.max(zero),
                (None, Some(Target::Exactly(t))) => arith(id, v.sub(t).and_then(|d| d.abs()))?,
                (None, Some(Target::Above(t))) => arith(id, t.sub(v))?.max(zero),
                (None, Some(Target::Below(t))) => arith(id, v.sub(t))?.max(zero),
                (None, None) => zero,
            };
            let mut units = arith(id, short.div(unit))?.ceil();
            if met == Some(false) {
                units = units.max(Number::ONE); // a strict target missed exactly at its bound is one shortfall
            }
            let left = arith(id, points.sub(arith(id, per.mul(units))?))?;
            left.max(floor)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    #[test]
    fn scoring_rules() {
        let min90 = Some(Target::Min(n("90")));
        assert_eq!(
            points(
                Scoring::AllOrNothing(n("10")),
                n("90"),
                min90.clone(),
                Some(true),
                None,
                "x"
            )
            .unwrap(),
            n("10")
        );
        assert_eq!(
            points(
                Scoring::AllOrNothing(n("10")),
                n("89.9"),
                min90.clone(),
                Some(false),
                None,
                "x"
            )
            .unwrap(),
            n("0")
        );
        assert_eq!(
            points(
                Scoring::Proportional(n("10")),
                n("45"),
                min90.clone(),
                Some(false),
                None,
                "x"
            )
            .unwrap(),
            n("5")
        );
        assert_eq!(
            points(
                Scoring::Proportional(n("10")),
                n("95"),
                min90.clone(),
                Some(true),
                None,
                "x"
            )
            .unwrap(),
            n("10")
        );
        let ded = Scoring::Deduction {
            points: n("10"),
            per: n("2"),
            unit: n("1"),
            floor: n("1"),
        };
        // 2.5 points short of 90 = 3 shortfalls of 1 -> 10 - 6 = 4
        assert_eq!(
            points(
                ded.clone(),
                n("87.5"),
                min90.clone(),
                Some(false),
                None,
                "x"
            )
            .unwrap(),
            n("4")
        );
        // 7 failing members -> 10 - 14 -> floor 1
        assert_eq!(
            points(ded.clone(), n("50"), None, Some(false), Some(7), "x").unwrap(),
            n("1")
        );
        assert_eq!(
            points(ded.clone(), n("100"), None, Some(true), Some(0), "x").unwrap(),
            n("10")
        );
        let max = Some(Target::Max(n("5")));
        assert_eq!(
            points(
                Scoring::Proportional(n("10")),
                n("10"),
                max,
                Some(false),
                None,
                "x"
            )
            .unwrap(),
            n("5")
        );
    }
}
