//! Scripts: the loaded script files compiled with the pack's limits, and the declared
//! functions bound to them with their types.

use super::*;
use crate::pack::load::ScriptSource;

/// A type name of `scripts.functions` (`list` only as a parameter).
fn script_ty(name: &str, param: bool) -> Option<Ty> {
    Some(match name {
        "number" => Ty::Num,
        "string" => Ty::Str,
        "bool" => Ty::Bool,
        "date" => Ty::Date,
        "list" if param => Ty::List(Box::new(Ty::Any)),
        _ => return None,
    })
}

impl Compiler<'_> {
    /// Compiles the script files and binds the declared functions; `all_read` is false
    /// when a file could not be read (its functions are then not reported as missing).
    pub(super) fn bind_scripts(
        &mut self,
        s: &ScriptsSpec,
        files: &[ScriptSource],
        all_read: bool,
        here: &JsonPath,
    ) {
        let limits = s.limits.unwrap_or_default();
        for (name, cap) in limits.over_caps() {
            self.diag(
                &here.key("limits").key(name),
                format!("scripts.limits.{name} must be from 1 to {cap}"),
            );
        }
        let engine = Arc::new(crate::script::engine(&limits, self.calendar.clone()));
        let (ast, defined, compiled) = self.compile_scripts(&engine, &limits, files, here);
        let ast = Arc::new(ast);
        for (name, fs) in &s.functions {
            let function_at = here.key("functions").key(name);
            if crate::expr::compile::BUILTINS.contains(&name.as_str()) {
                self.diag(
                    &function_at,
                    format!(
                        "'{name}' is a built-in function; give the script function another name"
                    ),
                );
                continue;
            }
            let mut params = Vec::new();
            for (i, t) in fs.params.iter().enumerate() {
                match script_ty(t, true) {
                    Some(ty) => params.push(ty),
                    None => self.diag(
                        &function_at.key("params").index(i),
                        format!("unknown parameter type '{t}' (number, string, bool, date, list)"),
                    ),
                }
            }
            let Some(returns) = script_ty(&fs.returns, false) else {
                self.diag(
                    &function_at.key("returns"),
                    format!(
                        "unknown result type '{}' (number, string, bool, date)",
                        fs.returns
                    ),
                );
                continue;
            };
            let Some(file) = defined.get(&(name.clone(), fs.params.len())) else {
                if !(all_read && compiled) {
                    continue; // the file that would define it is reported already
                }
                let files = s.files.join(", ");
                self.diag(
                    &function_at,
                    format!(
                        "no function {name} with {} parameter(s) in {files}",
                        fs.params.len()
                    ),
                );
                continue;
            };
            let f = crate::script::bind(
                engine.clone(),
                limits,
                self.calendar.clone(),
                ast.clone(),
                name,
                file,
                params,
                returns,
            );
            self.scripts.insert(name.clone(), Arc::new(f));
        }
    }

    /// Compiles the script files into one AST: it, where each function is defined (by
    /// name and parameter count), and whether every file compiled.
    #[allow(clippy::type_complexity)]
    fn compile_scripts(
        &self,
        engine: &rhai::Engine,
        limits: &crate::script::Limits,
        files: &[ScriptSource],
        here: &JsonPath,
    ) -> (rhai::AST, HashMap<(String, usize), String>, bool) {
        let mut merged: Option<rhai::AST> = None;
        let mut all_compiled = true;
        let mut defined: HashMap<(String, usize), String> = HashMap::new();
        for f in files {
            let file_at = here.key("files").index(f.index);
            match crate::script::compile_file(engine, &f.text) {
                Ok(ast) => {
                    for meta in ast.iter_functions() {
                        let key = (meta.name.to_string(), meta.params.len());
                        if let Some(other) = defined.insert(key.clone(), f.name.clone()) {
                            self.diag(
                                &file_at,
                                format!(
                                    "function {}({} parameters) is defined in {other} and in {}",
                                    key.0, key.1, f.name
                                ),
                            );
                        }
                    }
                    merged = Some(match merged {
                        None => ast,
                        Some(m) => m.merge(&ast),
                    });
                }
                Err((line, col, message)) => {
                    all_compiled = false;
                    self.diags.borrow_mut().push(Diagnostic {
                        file: f.file.clone(),
                        line,
                        col,
                        path: file_at.to_string(),
                        message: format!(
                            "script does not compile: {}",
                            crate::script::script_limit_named(&message, limits)
                        ),
                        severity: crate::pack::Severity::Error,
                    })
                }
            }
        }
        (merged.unwrap_or_default(), defined, all_compiled)
    }
}
