//! Collections, their fields and jurisdictions, the groups, the period and rounding.

use super::*;
use crate::plan::limits::Limits;

impl Compiler<'_> {
    pub(super) fn check_rounding(&self, r: &RoundingSpec, path: &JsonPath) {
        if r.digits > crate::num::MAX_DIGITS {
            self.diag(
                &path.key("digits"),
                format!(
                    "rounding.digits must be 0–{}, found {}",
                    crate::num::MAX_DIGITS,
                    r.digits
                ),
            );
        }
    }

    pub(super) fn period(&self, period: &PeriodSpec, path: &JsonPath) -> Option<Period> {
        let d = |s: &str, k: &str| {
            let r = parse_date(s);
            if r.is_none() {
                self.diag(&path.key(k), format!("'{s}' is not a date YYYY-MM-DD"));
            }
            r
        };
        let from = d(&period.from, "from");
        let to = d(&period.to, "to");
        let as_of = match &period.as_of {
            Some(s) => d(s, "as_of"),
            None => to,
        };
        let (from, to, as_of) = (from?, to?, as_of?);
        if from > to {
            self.diag(
                path,
                format!("the period ends ({to}) before it starts ({from})"),
            );
            return None;
        }
        Some(Period { from, to, as_of })
    }

    /// A declared field: its kind, and a number field's limits.
    fn field(&mut self, name: &str, f: &FieldDetail, path: &JsonPath, in_item: bool) -> Option<Field> {
        let kind = self.field_kind(f, path, in_item)?;
        let limited = f.min.is_some() || f.max.is_some() || f.multiple_of.is_some() || f.values.is_some();
        let limits = match limited && kind.is_numeric() {
            true => {
                let mut values = None;
                if let Some(v) = &f.values {
                    let mut nums = Vec::new();
                    for (i, x) in v.iter().enumerate() {
                        match self.literal(x, &path.key("values").index(i)) {
                            Some((Value::Num(n), _)) => nums.push(n.get()),
                            Some(_) => self.diag(&path.key("values").index(i), format!("a number field's values are numbers, not {x}")),
                            None => {}
                        }
                    }
                    values = Some(nums);
                }
                let limits = Limits { min: f.min.clone(), max: f.max.clone(), multiple_of: f.multiple_of.clone(), values };
                for (at, message) in limits.problems() {
                    self.diag(&path.key(at), message);
                }
                Some(Box::new(limits))
            }
            _ => None,
        };
        Some(Field {
            name: name.to_string(),
            kind,
            optional: f.optional,
            limits,
        })
    }

    pub(super) fn field_kind(
        &mut self,
        f: &FieldDetail,
        path: &JsonPath,
        in_item: bool,
    ) -> Option<FieldKind> {
        if let Some(r) = &f.reference {
            if in_item {
                self.diag(path, "list items cannot hold references".into());
                return None;
            }
            if f.ty.as_deref().is_some_and(|t| t != "string") {
                self.diag(
                    &path.key("type"),
                    "a reference holds a key: its type is string (or leave type out)".into(),
                );
            }
            return match self.coll_id(r) {
                Some(c) => Some(FieldKind::Ref(c)),
                None => {
                    self.diag(
                        &path.key("ref"),
                        format!("no collection '{r}' (collections: {})", self.coll_names()),
                    );
                    None
                }
            };
        }
        let Some(ty) = &f.ty else {
            self.diag(path, "a field needs a type (or a ref)".into());
            return None;
        };
        // the type the limits and values are for: a list of plain values' element type
        let elem = match (ty.as_str(), &f.items) {
            ("list", Some(ItemsSpec::Values(t))) => t.as_str(),
            _ => ty.as_str(),
        };
        let numeric = elem == "number" || elem == "integer";
        if elem != "enum" && !numeric && f.values.is_some() {
            self.diag(&path.key("values"), "values are for type enum, number or integer (or a list of them)".into());
        }
        for (name, given) in [("min", &f.min), ("max", &f.max), ("multiple_of", &f.multiple_of)] {
            if !numeric && given.is_some() {
                self.diag(&path.key(name), format!("{name} is for type number or integer (or a list of them)"));
            }
        }
        if ty != "list" && f.items.is_some() {
            self.diag(&path.key("items"), "items are for type list".into());
        }
        Some(match ty.as_str() {
            "string" => FieldKind::Str,
            "number" => FieldKind::Num,
            "integer" => FieldKind::Int,
            "bool" => FieldKind::Bool,
            "date" => FieldKind::Date,
            "enum" => match &f.values {
                Some(v) if !v.is_empty() => {
                    let mut names = Vec::new();
                    for (i, x) in v.iter().enumerate() {
                        match x.as_str() {
                            Some(s) => names.push(Arc::from(s)),
                            None => self.diag(&path.key("values").index(i), format!("an enum's values are strings, not {x} (for numbers from a list, use type number or integer with \"values\": [5, 10, 15])")),
                        }
                    }
                    FieldKind::Enum(names)
                }
                _ => {
                    self.diag(path, "an enum needs a non-empty list of values".into());
                    return None;
                }
            },
            "list" => {
                let items = match &f.items {
                    None => {
                        self.diag(
                            path,
                            "a list needs items: the type of its values (\"number\") or the fields of its items".into(),
                        );
                        return None;
                    }
                    Some(ItemsSpec::Values(t)) => {
                        if !matches!(t.as_str(), "string" | "number" | "integer" | "bool" | "date" | "enum") {
                            self.diag(
                                &path.key("items"),
                                format!("a list's values are string, number, integer, bool, date or enum, not '{t}' (items with fields are an object: {{\"points\": \"number\"}})"),
                            );
                            return None;
                        }
                        let elem = FieldDetail {
                            ty: Some(t.clone()),
                            items: None,
                            optional: false,
                            ..f.clone()
                        };
                        let kind = self.field_kind(&elem, path, true)?;
                        return Some(FieldKind::Values(Box::new(kind)));
                    }
                    Some(ItemsSpec::Fields(items)) => items,
                };
                let mut fields = Vec::new();
                for (n, fs) in items {
                    let here = path.key("items").key(n);
                    fields.extend(self.field(n, &fs.0, &here, true));
                }
                self.items.push(ItemShape { fields });
                FieldKind::List((self.items.len() - 1) as ItemId)
            }
            other => {
                self.diag(
                    &path.key("type"),
                    format!(
                        "unknown type '{other}' (string, number, integer, bool, date, enum, list)"
                    ),
                );
                return None;
            }
        })
    }

    pub(super) fn collection_fields(&mut self, i: usize, cs: &CollectionSpec, here: &JsonPath) {
        let mut fields = Vec::new();
        for (n, fs) in &cs.fields {
            let file_at = here.key("fields").key(n);
            if RESERVED_NAMES.contains(&n.as_str()) {
                self.diag(&file_at, format!("'{n}' is the name of a variable expressions see; the field would be hidden by it: rename the field"));
            }
            fields.extend(self.field(n, &fs.0, &file_at, false));
        }
        let key = cs.key.clone().unwrap_or_else(|| "id".into());
        match fields.iter().position(|f| f.name == key) {
            Some(k) => {
                if fields[k].kind != FieldKind::Str || fields[k].optional {
                    self.diag(
                        &here.key("fields").key(&key),
                        "the key field must be a required string".into(),
                    );
                }
            }
            None => fields.push(Field {
                name: key.clone(),
                kind: FieldKind::Str,
                optional: false,
                limits: None,
            }),
        }
        let c = &mut self.colls[i];
        c.key_slot = fields.iter().position(|f| f.name == key).unwrap_or(0) as u16;
        c.field_index = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), i as u16))
            .collect();
        c.flat = fields.len() <= 64
            && fields.iter().all(|f| {
                !matches!(f.kind, FieldKind::List(_))
                    && !f.name.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20)
            });
        c.fields = fields;
    }

    pub(super) fn groups(&self, g: &GroupsSpec, here: &JsonPath) -> Option<Groups> {
        let Some(coll) = self.coll_id(&g.collection) else {
            self.diag(
                &here.key("collection"),
                format!(
                    "no collection '{}' (collections: {})",
                    g.collection,
                    self.coll_names()
                ),
            );
            return None;
        };
        let c = &self.colls[coll as usize];
        let parent = g.parent.as_ref().and_then(|f| match c.field_index.get(f) {
            Some(&s)
                if c.fields[s as usize].kind == FieldKind::Ref(coll)
                    && c.fields[s as usize].optional =>
            {
                Some(s)
            }
            Some(_) => {
                self.diag(
                    &here.key("parent"),
                    format!("field '{f}' must be an optional reference to {}", c.name),
                );
                None
            }
            None => {
                self.diag(&here.key("parent"), format!("no field '{f}' in {}", c.name));
                None
            }
        });
        let name = g.name.as_ref().and_then(|f| match c.field_index.get(f) {
            Some(&s)
                if matches!(
                    c.fields[s as usize].kind,
                    FieldKind::Str | FieldKind::Enum(_)
                ) =>
            {
                Some(s)
            }
            Some(_) => {
                self.diag(&here.key("name"), format!("field '{f}' must be a string"));
                None
            }
            None => {
                self.diag(&here.key("name"), format!("no field '{f}' in {}", c.name));
                None
            }
        });
        Some(Groups { coll, parent, name })
    }

    pub(super) fn jurisdiction_path(
        &self,
        coll: CollId,
        path: &str,
        groups: &Option<Groups>,
        here: &JsonPath,
    ) -> Option<Vec<(CollId, u16)>> {
        let Some(g) = groups else {
            self.diag(
                here,
                "a jurisdiction needs the pack's groups (the jurisdiction collection)".into(),
            );
            return None;
        };
        let mut hops = Vec::new();
        let mut cur = coll;
        for seg in path.split('.') {
            let c = &self.colls[cur as usize];
            match c
                .field_index
                .get(seg)
                .map(|s| (*s, &c.fields[*s as usize].kind))
            {
                Some((s, FieldKind::Ref(t))) => {
                    hops.push((cur, s));
                    cur = *t;
                }
                Some(_) => {
                    self.diag(here, format!("'{seg}' in {} is not a reference", c.name));
                    return None;
                }
                None => {
                    self.diag(here, format!("no field '{seg}' in {}", c.name));
                    return None;
                }
            }
        }
        if cur != g.coll {
            self.diag(
                here,
                format!(
                    "'{path}' leads to {}, not to the groups collection {}",
                    self.colls[cur as usize].name, self.colls[g.coll as usize].name
                ),
            );
            return None;
        }
        Some(hops)
    }
}
