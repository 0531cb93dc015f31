//! The layers import one way. Between crates Cargo refuses a cycle; inside each
//! crate this test does: the modules at a crate's top level, linked by their
//! `crate::x` and `super::x` imports, must form no circle. Test modules (from a
//! file's `#[cfg(test)]` on) may use anything and are not counted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module of the crate at `src` and the sibling modules it names.
fn imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("source directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let module_of = |file: &Path| -> Option<String> {
        let rel = file.strip_prefix(src).ok()?;
        let first = rel.components().next()?.as_os_str().to_str()?.trim_end_matches(".rs").to_string();
        (first != "lib" && first != "main").then_some(first)
    };
    let modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = modules.iter().map(|m| (m.clone(), BTreeSet::new())).collect();
    for file in &files {
        let Some(from) = module_of(file) else { continue };
        // `super::` names a sibling only in a file at the top level.
        let top_level = file.parent() == Some(src) || file.ends_with(format!("{from}/mod.rs"));
        let text = std::fs::read_to_string(file).expect("source file");
        let code = text.lines().map(str::trim).take_while(|l| *l != "#[cfg(test)]");
        for line in code.filter(|l| !l.starts_with("//")) {
            for prefix in ["crate::", "super::"] {
                if prefix == "super::" && !top_level {
                    continue;
                }
                for (i, _) in line.match_indices(prefix) {
                    let name: String = line[i + prefix.len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if name != from && modules.contains(&name) {
                        graph.get_mut(&from).expect("module").insert(name);
                    }
                }
            }
        }
    }
    graph
}

/// A circle of imports, if there is one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == m) {
            let mut circle = path[at..].to_vec();
            circle.push(m.to_string());
            return Some(circle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for next in &graph[m] {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|m| visit(m, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_crate_has_modules_that_import_each_other_in_a_circle() {
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut crates = vec![runtime.join("src")];
    for entry in std::fs::read_dir(runtime).expect("runtime directory") {
        let src = entry.expect("entry").path().join("src");
        if src.join("lib.rs").is_file() {
            crates.push(src);
        }
    }
    assert!(crates.len() >= 12, "found {} crates", crates.len());
    for src in crates {
        if let Some(circle) = cycle(&imports(&src)) {
            panic!("{}: modules import each other in a circle: {}", src.display(), circle.join(" → "));
        }
    }
}

#[test]
fn the_check_finds_a_circle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_string(), BTreeSet::from(["b".to_string()])),
        ("b".to_string(), BTreeSet::from(["c".to_string()])),
        ("c".to_string(), BTreeSet::from(["a".to_string()])),
    ]
    .into();
    assert_eq!(cycle(&graph).map(|c| c.join(" → ")).as_deref(), Some("a → b → c → a"));
}
