//! The pack as a whole: each section compiled in the order the others need it, then the
//! plan assembled.

use super::*;

impl Compiler<'_> {
    /// Compiles every section of the pack, in the order the others need them, then
    /// assembles the plan; `None` when there is a problem (reported).
    pub(super) fn build(&mut self, spec: PackSpec) -> Option<Plan> {
        let root = JsonPath::root();
        let period = spec
            .period
            .as_ref()
            .and_then(|period| self.period(period, &root.key("period")));
        let rounding = spec.rounding.unwrap_or(RoundingSpec {
            digits: 1,
            mode: RoundingMode::HalfUp,
        });
        self.check_rounding(&rounding, &root.key("rounding"));
        self.rounding = rounding;
        self.on_incomplete = spec.on_incomplete.unwrap_or_default();
        let coll_specs = self.collections(&spec);
        let groups = spec
            .groups
            .as_ref()
            .and_then(|g| self.groups(g, &root.key("groups")));
        self.groups_coll = groups.as_ref().map(|g| g.coll);
        self.collection_details(&coll_specs, &groups);
        self.declare_measures_and_tables(&spec);
        // filters after the measures are declared, so that one naming a measure is told so
        self.collection_filters(&coll_specs);
        for id in 0..self.measure_slots.len() {
            if matches!(self.measure_state.borrow()[id], State::Pending) {
                self.compile_measure(id);
            }
        }
        self.validity_rules(&coll_specs);
        // tables on groups see the indicators: compiled after them
        let on_groups = |t: usize| {
            self.table_slots[t]
                .spec
                .as_ref()
                .is_some_and(|s| s.on == "groups")
        };
        for t in (0..self.table_slots.len()).filter(|t| !on_groups(*t)) {
            self.ensure_table(t);
        }
        let indicators = self.indicators(&spec, rounding);
        if let Some(mut vars) = self.indicator_vars(&indicators, &root.key("indicators")) {
            if let Some(g) = self.groups_coll {
                vars.push(("group".into(), Ty::Rec(g)));
            }
            *self.group_vars.borrow_mut() = Some(vars);
        }
        for t in (0..self.table_slots.len()).filter(|t| on_groups(*t)) {
            self.ensure_table(t);
        }
        let scorecard = spec.scorecard.as_ref().and_then(|v| {
            let here = root.key("scorecard");
            let s = self.entry::<ScorecardSpec>(v, &here)?;
            self.scorecard(s, &here, &spec.indicators, &indicators, rounding)
        });
        if !self.diags.borrow().is_empty() {
            return None;
        }
        for (id, slot) in self.measure_slots.iter().enumerate() {
            let hidden = slot.spec.as_ref().is_some_and(|s| s.report == Some(false));
            if hidden && !self.used_measures.borrow().contains(&id) {
                self.warn(
                    &slot.path.key("report"),
                    format!(
                        "measure '{}' is not reported and nothing uses it: report it, or remove it",
                        slot.name
                    ),
                );
            }
        }
        let (measures, tables) = self.compiled_measures_and_tables()?;
        let mut indicators = indicators;
        crate::plan::inputs::find(&mut indicators, &measures, &tables);
        let needed = crate::plan::inputs::needed(&self.colls, self.groups_coll, &indicators, &measures, &tables);
        for (c, n) in self.colls.iter_mut().zip(needed) {
            c.needed = n;
        }
        // a period is needed to date anything: a dated collection, a window, a timeliness
        // indicator's assessment date, or an expression that reads the period
        let needs_period = self.reads_period.get()
            || self.colls.iter().any(|c| c.date_slot.is_some())
            || measures.iter().any(|m| {
                matches!(&m.kind, MeasureKind::Aggregate { window, per, .. }
                    if *window != crate::plan::Window::All || per.is_some())
            })
            || indicators.iter().any(|i| i.kind.reads_period());
        let script_stack = spec
            .scripts
            .as_ref()
            .map_or(0, |s| s.limits.unwrap_or_default().stack_need());
        Some(Plan {
            warnings: Vec::new(),
            meta: PackMeta {
                name: spec.name,
                version: spec.version,
                title: spec.title,
                digest: String::new(),
                indicator_order: self.indicator_order(&indicators),
                language: spec.language.unwrap_or_default(),
            },
            period,
            needs_period,
            collections: std::mem::take(&mut self.colls),
            items: {
                let mut items = std::mem::take(&mut self.items);
                items.append(&mut self.scan_states.borrow_mut());
                items
            },
            measures,
            measure_order: std::mem::take(&mut *self.measure_order.borrow_mut()),
            tables,
            indicators,
            scorecard,
            groups,
            evidence_cap: spec.evidence_cap.unwrap_or(20),
            other_sheets: spec.other_sheets,
            on_incomplete: self.on_incomplete,
            set_aside: spec.evaluation_errors.unwrap_or_default()
                == crate::pack::spec::EvaluationErrors::SetAside,
            rounding,
            script_stack,
            scripts: {
                let mut all: Vec<_> = self.scripts.values().cloned().collect();
                all.sort_by(|a, b| a.name.cmp(&b.name));
                all
            },
        })
    }

    /// The collections, with their fields: names first (fields may reference any
    /// collection), then fields. Their specs, for what needs the groups.
    fn collections(&mut self, spec: &PackSpec) -> Vec<Option<CollectionSpec>> {
        let cpath = JsonPath::root().key("collections");
        if spec.collections.is_empty() {
            self.diag(&cpath, "a pack needs at least one collection".into());
        }
        for name in spec.collections.keys() {
            self.colls.push(Collection {
                name: name.clone(),
                fields: Vec::new(),
                field_index: HashMap::new(),
                key_slot: 0,
                date_slot: None,
                jurisdiction: None,
                include: None,
                extra_fields: ExtraFields::Reject,
                invalid_when: Vec::new(),
                measures: Vec::new(),
                sheet: Default::default(),
                flat: false,
                optional: false,
                needed: true,
            });
        }
        let mut coll_specs = Vec::new();
        for (i, (name, v)) in spec.collections.iter().enumerate() {
            let here = cpath.key(name);
            let cs = self.entry::<CollectionSpec>(v, &here);
            if let Some(cs) = &cs {
                self.collection_fields(i, cs, &here);
            }
            coll_specs.push(cs);
        }

        coll_specs
    }

    /// Each collection's date field, jurisdiction path and treatment of undeclared fields,
    /// then its include filter (which sees fields only).
    fn collection_details(&mut self, coll_specs: &[Option<CollectionSpec>], groups: &Option<Groups>) {
        let cpath = JsonPath::root().key("collections");
        for (i, cs) in coll_specs.iter().enumerate() {
            let Some(cs) = cs else { continue };
            let here = cpath.key(&self.colls[i].name.clone());
            if let Some(d) = &cs.date {
                match self.colls[i].field_index.get(d) {
                    Some(&s) if self.colls[i].fields[s as usize].kind == FieldKind::Date => {
                        self.colls[i].date_slot = Some(s)
                    }
                    Some(_) => self.diag(&here.key("date"), format!("field '{d}' is not a date")),
                    None => self.diag(&here.key("date"), format!("no field '{d}' in this collection")),
                }
            }
            if let Some(j) = &cs.jurisdiction {
                self.colls[i].jurisdiction =
                    self.jurisdiction_path(i as CollId, j, groups, &here.key("jurisdiction"));
            }
            self.colls[i].extra_fields = cs.extra_fields.unwrap_or_default();
            self.colls[i].optional = cs.optional;
            self.colls[i].sheet = self.sheet(i, cs.sheet.as_ref(), &here.key("sheet"));
        }
    }

    /// Each collection's include filter, which sees fields only.
    fn collection_filters(&mut self, coll_specs: &[Option<CollectionSpec>]) {
        let cpath = JsonPath::root().key("collections");
        for (i, cs) in coll_specs.iter().enumerate() {
            let Some(Some(inc)) = cs.as_ref().map(|c| c.include.as_ref()) else {
                continue;
            };
            let here = cpath.key(&self.colls[i].name.clone()).key("include");
            let vars = Scope::Record.declared();
            let fields_only = FieldsOnly(self);
            let include = self.expr_over(&fields_only, inc, &here, (Some(i as CollId), &vars), Some(&Ty::Bool));
            self.colls[i].include = include;
        }
    }

    /// Each collection's validity rules, which see its fields and measures.
    fn validity_rules(&mut self, coll_specs: &[Option<CollectionSpec>]) {
        let cpath = JsonPath::root().key("collections");
        for (i, cs) in coll_specs.iter().enumerate() {
            let Some(cs) = cs else { continue };
            let mut rules = Vec::new();
            for (k, rule) in cs.invalid_when.iter().enumerate() {
                let here = cpath.key(&self.colls[i].name.clone()).key("invalid_when").index(k);
                if rule.reason.trim().is_empty() {
                    self.diag(&here.key("reason"), "a validity rule needs a reason: the accounting shows it".into());
                }
                let vars = Scope::Record.declared();
                let when = self.expr_over(self, &rule.when, &here.key("when"), (Some(i as CollId), &vars), Some(&Ty::Bool));
                rules.extend(when.map(|w| (w, rule.reason.clone())));
            }
            self.colls[i].invalid_when = rules;
        }
    }

    /// Registers every measure and table by name, to be compiled on demand (so in
    /// dependency order, finding cycles).
    fn declare_measures_and_tables(&mut self, spec: &PackSpec) {
        let root = JsonPath::root();
        let mpath = root.key("measures");
        for (cname, ms) in &spec.measures {
            let Some(cid) = self.coll_id(cname) else {
                self.diag(
                    &mpath.key(cname),
                    format!(
                        "no collection '{cname}' (collections: {})",
                        self.coll_names()
                    ),
                );
                continue;
            };
            for (mname, v) in ms {
                let here = mpath.key(cname).key(mname);
                if self.colls[cid as usize].field_index.contains_key(mname) {
                    self.diag(
                        &here,
                        format!("measure '{mname}' has the name of a field of {cname}"),
                    );
                }
                if RESERVED_NAMES.contains(&mname.as_str()) {
                    self.diag(&here, format!("'{mname}' is a reserved variable name"));
                }
                let spec = self.entry::<MeasureSpec>(v, &here);
                self.colls[cid as usize]
                    .measures
                    .push(self.measure_slots.len() as MeasureId);
                self.measure_slots.push(MeasureSlot {
                    coll: cid,
                    name: mname.clone(),
                    path: here,
                    spec,
                });
            }
        }
        *self.measure_state.borrow_mut() = vec![State::Pending; self.measure_slots.len()];
        *self.measure_kinds.borrow_mut() = (0..self.measure_slots.len()).map(|_| None).collect();

        let tpath = root.key("tables");
        for (name, v) in &spec.tables {
            let here = tpath.key(name);
            let spec = self.entry::<TableSpec>(v, &here);
            self.table_slots.push(TableSlot {
                name: name.clone(),
                path: here,
                spec,
            });
        }
        *self.table_state.borrow_mut() = vec![State::Pending; self.table_slots.len()];
        *self.tables.borrow_mut() = (0..self.table_slots.len()).map(|_| None).collect();

    }

    /// The indicators' ids in the order the pack's files list them: the pack's own first,
    /// by where each stands in it, then the imported ones, file by file.
    fn indicator_order(&self, indicators: &[Indicator]) -> Vec<String> {
        let ipath = JsonPath::root().key("indicators");
        let mut placed: Vec<(bool, String, usize, String)> = indicators
            .iter()
            .map(|i| {
                let place = self.sources.place(&ipath.key(&i.id));
                let main = place.file == self.sources.place(&JsonPath::root()).file;
                let at = crate::json_locate::locate(place.text, &place.path);
                (!main, place.file.to_string(), at, i.id.clone())
            })
            .collect();
        placed.sort();
        placed.into_iter().map(|p| p.3).collect()
    }

    /// The indicators: those that compare others after them.
    fn indicators(&self, spec: &PackSpec, rounding: RoundingSpec) -> Vec<Indicator> {
        let root = JsonPath::root();
        let ipath = root.key("indicators");
        let mut indicators = Vec::new();
        // a kind that compares other indicators is compiled after them
        let mut comparing = Vec::new();
        for (id, v) in &spec.indicators {
            let here = ipath.key(id);
            if let Some(is) = self.indicator_spec(v, &here) {
                if is.1.compares_others() {
                    comparing.push((id, is, here));
                } else if let Some(ind) = self.indicator(id, is, &here, rounding, &[]) {
                    indicators.push(ind);
                }
            }
        }
        for (id, is, here) in comparing {
            if let Some(ind) = self.indicator(id, is, &here, rounding, &indicators) {
                indicators.push(ind);
            }
        }
        indicators
    }

    /// The compiled measures and tables, in declaration order; `None` when one failed.
    fn compiled_measures_and_tables(&self) -> Option<(Vec<Measure>, Vec<Table>)> {
        let kinds = std::mem::take(&mut *self.measure_kinds.borrow_mut());
        let states = std::mem::take(&mut *self.measure_state.borrow_mut());
        let mut measures = Vec::new();
        for ((slot, kind), state) in self.measure_slots.iter().zip(kinds).zip(states) {
            let (Some(kind), State::Done(ty)) = (kind, state) else {
                return None;
            };
            measures.push(Measure {
                coll: slot.coll,
                name: slot.name.clone(),
                kind,
                ty,
                report: slot.spec.as_ref().and_then(|s| s.report).unwrap_or(true),
                rounding: slot.spec.as_ref().and_then(|s| s.rounding),
                title: slot.spec.as_ref().and_then(|s| s.title.clone()),
            });
        }
        let tables: Option<Vec<Table>> = std::mem::take(&mut *self.tables.borrow_mut())
            .into_iter()
            .collect();
        Some((measures, tables?))
    }
}
