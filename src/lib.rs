//! scorecard: score public-health inspection records against declarative criteria.
pub mod expr;
pub mod json_locate;
pub mod num;
pub mod value;
