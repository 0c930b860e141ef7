//! From the paths each module names to the module graph (an edge from a module to the module
//! that defines what it names), and the cycles in that graph (strongly connected components,
//! each shown as one shortest cycle through its first module).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;

use super::tree::Tree;

/// How deep re-exports are followed before a path counts as unresolved.
const MAX_HOPS: usize = 16;

/// One step of a cycle: `from` names something `to` defines, at `file:line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The importing module (`crate::a::b`).
    pub from: String,
    /// The module that defines what it names.
    pub to: String,
    /// The file of the import.
    pub file: PathBuf,
    /// Its line.
    pub line: usize,
    /// The path as written (`super::error::VerifyError`).
    pub named: String,
}

/// Modules that import one another back, in order: each step's `to` is the next step's `from`,
/// the last step's `to` is the first step's `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    /// The steps, in walking order.
    pub steps: Vec<Step>,
}

/// Every cycle of the crate, one per strongly connected set of modules.
pub(super) fn find(tree: &Tree) -> Vec<Cycle> {
    let edges = edges(tree);
    let mut graph: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for &(from, to) in edges.keys() {
        graph.entry(from).or_default().insert(to);
    }
    let mut cycles = Vec::new();
    for component in components(tree.modules.len(), &graph) {
        if component.len() < 2 {
            continue;
        }
        let start = component[0];
        let Some(path) = shortest_cycle(start, &component, &graph) else {
            continue;
        };
        let steps = path
            .windows(2)
            .map(|pair| {
                let (from, to) = (pair[0], pair[1]);
                let (line, named) = edges[&(from, to)].clone();
                Step {
                    from: tree.modules[from].path.clone(),
                    to: tree.modules[to].path.clone(),
                    file: tree.modules[from].file.clone(),
                    line,
                    named,
                }
            })
            .collect();
        cycles.push(Cycle { steps });
    }
    cycles
}

/// `(from, to)` -> the first place `from` names something of `to` (line, path as written).
fn edges(tree: &Tree) -> BTreeMap<(usize, usize), (usize, String)> {
    let mut edges = BTreeMap::new();
    for (from, module) in tree.modules.iter().enumerate() {
        for reference in &module.references {
            let Some(to) = resolve(tree, from, &reference.segments, 0) else {
                continue;
            };
            if to != from {
                edges
                    .entry((from, to))
                    .or_insert_with(|| (reference.line, reference.segments.join("::")));
            }
        }
    }
    edges
}

/// The module that defines what `segments` names when written in module `from`; `None` for a
/// path outside the crate.
fn resolve(tree: &Tree, from: usize, segments: &[String], hops: usize) -> Option<usize> {
    if hops > MAX_HOPS {
        return None;
    }
    let (first, rest) = segments.split_first()?;
    let mut current = match first.as_str() {
        "crate" => 0,
        "self" => from,
        "super" => tree.modules[from].parent?,
        name => *tree.modules[from].children.get(name)?,
    };
    for (index, segment) in rest.iter().enumerate() {
        let module = &tree.modules[current];
        if segment == "super" {
            current = module.parent?;
            continue;
        }
        if let Some(&child) = module.children.get(segment) {
            current = child;
            continue;
        }
        if module.items.contains(segment) {
            return Some(current);
        }
        let remaining = &rest[index + 1..];
        if let Some(target) = module.bindings.get(segment) {
            let mut path = target.clone();
            path.extend_from_slice(remaining);
            return resolve(tree, current, &path, hops + 1).or(Some(current));
        }
        for glob in &module.globs {
            let Some(source) = resolve(tree, current, glob, hops + 1) else {
                continue;
            };
            let source_module = &tree.modules[source];
            if source != current
                && (source_module.items.contains(segment)
                    || source_module.children.contains_key(segment)
                    || source_module.bindings.contains_key(segment))
            {
                let mut path = glob.clone();
                path.push(segment.clone());
                path.extend_from_slice(remaining);
                return resolve(tree, current, &path, hops + 1);
            }
        }
        // An enum variant, an associated item, a macro: it belongs to this module.
        return Some(current);
    }
    Some(current)
}

/// Tarjan's strongly connected components, each sorted, in order of their smallest module.
fn components(count: usize, graph: &BTreeMap<usize, BTreeSet<usize>>) -> Vec<Vec<usize>> {
    struct State<'g> {
        graph: &'g BTreeMap<usize, BTreeSet<usize>>,
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(state: &mut State<'_>, node: usize) {
        state.index[node] = Some(state.next);
        state.low[node] = state.next;
        state.next += 1;
        state.stack.push(node);
        state.on_stack[node] = true;
        let successors: Vec<usize> = state
            .graph
            .get(&node)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        for next in successors {
            match state.index[next] {
                None => {
                    visit(state, next);
                    state.low[node] = state.low[node].min(state.low[next]);
                }
                Some(index) if state.on_stack[next] => {
                    state.low[node] = state.low[node].min(index);
                }
                Some(_) => {}
            }
        }
        if Some(state.low[node]) == state.index[node] {
            let mut component = Vec::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack[member] = false;
                component.push(member);
                if member == node {
                    break;
                }
            }
            component.sort_unstable();
            state.out.push(component);
        }
    }
    let mut state = State {
        graph,
        index: vec![None; count],
        low: vec![0; count],
        on_stack: vec![false; count],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for node in 0..count {
        if state.index[node].is_none() {
            visit(&mut state, node);
        }
    }
    state.out.sort();
    state.out
}

/// The shortest path `start -> ... -> start` inside `component`.
fn shortest_cycle(
    start: usize,
    component: &[usize],
    graph: &BTreeMap<usize, BTreeSet<usize>>,
) -> Option<Vec<usize>> {
    let inside: BTreeSet<usize> = component.iter().copied().collect();
    let mut came_from: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for &next in graph.get(&node).into_iter().flatten() {
            if !inside.contains(&next) {
                continue;
            }
            if next == start {
                let mut path = vec![start, node];
                let mut at = node;
                while at != start {
                    at = came_from[&at];
                    path.push(at);
                }
                path.reverse();
                return Some(path);
            }
            if next != start && !came_from.contains_key(&next) {
                came_from.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    None
}
