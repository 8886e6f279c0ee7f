//! The limits the engine checks, named in the errors that enforce them. Packs are checked
//! against them when they load; numbers when they are computed.

/// The most characters an expression may have.
pub const MAX_EXPR_CHARS: usize = crate::expr::parse::MAX_EXPR_CHARS;
/// The most levels of brackets, calls and closures an expression may nest.
pub const MAX_EXPR_DEPTH: usize = crate::expr::parse::MAX_DEPTH;
/// The most levels an expression's syntax tree may be tall (each operator of a chain is
/// one): what bounds the stack its evaluation needs.
pub const MAX_EXPR_HEIGHT: usize = crate::expr::parse::MAX_HEIGHT;
/// The most bits of an exact number's numerator or denominator.
pub const MAX_NUMBER_BITS: u64 = crate::num::MAX_BITS;
