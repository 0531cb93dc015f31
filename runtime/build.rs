//! Builds the example flows in `guest-examples/` for `wasm32-wasip2`, so the
//! binary can embed the demo tenant's flow and tests can use the others.
//! The guests get their own target directory next to the host's.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const GUESTS: &[(&str, &str)] = &[
    ("tea-shop", "tea_shop"),
    ("echo", "echo"),
    ("hostile", "hostile"),
    ("impostor", "impostor"),
    ("stranger", "stranger"),
];

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest_dir.parent().expect("workspace root");
    let guests = root.join("guest-examples");
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));

    println!("cargo:rerun-if-changed={}", root.join("wit").display());
    // The tea-shop flow uses the plain types of the understanding crate.
    println!("cargo:rerun-if-changed={}", manifest_dir.join("understand").join("src").display());
    println!("cargo:rerun-if-changed={}", guests.join("Cargo.toml").display());
    println!("cargo:rerun-if-changed={}", guests.join("Cargo.lock").display());
    for (dir, _) in GUESTS {
        println!("cargo:rerun-if-changed={}", guests.join(dir).join("src").display());
        println!("cargo:rerun-if-changed={}", guests.join(dir).join("Cargo.toml").display());
    }

    // OUT_DIR is <target>/<profile>/build/<pkg>-<hash>/out: share one guest
    // target dir between profiles.
    let target_root = out_dir.ancestors().nth(4).map(Path::to_path_buf).unwrap_or_else(|| out_dir.clone());
    let guest_target = target_root.join("wasm-guests");

    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--release", "--workspace", "--target", "wasm32-wasip2", "--manifest-path"])
        .arg(guests.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&guest_target);
    // Settings meant for the host build must not leak into the guest build.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        cmd.env_remove(var);
    }
    let output = cmd.output().expect("running cargo to build the example flows");
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let hint = if stderr.contains("wasm32-wasip2") && stderr.contains("target may not be installed") {
            "\nThe wasm32-wasip2 target is missing: run `rustup target add wasm32-wasip2` (scripts/setup does it)."
        } else {
            ""
        };
        panic!("building the example flows in guest-examples/ failed:\n{stderr}{hint}");
    }

    let wasm_dir = guest_target.join("wasm32-wasip2").join("release");
    let dest = out_dir.join("guests");
    std::fs::create_dir_all(&dest).expect("create guest output dir");
    for (_, file) in GUESTS {
        let from = wasm_dir.join(format!("{file}.wasm"));
        std::fs::copy(&from, dest.join(format!("{file}.wasm")))
            .unwrap_or_else(|e| panic!("copying {}: {e}", from.display()));
    }
    println!("cargo:rustc-env=SWITCHBOARD_GUEST_DIR={}", dest.display());
}
