//! Drawing a dependency graph as uv draws its trees (`posy pip tree`,
//! `posy tree`):
//!
//! ```text
//! app v0.1.0
//! ├── a v1.0
//! │   └── b v1.0
//! └── d v1.0
//!     └── b v1.0 (*)
//! ```
//!
//! A node whose children were already drawn is marked `(*)` and not
//! expanded again, unless dedupe is off; a cycle is always cut that way.
//! Below `depth` levels nothing is drawn, and nothing is marked.

use std::collections::BTreeSet;

/// A graph of nodes `K` whose edges carry an `E` (a specifier, why the
/// edge is there), and how to write a node reached by an edge.
pub struct Drawing<'a, K, E> {
    pub children: &'a dyn Fn(&K) -> Vec<(K, E)>,
    /// A node's text, given the edge it was reached by (none for a root).
    pub label: &'a dyn Fn(&K, Option<&E>) -> String,
    pub depth: u8,
    pub dedupe: bool,
}

impl<K: Clone + Ord, E> Drawing<'_, K, E> {
    /// The lines of the trees of `roots`, one after the other; a node
    /// expanded in one tree is `(*)` in the next.
    pub fn lines(&self, roots: &[K]) -> Vec<String> {
        let mut expanded = BTreeSet::new();
        let mut out = Vec::new();
        for root in roots {
            self.node(
                root,
                None,
                ("", ""),
                0,
                &mut Vec::new(),
                &mut expanded,
                &mut out,
            );
        }
        out
    }

    /// `prefix` is what goes before the node's own line and before its
    /// children's.
    #[allow(clippy::too_many_arguments)]
    fn node(
        &self,
        node: &K,
        edge: Option<&E>,
        prefix: (&str, &str),
        depth: u8,
        path: &mut Vec<K>,
        expanded: &mut BTreeSet<K>,
        out: &mut Vec<String>,
    ) {
        let (first, rest) = prefix;
        let children = (self.children)(node);
        let repeated = !children.is_empty()
            && depth < self.depth
            && (path.contains(node) || (self.dedupe && expanded.contains(node)));
        let mut line = format!("{first}{}", (self.label)(node, edge));
        if repeated {
            line.push_str(" (*)");
        }
        out.push(line);
        if repeated || depth >= self.depth {
            return;
        }
        expanded.insert(node.clone());
        path.push(node.clone());
        for (i, (child, edge)) in children.iter().enumerate() {
            let (branch, indent) = if i + 1 == children.len() {
                ("└── ", "    ")
            } else {
                ("├── ", "│   ")
            };
            self.node(
                child,
                Some(edge),
                (&format!("{rest}{branch}"), &format!("{rest}{indent}")),
                depth + 1,
                path,
                expanded,
                out,
            );
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_subtree_is_drawn_once_and_a_cycle_is_cut() {
        // 0 → 1, 2; 1 → 3; 2 → 1; 3 → 0.
        let edges: Vec<Vec<usize>> = vec![vec![1, 2], vec![3], vec![1], vec![0]];
        let children = |n: &usize| edges[*n].iter().map(|&c| (c, ())).collect();
        let label = |n: &usize, _: Option<&()>| format!("n{n}");
        let drawing = Drawing {
            children: &children,
            label: &label,
            depth: 255,
            dedupe: true,
        };
        assert_eq!(
            drawing.lines(&[0]).join("\n"),
            "n0\n├── n1\n│   └── n3\n│       └── n0 (*)\n└── n2\n    └── n1 (*)"
        );
        let shallow = Drawing {
            depth: 1,
            dedupe: false,
            ..drawing
        };
        assert_eq!(shallow.lines(&[0]).join("\n"), "n0\n├── n1\n└── n2");
    }
}
