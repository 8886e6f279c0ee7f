//! Measures: formulas, aggregates over related records (windows, per-window lists) and
//! table outputs, each compiled on demand so that cycles are found.

use super::*;

impl Compiler<'_> {
    /// Compiles measure `id`, marking it in progress meanwhile (so that a measure that
    /// needs itself is found).
    pub(super) fn compile_measure(&self, id: usize) {
        self.measure_state.borrow_mut()[id] = State::InProgress;
        self.compiling.borrow_mut().push(Compiling::Measure(id));
        let result = self.measure_body(id);
        self.compiling.borrow_mut().pop();
        let slot = &self.measure_slots[id];
        if let (Some(r), Some((_, ty))) = (slot.spec.as_ref().and_then(|s| s.rounding), &result) {
            let at = slot.path.key("rounding");
            self.check_rounding(&r, &at);
            if !matches!(ty, Ty::Num | Ty::Any) {
                self.diag(
                    &at,
                    format!("rounding is for number measures; '{}' is {}", slot.name, self.ty_name(ty)),
                );
            }
        }
        let mut st = self.measure_state.borrow_mut();
        match result {
            Some((kind, ty)) => {
                st[id] = State::Done(ty);
                self.measure_kinds.borrow_mut()[id] = Some(kind);
                self.measure_order.borrow_mut().push(id as MeasureId);
            }
            None => st[id] = State::Failed,
        }
    }

    /// The message for a cycle closed by meeting `again` while it is compiled: the path
    /// from it round to it, and which aggregate reads its own collection's records when one
    /// does (a result that depends on the same collection's other records).
    pub(super) fn cycle_through(&self, again: Compiling) -> String {
        let stack = self.compiling.borrow();
        let from = stack.iter().position(|c| *c == again).unwrap_or(0);
        let label = |c: &Compiling| match *c {
            Compiling::Measure(m) => {
                let s = &self.measure_slots[m];
                format!("{}.{}", self.coll_name(s.coll), s.name)
            }
            Compiling::Table(t) => format!("table {}", self.table_slots[t].name),
        };
        let mut path: Vec<String> = stack[from..].iter().map(label).collect();
        path.push(label(&again));
        let what = match again {
            Compiling::Measure(m) => format!("measure '{}'", self.measure_slots[m].name),
            Compiling::Table(t) => format!("table '{}'", self.table_slots[t].name),
        };
        let mut msg = format!("{what} depends on itself: {}", path.join(" → "));
        let own = stack[from..].iter().find_map(|c| match *c {
            Compiling::Measure(m) => {
                let s = &self.measure_slots[m];
                let spec = s.spec.as_ref()?;
                (spec.aggregate.is_some()
                    && spec.over.as_deref() == Some(self.coll_name(s.coll).as_str()))
                .then(|| s.name.clone())
            }
            Compiling::Table(_) => None,
        });
        if let Some(agg) = own {
            msg.push_str(&format!(
                "; the aggregate '{agg}' over the same collection is what closes it: a record's result that depends on the same unit's earlier records is a scan (\"scan\": a state carried from record to record in date order)"
            ));
        }
        msg
    }

    pub(super) fn measure_body(&self, id: usize) -> Option<(MeasureKind, Ty)> {
        let slot = &self.measure_slots[id];
        let spec = slot.spec.as_ref()?;
        let here = &slot.path;
        let coll = slot.coll;
        let given = [
            spec.expr.is_some(),
            spec.aggregate.is_some(),
            spec.table.is_some(),
            spec.scan.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            self.diag(
                here,
                "a measure needs exactly one of expr, aggregate, table or scan".into(),
            );
            return None;
        }
        let kind = if spec.expr.is_some() {
            "expr"
        } else if spec.table.is_some() {
            "table"
        } else if spec.scan.is_some() {
            "scan"
        } else {
            "aggregate"
        };
        for (present, name, applies) in [
            (spec.over.is_some(), "over", "aggregate"),
            (spec.via.is_some(), "via", "aggregate"),
            (spec.filter.is_some(), "where", "aggregate"),
            (spec.value.is_some(), "value", "aggregate"),
            (spec.window.is_some(), "window", "aggregate"),
            (spec.matching.is_some(), "match", "aggregate"),
            (spec.per.is_some(), "per", "aggregate"),
            (spec.output.is_some(), "output", "table"),
            (spec.state.is_some(), "state", "scan"),
            (spec.step.is_some(), "step", "scan"),
            (spec.with.is_some(), "with", "scan"),
        ] {
            if present && kind != applies {
                self.diag(
                    &here.key(name),
                    format!("'{name}' applies to {applies} measures, not to {kind} measures"),
                );
            }
        }
        if let Some(src) = &spec.expr {
            let e = self.expr(src, &here.key("expr"), Some(coll), &Scope::Record.declared(), None)?;
            let ty = e.ty.clone();
            return Some((MeasureKind::Expr(e), ty));
        }
        if let Some(tname) = &spec.table {
            return self.table_measure(tname, spec, here, coll);
        }
        if let Some(by) = &spec.scan {
            return self.scan_measure(by, spec, here, coll);
        }
        self.aggregate_measure(spec, here, coll)
    }

    /// A measure that is an output of a table on the same collection.
    fn table_measure(
        &self,
        tname: &str,
        spec: &MeasureSpec,
        here: &JsonPath,
        coll: CollId,
    ) -> Option<(MeasureKind, Ty)> {
        let Some(t) = self.table_slots.iter().position(|t| t.name == tname) else {
            self.diag(&here.key("table"), format!("no table '{tname}'"));
            return None;
        };
        if matches!(self.table_state.borrow()[t], State::InProgress) {
            let msg = self.cycle_through(Compiling::Table(t));
            self.diag(&here.key("table"), msg);
            return None;
        }
        if self.table_slots[t].spec.as_ref().is_some_and(|s| s.on == "groups") {
            self.diag(
                &here.key("table"),
                format!("table '{tname}' is on groups: it grades jurisdictions by their indicators, which come after every measure, so a measure cannot take its outputs"),
            );
            return None;
        }
        self.ensure_table(t);
        let tables = self.tables.borrow();
        let table = tables[t].as_ref()?;
        if table.on != TableOn::Coll(coll) {
            let on = match table.on {
                TableOn::Coll(c) => self.coll_name(c),
                TableOn::Scorecard => "scorecard".into(),
                TableOn::Groups => "groups".into(),
            };
            self.diag(
                &here.key("table"),
                format!("table '{tname}' is on {on}, not on {}", self.coll_name(coll)),
            );
            return None;
        }
        let out = match &spec.output {
            Some(o) => table.outputs.iter().position(|(n, _)| n == o).or_else(|| {
                self.diag(
                    &here.key("output"),
                    format!("table '{tname}' has no output '{o}'"),
                );
                None
            })?,
            None if table.outputs.len() == 1 => 0,
            None => {
                self.diag(
                    here,
                    format!("table '{tname}' has several outputs: name one with \"output\""),
                );
                return None;
            }
        };
        let ty = table.outputs[out].1.clone();
        Some((
            MeasureKind::Table {
                table: t,
                output: out,
            },
            ty,
        ))
    }

    /// An aggregate over related records.
    fn aggregate_measure(
        &self,
        spec: &MeasureSpec,
        here: &JsonPath,
        coll: CollId,
    ) -> Option<(MeasureKind, Ty)> {
        let Some(agg) = spec.aggregate else {
            return None; // reported: a measure needs one of expr, aggregate or table
        };
        let Some(over_name) = &spec.over else {
            self.diag(
                here,
                "an aggregate needs \"over\": the related collection".into(),
            );
            return None;
        };
        let Some(over) = self.coll_id(over_name) else {
            self.diag(
                &here.key("over"),
                format!(
                    "no collection '{over_name}' (collections: {})",
                    self.coll_names()
                ),
            );
            return None;
        };
        let (key, via) = self.related_by(spec, here, coll, over)?;
        let oc = &self.colls[over as usize];
        let window = spec.window.unwrap_or(Window::All);
        let per = match &spec.per {
            None => None,
            Some(v) => {
                if spec.window.is_some() {
                    self.diag(
                        &here.key("window"),
                        "per divides the period into windows; it takes no other window".into(),
                    );
                }
                Some(self.per(v, &here.key("per"))?)
            }
        };
        if (window != Window::All || agg == Agg::Latest || per.is_some()) && oc.date_slot.is_none()
        {
            self.diag(here, format!("{over_name} has no date field (\"date\" in its collection), which this window or latest needs"));
            return None;
        }
        let filter = match &spec.filter {
            Some(w) => Some(self.expr(
                w,
                &here.key("where"),
                Some(over),
                &Scope::Aggregate(coll).declared(),
                Some(&Ty::Bool),
            )?),
            None => None,
        };
        let (value, ty) = self.aggregate_value(spec, agg, here, (coll, over))?;
        let ty = if per.is_some() {
            Ty::List(Box::new(ty))
        } else {
            ty
        };
        Some((
            MeasureKind::Aggregate {
                agg,
                over,
                via,
                key,
                filter,
                value,
                window,
                per,
            },
            ty,
        ))
    }

    /// Which reference field of the related collection `over` (or which path of
    /// references from it) ties its records to this record (or, with `match`, to what
    /// this record's reference field points at): the `match` field, and the `via` path.
    fn related_by(
        &self,
        spec: &MeasureSpec,
        here: &JsonPath,
        coll: CollId,
        over: CollId,
    ) -> Option<(Option<u16>, Via)> {
        let over_name = &self.colls[over as usize].name;
        // related records point at this record, or (with "match") at what this record's
        // reference field points at
        let (target, key) = match &spec.matching {
            None => (coll, None),
            Some(m) => {
                let c = &self.colls[coll as usize];
                match c
                    .field_index
                    .get(m)
                    .map(|s| (*s, &c.fields[*s as usize].kind))
                {
                    Some((s, FieldKind::Ref(t))) => (*t, Some(s)),
                    _ => {
                        self.diag(
                            &here.key("match"),
                            format!("'{m}' is not a reference field of {}", c.name),
                        );
                        return None;
                    }
                }
            }
        };
        let oc = &self.colls[over as usize];
        let refs: Vec<&str> = oc
            .fields
            .iter()
            .filter(|f| f.kind == FieldKind::Ref(target))
            .map(|f| f.name.as_str())
            .collect();
        let target_name = self.coll_name(target);
        let such = match refs.is_empty() {
            true => format!("no field of {over_name} references {target_name} itself; a path of references may lead there, such as `inspection.establishment`"),
            false => format!("such fields: {}", refs.join(", ")),
        };
        let via = match &spec.via {
            Some(v) => self.via_path(v, over, target, &here.key("via"), &such)?,
            None if refs.len() == 1 => Via {
                steps: vec![(over, oc.field_index[refs[0]])],
            },
            None if refs.is_empty() => {
                self.diag(here, format!("{such}: name it with \"via\""));
                return None;
            }
            None => {
                self.diag(here, format!("name the field of {over_name} that references {target_name} with \"via\" (candidates: {})", refs.join(", ")));
                return None;
            }
        };
        Some((key, via))
    }

    /// The path of references `text` (`unit`, `inspection.establishment`) from collection
    /// `from` to `target`: every step a reference field of the collection the one before
    /// refers to, the last to `target`; a problem is reported at `at` (`such`: the fields
    /// that would do, for the message).
    fn via_path(&self, text: &str, from: CollId, target: CollId, at: &JsonPath, such: &str) -> Option<Via> {
        let mut steps = Vec::new();
        let mut here = from;
        let names: Vec<&str> = text.split('.').collect();
        for (k, name) in names.iter().enumerate() {
            let c = &self.colls[here as usize];
            let Some(&slot) = c.field_index.get(*name) else {
                let hint = crate::suggest::hint(name, c.fields.iter().map(|f| f.name.as_str()));
                let message = match k {
                    0 => format!("'{text}' is not a field of {} that references {}{hint} ({such})", c.name, self.coll_name(target)),
                    _ => format!("'{text}': {} has no field '{name}'{hint}", c.name),
                };
                self.diag(at, message);
                return None;
            };
            let FieldKind::Ref(next) = c.fields[slot as usize].kind else {
                let message = match names.len() {
                    1 => format!("'{text}' is not a field of {} that references {} ({such})", c.name, self.coll_name(target)),
                    _ => format!("'{text}': '{name}' of {} is not a reference, so the path cannot go on from it", c.name),
                };
                self.diag(at, message);
                return None;
            };
            steps.push((here, slot));
            here = next;
        }
        if here != target {
            let message = match steps.len() {
                1 => format!("'{text}' is not a field of {} that references {} ({such})", self.coll_name(from), self.coll_name(target)),
                _ => format!("'{text}' leads to {}, not {}", self.coll_name(here), self.coll_name(target)),
            };
            self.diag(at, message);
            return None;
        }
        Some(Via { steps })
    }

    /// The value per related record of an aggregate, and the aggregate's type.
    fn aggregate_value(
        &self,
        spec: &MeasureSpec,
        agg: Agg,
        here: &JsonPath,
        (coll, over): (CollId, CollId),
    ) -> Option<(Option<Expr>, Ty)> {
        let agg_name = agg.name();
        let value = match (&spec.value, agg) {
            (Some(_), Agg::Count) => {
                self.diag(&here.key("value"), "count takes no value".into());
                return None;
            }
            (None, Agg::Count) => None,
            (None, _) => {
                self.diag(
                    here,
                    format!("{agg_name} needs a \"value\" for each related record"),
                );
                return None;
            }
            (Some(v), _) => Some(self.expr(
                v,
                &here.key("value"),
                Some(over),
                &Scope::Aggregate(coll).declared(),
                None,
            )?),
        };
        let ty = match (agg, &value) {
            (Agg::Count, _) => Ty::Num,
            (Agg::List, Some(v)) => Ty::List(Box::new(v.ty.clone())),
            (_, Some(v)) => {
                let ok = match agg {
                    Agg::Sum | Agg::Mean => v.ty == Ty::Num || v.ty == Ty::Any,
                    Agg::Min | Agg::Max => matches!(v.ty, Ty::Num | Ty::Date | Ty::Str | Ty::Any),
                    _ => true,
                };
                if !ok {
                    self.diag(
                        &here.key("value"),
                        format!(
                            "{agg_name} needs a number (min and max: also dates), found {}",
                            self.ty_name(&v.ty)
                        ),
                    );
                    return None;
                }
                v.ty.clone()
            }
            _ => return None,
        };
        Some((value, ty))
    }

    /// The windows of `per`: calendar periods, or a collection of terms (its date fields
    /// resolved).
    pub(super) fn per(&self, per: &PerSpec, here: &JsonPath) -> Option<Per> {
        let (c, from, to) = match per {
            PerSpec::Months(m) => return Some(Per::Months(*m)),
            PerSpec::Weeks => return Some(Per::Weeks),
            PerSpec::Terms { collection, from, to } => (collection, from, to),
        };
        let Some(coll) = self.coll_id(c) else {
            self.diag(
                &here.key("collection"),
                format!("no collection '{c}' (collections: {})", self.coll_names()),
            );
            return None;
        };
        let cs = &self.colls[coll as usize];
        let date_field = |f: &str, k: &str| match cs.field_index.get(f) {
            Some(&s) if cs.fields[s as usize].kind == FieldKind::Date => Some(s),
            _ => {
                self.diag(&here.key(k), format!("'{f}' is not a date field of {c}"));
                None
            }
        };
        let (a, b) = (date_field(from, "from"), date_field(to, "to"));
        Some(Per::Terms {
            coll,
            from: a?,
            to: b?,
        })
    }
}
