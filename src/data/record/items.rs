//! A list field's items (a checklist), read straight from the record's text in the same
//! pass as the record: each item's fields go into one flat vector.

use super::*;

/// Reads a list field's items straight from the record's text, in the same pass (no copy,
/// no second scan): each item's fields go into one flat vector.
pub(super) struct ItemsSeed<'a> {
    pub(super) field: &'a Field,
    pub(super) shape: &'a crate::plan::ItemShape,
    pub(super) plan: &'a Plan,
    pub(super) path: &'a dyn Fn() -> String,
}

impl ItemsSeed<'_> {
    fn found(&self, found: String) -> String {
        format!("field '{}': expected a list, found {found}", (self.path)())
    }
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_> {
    type Value = Result<Value, String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_> {
    type Value = Result<Value, String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }

    found_instead!(Result<Value, String>);

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(match self.field.optional {
            true => Ok(Value::None),
            false => Err(format!("field '{}' is required but null", (self.path)())),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        // an empty object has no first key
        let found = match m.next_key::<Key>()? {
            Some(first) => describe_map(&first.0, m)?,
            None => "object".into(),
        };
        Ok(Err(self.found(found)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let shape = Shape {
            fields: &self.shape.fields,
            extra: ExtraFields::Reject,
            key_slot: None,
            owner: "these items",
        };
        let width = u16::try_from(shape.fields.len()).unwrap_or(u16::MAX);
        let mut fields = Vec::with_capacity(seq.size_hint().unwrap_or(10) * width as usize);
        let mut problem = None;
        let mut i = 0;
        loop {
            if problem.is_some() {
                // the list is bad already: read the rest without converting it
                if seq.next_element::<de::IgnoredAny>()?.is_none() {
                    break;
                }
                continue;
            }
            let ipath = || format!("{}[{i}]", (self.path)());
            let item = ItemSeed {
                shape: &shape,
                plan: self.plan,
                prefix: &ipath,
                out: &mut fields,
            };
            match seq.next_element_seed(item)? {
                None => break,
                Some(Ok(())) => {}
                Some(Err(p)) => problem = Some(p),
            }
            i += 1;
        }
        Ok(match problem {
            Some(p) => Err(p),
            None => Ok(Value::Items(fields.into(), width)),
        })
    }
}

/// Reads one item of a list: an object, else a problem saying what it is instead.
struct ItemSeed<'a> {
    shape: &'a Shape<'a>,
    plan: &'a Plan,
    prefix: &'a dyn Fn() -> String,
    out: &'a mut Vec<Value>,
}

impl ItemSeed<'_> {
    fn found(&self, found: String) -> String {
        format!(
            "field '{}': expected an object, found {found}",
            (self.prefix)()
        )
    }
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_> {
    type Value = Result<(), String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemSeed<'_> {
    type Value = Result<(), String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    found_instead!(Result<(), String>);

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err(self.found("null".into())))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Err(self.found("array".into())))
    }

    fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Self::Value, A::Error> {
        let base = self.out.len();
        let found =
            |f: String| format!("field '{}': expected an object, found {f}", (self.prefix)());
        let visitor = ObjectVisitor {
            shape: self.shape,
            plan: self.plan,
            prefix: self.prefix,
            out: self.out,
            number: Some(&found),
        };
        let read = visitor.visit_map(m)?;
        Ok(match read.problem {
            Some(p) => {
                self.out.truncate(base);
                Err(p)
            }
            None => Ok(()),
        })
    }
}

