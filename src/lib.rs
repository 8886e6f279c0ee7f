//! scorecard: score public-health inspection records against declarative criteria.
pub mod data;
pub mod eval;
pub mod expr;
pub mod json_locate;
pub mod num;
pub mod outcome;
pub mod pack;
pub mod plan;
pub mod value;
