//! Replays the committed fuzz seeds (`fuzz/seeds/<target>/`) and every past
//! crash (`fuzz/regressions/<target>/`) through the fuzz targets' own
//! bodies, so `cargo test` keeps them passing without libFuzzer. The bodies
//! drive the decoders with `sockframe::testing` (feature `testing`).
#![cfg(all(feature = "testing", feature = "json"))]

use std::collections::BTreeSet;
use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

// Targets' helpers the replay does not call are used by the fuzz crate.
#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz_bodies;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("readable directory").path())
        .filter(|path| path.is_file() && !path.ends_with("README.md"))
        .collect();
    files.sort();
    files
}

/// Runs every seed and regression input of `target`; fails naming each
/// input that panicked. At least one seed must exist.
fn replay(target: &str) {
    let (name, body) = fuzz_bodies::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .expect("a target of that name");
    let seeds = files_in(&fuzz_dir().join("seeds").join(name));
    let regressions = files_in(&fuzz_dir().join("regressions").join(name));
    assert!(!seeds.is_empty(), "no seeds for {name}");
    let mut failed = Vec::new();
    for path in seeds.iter().chain(&regressions) {
        let data = fs::read(path).expect("readable input");
        if catch_unwind(AssertUnwindSafe(|| body(&data))).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{name} failed on {failed:#?}");
}

macro_rules! replay_tests {
    ($($target:ident),* $(,)?) => {
        $(
            #[test]
            fn $target() {
                replay(stringify!($target));
            }
        )*

        /// Every target has a test here, a bin in fuzz/Cargo.toml and a
        /// file in fuzz/fuzz_targets/.
        #[test]
        fn every_target_is_replayed() {
            let replayed: BTreeSet<&str> = [$(stringify!($target)),*].into_iter().collect();
            let listed: BTreeSet<&str> = fuzz_bodies::TARGETS.iter().map(|(n, _)| *n).collect();
            assert_eq!(replayed, listed);
            let files: BTreeSet<String> = files_in(&fuzz_dir().join("fuzz_targets"))
                .iter()
                .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
                .collect();
            let listed: BTreeSet<String> = listed.iter().map(|n| n.to_string()).collect();
            assert_eq!(files, listed, "fuzz/fuzz_targets/*.rs");
            let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
            for name in &listed {
                assert!(
                    manifest.contains(&format!("name = \"{name}\"")),
                    "{name} missing from fuzz/Cargo.toml"
                );
            }
        }
    };
}

replay_tests!(
    decode_ascii,
    decode_binary,
    decode_json,
    split_reassembly,
    roundtrip,
    blocking_reader,
    length_field,
    varint,
    netstring,
    delimited,
);
