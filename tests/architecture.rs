//! The module graph of `src/`, read from the sources: which top-level module (a file, or a
//! folder with its submodules) names which (`crate::x` paths and `use crate::{x, y}` lists,
//! outside `#[cfg(test)]`). It must have no cycles, and only the commands (`cmd`) may name the
//! orchestrator `build`: everything below it takes the site model and returns data, so it can
//! be tested and reused alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The top-level module a file under `src/` belongs to: `serve/http.rs` → `serve`.
fn module_of(rel: &Path) -> Option<String> {
    let s = rel.to_str()?.strip_suffix(".rs")?;
    let top = s.split('/').next()?;
    (top != "lib" && top != "main").then(|| top.to_owned())
}

/// Identifier-ish words after `crate::`, and the names inside `crate::{a, b::c}` groups.
fn named_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let word = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
            .collect::<String>()
            .trim_end_matches(':')
            .to_owned()
    };
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                out.push(word(item.trim()));
            }
        } else {
            out.push(word(rest));
        }
    }
    out
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(&src).unwrap();
        if let Some(module) = module_of(rel) {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            // Unit tests may reach anywhere; only the library's own code counts.
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            sources
                .entry(module)
                .or_insert_with(String::new)
                .push_str(code);
        }
    }
    let modules: BTreeSet<String> = sources.keys().cloned().collect();
    let mut graph = Graph::new();
    for (module, code) in &sources {
        let edges = graph.entry(module.clone()).or_default();
        for path in named_paths(code) {
            let target = path.split("::").next().unwrap_or_default();
            if modules.contains(target) && target != module {
                edges.insert(target.to_owned());
            }
        }
    }
    graph
}

/// Every cycle found by a depth-first search, as the modules on it.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        found: &mut Vec<Vec<String>>,
    ) {
        if let Some(at) = stack.iter().position(|m| m == node) {
            found.push(stack[at..].to_vec());
            return;
        }
        if done.contains(node) {
            return;
        }
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, stack, done, found);
        }
        stack.pop();
        done.insert(node.to_owned());
    }
    let mut found = Vec::new();
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        visit(node, graph, &mut Vec::new(), &mut done, &mut found);
    }
    found
}

#[test]
fn the_module_graph_has_no_cycles() {
    let graph = graph();
    assert!(graph.len() > 20, "read the modules: {graph:?}");
    let found = cycles(&graph);
    let shown: Vec<String> = found
        .iter()
        .map(|c| format!("{} → {}", c.join(" → "), c[0]))
        .collect();
    assert!(found.is_empty(), "cycles:\n{}", shown.join("\n"));
}

#[test]
fn only_the_commands_name_the_orchestrator() {
    let graph = graph();
    let callers: Vec<&String> = graph
        .iter()
        .filter(|(m, edges)| edges.contains("build") && *m != "cmd")
        .map(|(m, _)| m)
        .collect();
    assert!(callers.is_empty(), "modules naming `build`: {callers:?}");
}

#[test]
fn the_reader_finds_cycles_and_group_imports() {
    assert_eq!(
        named_paths("use crate::{a, b::C};\nlet x = crate::c::d(); "),
        ["a", "b::C", "c::d"]
    );
    let mut g = Graph::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("a".into());
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(cycles(&g), vec![vec!["a".to_owned(), "b".to_owned()]]);
}
