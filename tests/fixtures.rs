//! Every `rules/*/tests/*.json` fixture as a test case of its own.

use libtest_mimic::{Arguments, Failed, Trial};
use scorecard::{fixtures, Plan};
use std::path::Path;
use std::sync::Arc;

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = root.join("rules");
    let mut trials = Vec::new();
    let mut packs = fixtures::packs(&rules);
    assert!(!packs.is_empty(), "no packs under {}", rules.display());
    // test-only packs (e.g. scripts that fail on purpose), not shipped
    packs.extend(fixtures::packs(&root.join("tests/packs")));
    for dir in packs {
        let pack = dir.file_name().unwrap().to_string_lossy().to_string();
        let plan = match Plan::load(&dir) {
            Ok(p) => Arc::new(p),
            Err(e) => {
                let msg = e.to_string();
                trials.push(Trial::test(format!("{pack}::loads"), move || {
                    Err(Failed::from(msg))
                }));
                continue;
            }
        };
        let found = fixtures::discover(&dir);
        trials.push(Trial::test(format!("{pack}::has_fixtures"), {
            let n = found.len();
            move || {
                if n > 0 {
                    Ok(())
                } else {
                    Err(Failed::from("a shipped pack needs fixtures in tests/"))
                }
            }
        }));
        for f in found {
            let name = format!("{pack}::{}", f.file_stem().unwrap().to_string_lossy());
            let plan = plan.clone();
            trials.push(Trial::test(name, move || {
                fixtures::run(&plan, &f).map_err(|d| Failed::from(d.join("\n")))
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
