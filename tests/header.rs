//! The committed C header is exactly what cbindgen generates from the source.
//! Regenerate it with `SCORECARD_UPDATE_HEADER=1 cargo test --test header`.

use std::path::Path;

#[test]
fn committed_header_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut fresh = Vec::new();
    cbindgen::Builder::new()
        .with_crate(root)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header")
        .write(&mut fresh);
    let fresh = String::from_utf8(fresh).unwrap();
    let path = root.join("include/scorecard.h");
    if std::env::var_os("SCORECARD_UPDATE_HEADER").is_some() {
        std::fs::create_dir_all(root.join("include")).unwrap();
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "include/scorecard.h differs from a fresh generation; run SCORECARD_UPDATE_HEADER=1 cargo test --test header and commit it"
    );
}
