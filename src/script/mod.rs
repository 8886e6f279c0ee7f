//! Scripts: rhai functions for what the declarative rules cannot say.
//!
//! A pack lists its script files and declares each function it uses with parameter and
//! result types (`scripts.functions`); expressions then call them like built-in functions,
//! so one mechanism serves every hook point: a custom measure (`"expr": "f(…)"`), a custom
//! condition (`"where"`, `"require"`), a target that varies by jurisdiction
//! (`"target_by_group"`), a grade adjustment (a measure over a grade), and a custom
//! indicator value (kind `custom`).
//!
//! What a script sees is only what it is given: the arguments (numbers as exact `Decimal`,
//! strings, bools, dates as `"YYYY-MM-DD"`, lists of these), rhai's core language, and the
//! helpers registered here (dates). No file, network, environment or clock access exists:
//! rhai is built without modules (`import` cannot read files) and without time functions,
//! `print`/`debug` go nowhere, and `eval` is disabled. Every call runs under limits on
//! operations, time, call depth, expression depth and string, array and map sizes; a
//! script that exceeds one fails that evaluation with an error naming the file, function
//! and line:col. The time limit is the backstop of the others (growing an array or a map
//! up to its size limit takes time that grows with the square of the size in rhai): a
//! call stopped by it stops the whole run (setting aside one record after another, each
//! taking that long, would take as long as there are records).
//!
//! Files compile once when the pack loads (errors have file:line:col); the compiled AST and
//! the engine are `Send + Sync` and shared by every evaluation.

use crate::expr::compile::Ty;
use crate::num::Number;
use crate::value::Value;
use chrono::NaiveDate;
use rhai::{Array, CallFnOptions, Dynamic, Engine, ImmutableString, Position, Scope, AST, INT};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::cell::RefCell;
use std::sync::Arc;

/// Limits on one script call, as a pack may set them (each at most the hard cap).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Operations per call (default 100 000; cap 10 000 000).
    #[serde(default = "d_ops")]
    pub max_operations: u64,
    /// Nested function calls (default 32; cap 128).
    #[serde(default = "d_calls")]
    pub max_call_levels: usize,
    /// Expression nesting (default 64; cap 256).
    #[serde(default = "d_expr")]
    pub max_expr_depth: usize,
    /// Characters in a string (default 10 000; cap 1 000 000).
    #[serde(default = "d_str")]
    pub max_string_size: usize,
    /// Elements in an array (default 10 000; cap 1 000 000).
    #[serde(default = "d_arr")]
    pub max_array_size: usize,
    /// Entries in a map (default 1 000; cap 100 000).
    #[serde(default = "d_map")]
    pub max_map_size: usize,
    /// Milliseconds of wall time per call (default 1 000; cap 10 000). A call past it
    /// stops the run, whatever the other limits allow.
    #[serde(default = "d_time")]
    pub max_time_ms: u64,
}

fn d_ops() -> u64 {
    100_000
}
fn d_calls() -> usize {
    32
}
fn d_expr() -> usize {
    64
}
fn d_str() -> usize {
    10_000
}
fn d_arr() -> usize {
    10_000
}
fn d_map() -> usize {
    1_000
}
fn d_time() -> u64 {
    1_000
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: d_ops(),
            max_call_levels: d_calls(),
            max_expr_depth: d_expr(),
            max_string_size: d_str(),
            max_array_size: d_arr(),
            max_map_size: d_map(),
            max_time_ms: d_time(),
        }
    }
}

impl Limits {
    /// The stack a call may need at these limits: rhai evaluates recursively, about 1.5 KB
    /// for each level of expression nesting within each level of function calls (measured:
    /// 120 calls × 80 levels need between 8 and 16 MB). At the caps (128 × 256) this is
    /// 52 MB; a call runs on a stack segment of that size when its thread has less left.
    pub fn stack_need(&self) -> usize {
        const PER_LEVEL: usize = 1536;
        (self.max_call_levels + 1) * (self.max_expr_depth + 8) * PER_LEVEL + (256 << 10)
    }

    /// The limits above their hard caps, as `(name, cap)`.
    pub fn over_caps(&self) -> Vec<(&'static str, u64)> {
        let checks: [(&str, u64, u64); 7] = [
            ("max_operations", self.max_operations, 10_000_000),
            ("max_call_levels", self.max_call_levels as u64, 128),
            ("max_expr_depth", self.max_expr_depth as u64, 256),
            ("max_string_size", self.max_string_size as u64, 1_000_000),
            ("max_array_size", self.max_array_size as u64, 1_000_000),
            ("max_map_size", self.max_map_size as u64, 100_000),
            ("max_time_ms", self.max_time_ms, 10_000),
        ];
        checks
            .into_iter()
            .filter(|(_, v, cap)| *v == 0 || v > cap)
            .map(|(n, _, cap)| (n, cap))
            .collect()
    }
}

fn date_arg(s: &str) -> Result<NaiveDate, Box<rhai::EvalAltResult>> {
    crate::dates::parse_date(s).ok_or_else(|| format!("'{s}' is not a date YYYY-MM-DD").into())
}

thread_local! {
    /// When the script call running on this thread must stop (its time limit).
    static DEADLINE: std::cell::Cell<Option<std::time::Instant>> = const { std::cell::Cell::new(None) };
}

/// How often (in operations) a call looks at the clock: often enough to stop within a few
/// milliseconds of its time limit even when each operation copies a large value, rarely
/// enough to cost nothing measurable.
const CLOCK_EVERY: u64 = 32;

/// What stopped a call that `on_progress` terminated.
const OUT_OF_OPERATIONS: &str = "operations";
const OUT_OF_TIME: &str = "time";

/// A sandboxed engine with the limits and the helpers scripts may use.
pub fn engine(limits: &Limits, calendar: Option<Arc<crate::calendar::Calendar>>) -> Engine {
    let mut e = Engine::new();
    // operations and time are counted here, in one place: every operation, and the clock
    // every CLOCK_EVERY of them against the deadline of the call running on this thread
    let max_operations = limits.max_operations;
    e.on_progress(move |ops| {
        if ops > max_operations {
            return Some(Dynamic::from(OUT_OF_OPERATIONS));
        }
        if ops.is_multiple_of(CLOCK_EVERY) {
            let late = DEADLINE.with(|d| d.get().is_some_and(|d| std::time::Instant::now() >= d));
            if late {
                return Some(Dynamic::from(OUT_OF_TIME));
            }
        }
        None
    });
    e.set_max_call_levels(limits.max_call_levels);
    e.set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth);
    e.set_max_string_size(limits.max_string_size);
    e.set_max_array_size(limits.max_array_size);
    e.set_max_map_size(limits.max_map_size);
    e.on_print(|_| {});
    e.on_debug(|_, _, _| {});
    e.disable_symbol("eval");
    e.register_fn(
        "days_between",
        |a: &str, b: &str| -> Result<INT, Box<rhai::EvalAltResult>> {
            Ok((date_arg(b)? - date_arg(a)?).num_days())
        },
    );
    e.register_fn(
        "months_between",
        |a: &str, b: &str| -> Result<INT, Box<rhai::EvalAltResult>> {
            Ok(crate::dates::months_between(date_arg(a)?, date_arg(b)?))
        },
    );
    e.register_fn(
        "add_days",
        |d: &str, n: INT| -> Result<String, Box<rhai::EvalAltResult>> {
            chrono::Duration::try_days(n)
                .and_then(|k| date_arg(d).ok()?.checked_add_signed(k))
                .map(|x| x.to_string())
                .ok_or_else(|| "add_days leaves the calendar".into())
        },
    );
    e.register_fn(
        "add_months",
        |d: &str, n: INT| -> Result<String, Box<rhai::EvalAltResult>> {
            crate::dates::add_months(date_arg(d)?, n)
                .map(|x| x.to_string())
                .ok_or_else(|| "add_months leaves the calendar".into())
        },
    );
    if let Some(cal) = calendar {
        let c = cal.clone();
        e.register_fn(
            "add_working_days",
            move |d: &str, n: INT| -> Result<String, Box<rhai::EvalAltResult>> {
                Ok(c.add_working_days(date_arg(d)?, n)?.to_string())
            },
        );
        let c = cal.clone();
        e.register_fn(
            "working_days_between",
            move |a: &str, b: &str| -> Result<INT, Box<rhai::EvalAltResult>> {
                Ok(c.working_days_between(date_arg(a)?, date_arg(b)?)?)
            },
        );
        e.register_fn(
            "is_working_day",
            move |d: &str| -> Result<bool, Box<rhai::EvalAltResult>> {
                Ok(cal.is_working_day(date_arg(d)?)?)
            },
        );
    }
    e.register_fn("year", |d: &str| -> Result<INT, Box<rhai::EvalAltResult>> {
        use chrono::Datelike;
        Ok(date_arg(d)?.year() as INT)
    });
    e.register_fn(
        "month",
        |d: &str| -> Result<INT, Box<rhai::EvalAltResult>> {
            use chrono::Datelike;
            Ok(date_arg(d)?.month() as INT)
        },
    );
    e
}

/// Why a script call failed: the message (naming the file, the function, the line:col and
/// the limit), and whether it stops the run (its time limit) rather than set one record
/// aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptFailure {
    /// What happened, and where.
    pub message: String,
    /// The call ran past `max_time_ms`.
    pub stops_run: bool,
}

impl std::fmt::Display for ScriptFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A declared script function, ready to call.
pub struct ScriptFn {
    /// Its name.
    pub name: String,
    /// The file that defines it.
    pub file: String,
    /// Parameter types.
    pub params: Vec<Ty>,
    /// The type the function must return (or no value).
    pub returns: Ty,
    limits: Limits,
    calendar: Option<Arc<crate::calendar::Calendar>>,
    engine: Arc<Engine>,
    ast: Arc<AST>,
    /// How many times it was called (for rule coverage).
    calls: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for ScriptFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ScriptFn({} in {})", self.name, self.file)
    }
}

thread_local! {
    /// A scope per thread, reused by every call (rewound after each).
    static SCOPE: RefCell<Scope<'static>> = RefCell::new(Scope::new());
}

/// A number as a script sees it: an exact Decimal (28 significant digits at most).
pub fn to_decimal(n: Number) -> Result<Decimal, String> {
    let s = n.to_exact_string();
    if s.contains('/') {
        return Err(format!(
            "{s} has no exact decimal form; round it before giving it to a script"
        ));
    }
    Decimal::from_str_exact(&s)
        .map_err(|_| format!("{s} does not fit a script's Decimal (28 digits)"))
}

/// A script's Decimal as an exact number.
pub fn from_decimal(d: Decimal) -> Result<Number, String> {
    let scale = 10i128
        .checked_pow(d.scale())
        .ok_or("decimal scale too large")?;
    Number::ratio(d.mantissa(), scale).map_err(|e| e.to_string())
}

fn to_dynamic(v: &Value) -> Result<Dynamic, String> {
    Ok(match v {
        Value::None => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Num(n) => Dynamic::from_decimal(to_decimal(n.get())?),
        Value::Str(_) | Value::Short(_) => {
            Dynamic::from(ImmutableString::from(v.as_str().unwrap_or_default()))
        }
        Value::Date(d) => Dynamic::from(ImmutableString::from(d.to_string())),
        Value::List(l) => {
            let a: Result<Array, String> = l.iter().map(to_dynamic).collect();
            Dynamic::from_array(a?)
        }
        Value::Rec(..) | Value::Item(..) | Value::Items(..) => {
            return Err(
                "records and list items cannot be given to a script; give it their fields".into(),
            )
        }
    })
}

fn from_dynamic(d: Dynamic, ty: &Ty) -> Result<Value, String> {
    if d.is_unit() {
        return Ok(Value::None);
    }
    let found = d.type_name().to_string();
    let declared = match ty {
        Ty::Num => "number",
        Ty::Str => "string",
        Ty::Bool => "bool",
        Ty::Date => "date",
        _ => "list",
    };
    let wrong =
        || format!("the function returned {found}, but the pack declares it returns {declared}");
    Ok(match ty {
        Ty::Num => {
            if let Some(i) = d.clone().try_cast::<INT>() {
                Value::int(i as i128)
            } else if let Some(x) = d.try_cast::<Decimal>() {
                Value::from(from_decimal(x)?)
            } else {
                return Err(wrong());
            }
        }
        Ty::Bool => Value::Bool(d.as_bool().map_err(|_| wrong())?),
        Ty::Str => Value::str(&d.into_immutable_string().map_err(|_| wrong())?),
        Ty::Date => {
            let s = d.into_immutable_string().map_err(|_| wrong())?;
            Value::Date(crate::dates::parse_date(&s).ok_or_else(|| {
                format!("the function returned '{s}', which is not a date YYYY-MM-DD")
            })?)
        }
        _ => return Err(wrong()),
    })
}

fn position(p: Position) -> String {
    match (p.line(), p.position()) {
        (Some(l), Some(c)) => format!("{l}:{c}"),
        (Some(l), None) => format!("{l}"),
        _ => "?".into(),
    }
}

impl ScriptFn {
    /// How many times it has been called since the plan was loaded.
    pub fn calls(&self) -> u64 {
        self.calls.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Calls the function; an error names the file, the function and the line:col.
    pub fn call(&self, args: &[Value]) -> Result<Value, ScriptFailure> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        crate::stack::with(self.limits.stack_need(), || self.call_here(args))
    }

    /// [`ScriptFn::call`] on a stack known to be deep enough.
    fn call_here(&self, args: &[Value]) -> Result<Value, ScriptFailure> {
        let where_ = |detail: String| ScriptFailure {
            message: format!("script {}, function {}: {detail}", self.file, self.name),
            stops_run: false,
        };
        let dyn_args: Vec<Dynamic> = args
            .iter()
            .map(to_dynamic)
            .collect::<Result<_, _>>()
            .map_err(where_)?;
        let started = std::time::Instant::now();
        let result = within(started + self.time_limit(), || {
            SCOPE.with(|s| {
                let mut scope = s.borrow_mut();
                scope.clear();
                self.engine.call_fn_with_options::<Dynamic>(
                    CallFnOptions::new().eval_ast(false).rewind_scope(true),
                    &mut scope,
                    &self.ast,
                    &self.name,
                    dyn_args,
                )
            })
        });
        match result {
            Ok(d) => from_dynamic(d, &self.returns).map_err(where_),
            Err(mut e) => {
                // the error a script raised is wrapped in the call from the host: unwrap it
                while let rhai::EvalAltResult::ErrorInFunctionCall(_, _, inner, _) = *e {
                    e = inner;
                }
                let l = &self.limits;
                let size = |what: &str, limit: &str, n: usize| {
                    format!("stopped: {what} larger than scripts.limits.{limit} = {n}")
                };
                let out_of_time = matches!(&*e, rhai::EvalAltResult::ErrorTerminated(t, _)
                    if t.clone().into_immutable_string().is_ok_and(|t| t == OUT_OF_TIME));
                let (msg, locatable) = match &*e {
                    _ if out_of_time => (
                        format!(
                            "stopped: ran longer than scripts.limits.max_time_ms = {} ms (an endless loop, or a value grown large?); the run stops",
                            l.max_time_ms
                        ),
                        true,
                    ),
                    rhai::EvalAltResult::ErrorTooManyOperations(_)
                    | rhai::EvalAltResult::ErrorTerminated(..) => (
                        format!(
                            "stopped: more than scripts.limits.max_operations = {} operations (an endless loop?)",
                            l.max_operations
                        ),
                        true,
                    ),
                    rhai::EvalAltResult::ErrorStackOverflow(_) => (
                        format!(
                            "stopped: calls nested deeper than scripts.limits.max_call_levels = {} (runaway recursion?)",
                            l.max_call_levels
                        ),
                        true,
                    ),
                    rhai::EvalAltResult::ErrorDataTooLarge(what, _) => (
                        match what.as_str() {
                            "Length of string" => size("a string", "max_string_size", l.max_string_size),
                            "Size of object map" => size("a map", "max_map_size", l.max_map_size),
                            _ => size("an array", "max_array_size", l.max_array_size),
                        },
                        true,
                    ),
                    other => (other.to_string(), true),
                };
                let at = match e.position() {
                    p if !p.is_none() => Some(p),
                    // rhai does not say where a limit stopped a script: run the call again,
                    // stepping with a debugger that remembers the last position (operations
                    // and sizes are deterministic, so it stops at the same place; a call out
                    // of time is shown where the stepping got to)
                    _ if locatable => self.locate(args, started.elapsed(), out_of_time),
                    _ => None,
                };
                let mut failure = where_(match at {
                    Some(p) => format!("at line {}: {msg}", position(p)),
                    None => msg,
                });
                failure.stops_run = out_of_time;
                Err(failure)
            }
        }
    }
}

/// The longest a stopped script's place is looked for: four times what the call took
/// (stepping is slower than running), at least `LOCATE_LEAST`, at most `LOCATE_MOST`; and
/// `LOCATE_LEAST` for a call out of time, whose place is only where it was running.
const LOCATE_LEAST: std::time::Duration = std::time::Duration::from_millis(100);
const LOCATE_MOST: std::time::Duration = std::time::Duration::from_millis(500);

/// Runs `f` with the calling thread's script deadline at `deadline` (and the one before
/// it back after).
fn within<T>(deadline: std::time::Instant, f: impl FnOnce() -> T) -> T {
    let before = DEADLINE.with(|d| d.replace(Some(deadline)));
    let out = f();
    DEADLINE.with(|d| d.set(before));
    out
}

/// A compile error of a script with the limit it hit named, where it hit one.
pub fn script_limit_named(message: &str, limits: &Limits) -> String {
    if message.starts_with("Expression exceeds maximum complexity") {
        format!(
            "{message}: expressions nested deeper than scripts.limits.max_expr_depth = {}",
            limits.max_expr_depth
        )
    } else if message.contains("exceeds the maximum limit") {
        format!("{message} (scripts.limits.max_string_size, max_array_size or max_map_size)")
    } else {
        message.to_string()
    }
}

impl ScriptFn {
    /// The call's time limit.
    fn time_limit(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.limits.max_time_ms)
    }

    /// Re-runs a failed call (that took `took`) with a stepping debugger: the position of
    /// its last step, or, when it is `running` (out of time), of the step it got to.
    fn locate(&self, args: &[Value], took: std::time::Duration, running: bool) -> Option<Position> {
        let last = Arc::new(std::sync::Mutex::new(Position::NONE));
        let seen = last.clone();
        let mut locator = engine(&self.limits, self.calendar.clone());
        // bounded: at most twice the operations the call was allowed, and in time (see
        // LOCATE_LEAST); past either, the place is not reported, unless it is running
        let steps = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let max_steps = self.limits.max_operations.saturating_mul(2).max(1000);
        let budget = match running {
            true => LOCATE_LEAST,
            false => (took * 4).clamp(LOCATE_LEAST, LOCATE_MOST),
        };
        let deadline = std::time::Instant::now() + budget;
        // rhai marks the debugger API "volatile" (not deprecated); it is used only here
        #[allow(deprecated)]
        locator.register_debugger(
            |_, d| d,
            move |_, event, _, _, pos| {
                let n = steps.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n > max_steps || (n.is_multiple_of(64) && std::time::Instant::now() > deadline)
                {
                    if !running {
                        if let Ok(mut l) = seen.lock() {
                            *l = Position::NONE;
                        }
                    }
                    return Err(rhai::EvalAltResult::ErrorTerminated(
                        Dynamic::UNIT,
                        Position::NONE,
                    )
                    .into());
                }
                if matches!(event, rhai::debugger::DebuggerEvent::Step) && !pos.is_none() {
                    if let Ok(mut l) = seen.lock() {
                        *l = pos;
                    }
                }
                Ok(rhai::debugger::DebuggerCommand::StepInto)
            },
        );
        let dyn_args: Vec<Dynamic> = args.iter().map(to_dynamic).collect::<Result<_, _>>().ok()?;
        let mut scope = Scope::new();
        // its own deadline, past the stepping's: the debugger stops it first
        let _ = within(deadline + LOCATE_LEAST, || {
            locator.call_fn_with_options::<Dynamic>(
                CallFnOptions::new().eval_ast(false),
                &mut scope,
                &self.ast,
                &self.name,
                dyn_args,
            )
        });
        let p = *last.lock().ok()?;
        (!p.is_none()).then_some(p)
    }
}

/// Compiles a script file; an error is `(line, col, message)`.
pub fn compile_file(engine: &Engine, text: &str) -> Result<AST, (usize, usize, String)> {
    engine.compile(text).map_err(|e| {
        let p = e.position();
        (
            p.line().unwrap_or(1),
            p.position().unwrap_or(1),
            e.to_string(),
        )
    })
}

/// Builds a callable function from a compiled AST.
#[allow(clippy::too_many_arguments)]
pub fn bind(
    engine: Arc<Engine>,
    limits: Limits,
    calendar: Option<Arc<crate::calendar::Calendar>>,
    ast: Arc<AST>,
    name: &str,
    file: &str,
    params: Vec<Ty>,
    returns: Ty,
) -> ScriptFn {
    ScriptFn {
        calendar,
        name: name.to_string(),
        file: file.to_string(),
        params,
        returns,
        limits,
        engine,
        ast,
        calls: std::sync::atomic::AtomicU64::new(0),
    }
}

#[cfg(test)]
mod tests;
