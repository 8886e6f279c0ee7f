//! `custom`: a script function of the members' values, in key order (a local variation no
//! other kind expresses).

use super::*;
use crate::expr::compile::{Expr, Ty};
use crate::pack::spec::PopulationSpec;
use crate::script::ScriptFn;
use std::sync::Arc;

/// A custom indicator's fields.
#[derive(Debug, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Spec {
    population: PopulationSpec,
    /// The value per member, handed to the script.
    value: String,
    /// The declared script function: one `list` parameter, returns a number.
    script: String,
}

#[derive(Debug)]
pub(crate) struct Custom {
    value: Expr,
    script: Arc<ScriptFn>,
}

impl CompileKind for Spec {
    type Rule = Custom;
    fn compile(self, cx: &mut KindCx) -> Option<Custom> {
        cx.population(&self.population)?;
        let value = cx.expression(&self.value, "value")?;
        let script = cx.script(&self.script, "script")?;
        if script.params.len() != 1
            || !matches!(script.params[0], Ty::List(_))
            || script.returns != Ty::Num
        {
            let message = format!("'{}' must take one list and return a number", self.script);
            cx.diag("script", message);
            return None;
        }
        Some(Custom { value, script })
    }
}

impl Kind for Custom {
    fn name(&self) -> &'static str {
        "custom"
    }
    fn tally_shape(&self) -> super::TallyShape {
        super::TallyShape { every_member_listed: true, values: true, ..TallyShape::default() }
    }
    fn member(&self, m: &MemberCx) -> Result<Contribution, ScoreError> {
        Ok(Contribution {
            kept: Some(m.value(&self.value)?),
            ..Contribution::listed()
        })
    }
    fn value(&self, t: &Tally, g: &GroupCx) -> Result<Valued, ScoreError> {
        let values = t.values.iter().map(|(_, v)| v.clone()).collect();
        let v = self
            .script
            .call(&[Value::List(values)])
            .map_err(|f| g.failed(f.message))?;
        Ok(Valued::over_members(v.num(), t))
    }
}
