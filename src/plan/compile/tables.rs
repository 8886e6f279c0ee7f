//! Decision tables (rows under a hit policy) and band tables.

use super::*;

impl Compiler<'_> {
    pub(super) fn ensure_table(&self, t: usize) {
        if !matches!(self.table_state.borrow()[t], State::Pending) {
            return;
        }
        self.table_state.borrow_mut()[t] = State::InProgress;
        self.compiling.borrow_mut().push(Compiling::Table(t));
        let table = self.table_body(t);
        self.compiling.borrow_mut().pop();
        let ok = table.is_some();
        self.tables.borrow_mut()[t] = table;
        self.table_state.borrow_mut()[t] = if ok {
            State::Done(Ty::Any)
        } else {
            State::Failed
        };
    }

    pub(super) fn literal(&self, v: &Json, here: &JsonPath) -> Option<(Value, Ty)> {
        Some(match v {
            Json::String(s) => (Value::str(s), Ty::Str),
            Json::Bool(b) => (Value::Bool(*b), Ty::Bool),
            Json::Number(n) => match crate::num::Number::parse(n.as_str()) {
                Ok(x) => (Value::from(x), Ty::Num),
                Err(e) => {
                    self.diag(here, e.to_string());
                    return None;
                }
            },
            Json::Null => (Value::None, Ty::Any),
            other => {
                self.diag(
                    here,
                    format!(
                        "an output is a string, number, bool or null, found {}",
                        describe(other)
                    ),
                );
                return None;
            }
        })
    }

    /// Output values in the order of `outputs`, checking their names; the type of each
    /// value is noted in `outputs` and settled once every row is read ([`Outputs::settle`]).
    pub(super) fn outputs(
        &self,
        then: &BTreeMap<String, Json>,
        here: &JsonPath,
        outputs: &mut Outputs,
    ) -> Option<Vec<Value>> {
        if outputs.names.is_empty() {
            if then.is_empty() {
                self.diag(here, "a table needs at least one output".into());
                return None;
            }
            for k in then.keys() {
                outputs.names.push((k.clone(), Ty::Any));
                outputs.seen.push(Vec::new());
            }
        }
        let names: BTreeSet<&String> = outputs.names.iter().map(|(n, _)| n).collect();
        let have: BTreeSet<&String> = then.keys().collect();
        if names != have {
            let want: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
            self.diag(
                here,
                format!("every row gives the same outputs: {}", want.join(", ")),
            );
            return None;
        }
        let mut vals = Vec::new();
        for (k, (name, _)) in outputs.names.iter().enumerate() {
            let (v, t) = self.literal(&then[name.as_str()], &here.key(name))?;
            if !matches!(t, Ty::Any) {
                outputs.seen[k].push((t, here.key(name)));
            }
            vals.push(v);
        }
        Some(vals)
    }

    /// Compiles table `t`: its scope, its body (rows or bands), its hit policy, its
    /// default; `None` after reporting a problem.
    pub(super) fn table_body(&self, t: usize) -> Option<Table> {
        let slot = &self.table_slots[t];
        let spec = slot.spec.as_ref()?;
        let here = &slot.path;
        let on = match spec.on.as_str() {
            "scorecard" => TableOn::Scorecard,
            "groups" => TableOn::Groups,
            coll => match self.coll_id(coll) {
                Some(c) => TableOn::Coll(c),
                None => {
                    self.diag(
                        &here.key("on"),
                        format!(
                            "no collection '{}' (collections: {}, or scorecard, or groups)",
                            spec.on,
                            self.coll_names()
                        ),
                    );
                    return None;
                }
            },
        };
        let vars: Vec<(String, Ty)> = match on {
            TableOn::Coll(_) => named(Scope::Record.declared()),
            TableOn::Scorecard => named(Scope::Scorecard.declared()),
            // none: two indicators' variables clash, which is reported where they are (and a
            // measure that takes a table on groups is told so where it does)
            TableOn::Groups => self.group_vars.borrow().clone()?,
        };
        let vars: Vec<(&str, Ty)> = vars.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
        let scope = TableScope {
            on: on.coll(),
            vars: &vars,
        };
        let mut outputs = Outputs::default();
        let (body, mut ok) = match (&spec.rows, &spec.bands) {
            (Some(rows), None) => {
                if spec.input.is_some() {
                    self.diag(&here.key("input"), "input is for band tables".into());
                }
                let (rows, ok) = self.rows(rows, here, &scope, &mut outputs);
                (Some(TableBody::Rows(rows)), ok)
            }
            (None, Some(bands)) => self.bands(spec, bands, here, &scope, &mut outputs),
            _ => {
                self.diag(
                    here,
                    "a table needs either rows (a decision table) or bands (a band table)".into(),
                );
                return None;
            }
        };
        let body = body?;
        let default = match &spec.default {
            Some(d) => Some(self.outputs(d, &here.key("default"), &mut outputs)?),
            None => None,
        };
        ok &= outputs.settle(self);
        let mut outputs = outputs.names;
        let hit = match body {
            // a band table has exactly one band for every number
            TableBody::Bands { .. } => Hit::Unique,
            TableBody::Rows(_) => self.hit_policy(spec, here, &outputs, &mut ok)?,
        };
        if hit == Hit::Collect(CollectAgg::Count) {
            for o in outputs.iter_mut() {
                o.1 = Ty::Num;
            }
        }
        match &body {
            TableBody::Rows(rows) => ok &= self.check_rows(rows, hit, default.is_some(), &on, &vars, here),
            TableBody::Bands { input, bands } if default.is_none() => {
                self.uncovered_bands(input, bands, &on, here)
            }
            TableBody::Bands { .. } => {}
        }
        let direct = match &body {
            TableBody::Rows(rows) if hit == Hit::First => rows
                .iter()
                .map(|r| r.when.quick.clone())
                .collect::<Option<_>>()
                .map(Direct::Rows),
            TableBody::Rows(_) => None,
            TableBody::Bands { input, .. } => input.base_field().map(Direct::Band),
        };
        ok.then(|| Table {
            name: slot.name.clone(),
            on,
            outputs,
            hit,
            body,
            default,
            direct,
        })
    }

    /// The rows of a decision table, and whether all are good.
    fn rows(
        &self,
        rows: &[RowSpec],
        here: &JsonPath,
        scope: &TableScope,
        outputs: &mut Outputs,
    ) -> (Vec<Row>, bool) {
        let (on, vars) = (scope.on, scope.vars);
        let mut ok = true;
        let mut out = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            let row_at = here.key("rows").index(i);
            let when = self.expr(&r.when, &row_at.key("when"), on, vars, Some(&Ty::Bool));
            let then = self.outputs(&r.then, &row_at.key("then"), outputs);
            match (when, then) {
                (Some(when), Some(then)) => out.push(Row {
                    when,
                    then,
                    priority: r.priority.unwrap_or(0),
                    note: r.note.clone(),
                    loc: self.loc(&row_at),
                }),
                _ => ok = false,
            }
        }
        if rows.is_empty() {
            self.diag(
                &here.key("rows"),
                "a decision table needs at least one row".into(),
            );
            ok = false;
        }
        (out, ok)
    }

    /// The body of a band table (its bands sorted, without gaps or overlaps), and whether
    /// all is good.
    fn bands(
        &self,
        spec: &TableSpec,
        bands: &[BandSpec],
        here: &JsonPath,
        scope: &TableScope,
        outputs: &mut Outputs,
    ) -> (Option<TableBody>, bool) {
        let (on, vars) = (scope.on, scope.vars);
        let mut ok = true;
        let Some(input_src) = &spec.input else {
            self.diag(
                here,
                "a band table needs an \"input\": the number it bands".into(),
            );
            return (None, false);
        };
        let input = self.expr(input_src, &here.key("input"), on, vars, Some(&Ty::Num));
        let mut out: Vec<(usize, Band)> = Vec::new();
        for (i, b) in bands.iter().enumerate() {
            let band_at = here.key("bands").index(i);
            let then = self.outputs(&b.then, &band_at.key("then"), outputs);
            if let (Some(lo), Some(hi)) = (&b.min, &b.below) {
                if lo >= hi {
                    self.diag(
                        &band_at,
                        format!("the band is empty: min {lo} is not below {hi}"),
                    );
                    ok = false;
                }
            }
            match then {
                Some(then) => out.push((
                    i,
                    Band {
                        min: b.min.clone(),
                        below: b.below.clone(),
                        then,
                        at: i,
                        loc: self.loc(&band_at),
                    },
                )),
                None => ok = false,
            }
        }
        if bands.is_empty() {
            self.diag(
                &here.key("bands"),
                "a band table needs at least one band".into(),
            );
            ok = false;
        }
        out.sort_by(|a, b| match (&a.1.min, &b.1.min) {
            (None, None) => std::cmp::Ordering::Equal,
            (None, _) => std::cmp::Ordering::Less,
            (_, None) => std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => x.cmp(y),
        });
        for w in out.windows(2) {
            let ((_, a), (j, b)) = (&w[0], &w[1]);
            let band_at = here.key("bands").index(*j);
            match (&a.below, &b.min) {
                (None, _) => {
                    self.diag(&band_at, format!("bands overlap: this band starts at {} inside a band with no upper bound", b.min.as_ref().map(|x| x.to_string()).unwrap_or("-∞".into())));
                    ok = false;
                }
                (_, None) => {
                    self.diag(&band_at, "bands overlap: two bands have no lower bound".into());
                    ok = false;
                }
                (Some(hi), Some(lo)) if hi < lo => {
                    self.diag(
                        &band_at,
                        format!("gap between bands: nothing covers {hi} up to {lo}"),
                    );
                    ok = false;
                }
                (Some(hi), Some(lo)) if hi > lo => {
                    self.diag(
                        &band_at,
                        format!("bands overlap: {lo} up to {hi} is in two bands"),
                    );
                    ok = false;
                }
                _ => {}
            }
        }
        if let Some(h) = spec.hit {
            if h != HitPolicy::Unique {
                self.diag(
                    &here.key("hit"),
                    "a band table has exactly one band for every number: its hit policy is unique"
                        .into(),
                );
                ok = false;
            }
        }
        let body = input.map(|input| TableBody::Bands {
            input,
            bands: out.into_iter().map(|(_, b)| b).collect(),
        });
        (body, ok)
    }

    /// The hit policy of a decision table with these outputs.
    fn hit_policy(
        &self,
        spec: &TableSpec,
        here: &JsonPath,
        outputs: &[(String, Ty)],
        ok: &mut bool,
    ) -> Option<Hit> {
        Some(
            match (spec.hit.unwrap_or(HitPolicy::First), spec.aggregate) {
                (HitPolicy::First, None) => Hit::First,
                (HitPolicy::Unique, None) => Hit::Unique,
                (HitPolicy::Priority, None) => Hit::Priority,
                (HitPolicy::Collect, Some(agg)) => {
                    if agg != CollectAgg::Count {
                        for (n, ty) in outputs {
                            if !matches!(ty, Ty::Num | Ty::Any) {
                                let a = format!("{agg:?}").to_lowercase();
                                self.diag(
                                    &here.key("aggregate"),
                                    format!(
                                        "collect {a} needs numeric outputs; '{n}' is {}",
                                        self.ty_name(ty)
                                    ),
                                );
                                *ok = false;
                            }
                        }
                    }
                    Hit::Collect(agg)
                }
                (HitPolicy::Collect, None) => {
                    self.diag(
                        here,
                        "hit policy collect needs an \"aggregate\": sum, min, max or count".into(),
                    );
                    return None;
                }
                (_, Some(_)) => {
                    self.diag(
                        &here.key("aggregate"),
                        "aggregate is for the collect hit policy".into(),
                    );
                    return None;
                }
            },
        )
    }
}

/// A table's outputs as its rows, bands and default give them: the names, and the type of
/// every value that is not null with where it is.
#[derive(Default)]
pub(super) struct Outputs {
    names: Vec<(String, Ty)>,
    seen: Vec<Vec<(Ty, JsonPath)>>,
}

impl Outputs {
    /// Gives each output the type most of its values have (the first seen among equals)
    /// and reports each value of another type where it is; false when there is one.
    fn settle(&mut self, c: &Compiler) -> bool {
        let mut ok = true;
        for ((name, ty), seen) in self.names.iter_mut().zip(&self.seen) {
            let mut counts: Vec<(Ty, usize)> = Vec::new();
            for (t, _) in seen {
                match counts.iter_mut().find(|(u, _)| u == t) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((t.clone(), 1)),
                }
            }
            let Some(most) = counts.iter().rev().max_by_key(|(_, n)| *n) else {
                continue;
            };
            *ty = most.0.clone();
            for (t, at) in seen {
                if t != ty {
                    let others = if most.1 == 1 { "another value" } else { "the others" };
                    c.diag(
                        at,
                        format!(
                            "output '{name}' is {} here, but {} ({} of {}) are {}",
                            c.ty_name(t),
                            others,
                            most.1,
                            seen.len(),
                            c.ty_name(ty)
                        ),
                    );
                    ok = false;
                }
            }
        }
        ok
    }
}

/// Where a table's expressions are compiled: its collection's records, or the scorecard.
struct TableScope<'v> {
    on: Option<CollId>,
    vars: &'v [(&'v str, Ty)],
}

/// A scope's variables with names of their own.
fn named(vars: Vec<(&'static str, Ty)>) -> Vec<(String, Ty)> {
    vars.into_iter().map(|(n, t)| (n.to_string(), t)).collect()
}
