//! The decision diagram: variables, nodes, the interner, and the operations
//! that walk nodes (`and`, `or`, `negate`, evaluation, the python range).
//!
//! A node tests one variable and has one child per class of values; a path
//! from the root tests each variable at most once and in diagram order (the
//! derived `Ord` of [`Variable`]). Nodes are hash-consed and built only
//! through [`Interner::make`], which puts the edges in canonical form and
//! never builds a node whose edges all lead to one child. By induction on
//! the variables, two equal sets are then the same id: that is what makes
//! `MarkerSet`'s `==` equivalence and `is_false` a comparison.
//!
//! Every operation is memoized in the interner, for the life of the
//! process: `and`/`or` by (operation, smaller id, larger id), negation by
//! id. The caches only grow; a resolution touches a few thousand nodes.
//!
//! Two operations exist for printing only: `restrict` (a set equal to `f`
//! where `c` holds, free elsewhere, so usually smaller) and `clamp_python`
//! (the same with `c` a range of Python versions); they are memoized per
//! call.

use rustc_hash::FxHashMap as HashMap;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

use version_ranges::Ranges;

use super::super::evaluate::Context;
use super::super::expression::{MarkerExpression, MarkerOperand, MarkerVariable};
use super::super::tree::MarkerTree;
use crate::version::Version;

pub(super) type NodeId = u32;
pub(super) const TRUE: NodeId = 0;
pub(super) const FALSE: NodeId = 1;

/// The string variables, in diagram order.
const STRING_VARIABLES: [MarkerVariable; 8] = [
    MarkerVariable::ImplementationName,
    MarkerVariable::PlatformPythonImplementation,
    MarkerVariable::SysPlatform,
    MarkerVariable::OsName,
    MarkerVariable::PlatformMachine,
    MarkerVariable::PlatformRelease,
    MarkerVariable::PlatformVersion,
    MarkerVariable::PlatformSystem,
];

/// The version variables, in diagram order.
const VERSION_VARIABLES: [MarkerVariable; 2] = [
    MarkerVariable::PythonFullVersion,
    MarkerVariable::ImplementationVersion,
];

/// What a node tests. The derived order (string variables, then version
/// variables, then atoms) is the diagram order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Variable {
    /// An index into `STRING_VARIABLES`.
    String(u8),
    /// An index into `VERSION_VARIABLES`.
    Version(u8),
    Atom(Atom),
}

impl Variable {
    /// The diagram variable of a string variable (`None` for the others).
    pub(super) fn string(variable: MarkerVariable) -> Option<Variable> {
        let index = STRING_VARIABLES.iter().position(|&v| v == variable)?;
        Some(Variable::String(index as u8))
    }

    /// The diagram variable of `python_full_version` or
    /// `implementation_version` (`None` for the others).
    pub(super) fn version(variable: MarkerVariable) -> Option<Variable> {
        let index = VERSION_VARIABLES.iter().position(|&v| v == variable)?;
        Some(Variable::Version(index as u8))
    }

    /// The PEP 508 variable a string or version node tests.
    pub(super) fn marker_variable(&self) -> Option<MarkerVariable> {
        match self {
            Variable::String(i) => Some(STRING_VARIABLES[usize::from(*i)]),
            Variable::Version(i) => Some(VERSION_VARIABLES[usize::from(*i)]),
            Variable::Atom(_) => None,
        }
    }
}

/// A comparison the diagram does not model, as a boolean variable. Atoms
/// are identified and ordered by their canonical text, with the ones about
/// extras and groups last (so the environment is decided first).
#[derive(Clone, Debug)]
pub(super) struct Atom(Arc<AtomData>);

#[derive(Debug)]
struct AtomData {
    about_extras: bool,
    text: Box<str>,
    expression: MarkerExpression,
    /// The comparison that holds exactly when this one does not, when PEP
    /// 508 can spell it (`not in` for `in`; `!=` for a string `==`).
    negation: Option<MarkerExpression>,
}

impl Atom {
    pub(super) fn new(expression: MarkerExpression, negation: Option<MarkerExpression>) -> Atom {
        let about_extras = [expression.lhs(), expression.rhs()].into_iter().any(|o| {
            matches!(
                o,
                MarkerOperand::Variable(
                    MarkerVariable::Extra
                        | MarkerVariable::Extras
                        | MarkerVariable::DependencyGroups
                )
            )
        });
        Atom(Arc::new(AtomData {
            about_extras,
            text: expression.to_string().into(),
            expression,
            negation,
        }))
    }

    pub(super) fn expression(&self) -> &MarkerExpression {
        &self.0.expression
    }

    /// The marker that holds exactly where the atom does not, or the
    /// closest PEP 508 has (see [`MarkerTree::negate`]).
    pub(super) fn negated_tree(&self) -> MarkerTree {
        match &self.0.negation {
            Some(n) => MarkerTree::expression(n.clone()),
            None => MarkerTree::expression(self.0.expression.clone()).negate(),
        }
    }

    fn key(&self) -> (bool, &str) {
        (self.0.about_extras, &self.0.text)
    }
}

impl PartialEq for Atom {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Atom {}

impl Hash for Atom {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl PartialOrd for Atom {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Atom {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

/// The children of a node, by the values of its variable.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Edges {
    /// Named values (sorted, each with a child different from `other`) and
    /// the child for every other string.
    String {
        values: Box<[(Arc<str>, NodeId)]>,
        other: NodeId,
    },
    /// Disjoint ranges covering every version, one per distinct child,
    /// sorted by child.
    Version(Box<[(Ranges<Version>, NodeId)]>),
    /// The children where the atom holds and where it does not.
    Atom { yes: NodeId, no: NodeId },
}

impl Edges {
    pub(super) fn children(&self) -> Vec<NodeId> {
        match self {
            Edges::String { values, other } => values.iter().map(|e| e.1).chain([*other]).collect(),
            Edges::Version(edges) => edges.iter().map(|e| e.1).collect(),
            Edges::Atom { yes, no } => vec![*yes, *no],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Node {
    pub(super) var: Variable,
    pub(super) edges: Edges,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Op {
    And,
    Or,
}

/// Every node of the process, and the memo tables.
#[derive(Default)]
pub(super) struct Interner {
    /// Node `id` is `nodes[id - 2]` (0 and 1 are the constants).
    nodes: Vec<Arc<Node>>,
    unique: HashMap<Arc<Node>, NodeId>,
    binary: HashMap<(Op, NodeId, NodeId), NodeId>,
    negations: HashMap<NodeId, NodeId>,
    /// `MarkerSet::from_tree`'s memo, filled by `read.rs`.
    pub(super) trees: HashMap<MarkerTree, NodeId>,
    /// `MarkerSet::from_wheel_tags`'s memo (`wheel_tags.rs`): a package's
    /// releases repeat the same few tag sets, and every fork of a
    /// universal resolution asks about each file.
    pub(super) wheel_tags: HashMap<crate::TagSet, NodeId>,
    /// The environments a real machine can have (`read.rs`), once built.
    pub(super) possible: Option<NodeId>,
}

static INTERNER: LazyLock<Mutex<Interner>> = LazyLock::new(Mutex::default);

/// The process-wide interner. A panic while it was held leaves it
/// consistent (nodes are only ever added), so poisoning is ignored.
pub(super) fn interner() -> MutexGuard<'static, Interner> {
    INTERNER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Interner {
    pub(super) fn node(&self, id: NodeId) -> Arc<Node> {
        Arc::clone(&self.nodes[id as usize - 2])
    }

    /// The node `var` with these edges, in canonical form: string values
    /// that lead where every other value leads are dropped, version ranges
    /// with the same child are joined, and a node whose edges all lead to
    /// one child is that child. String values must come sorted.
    pub(super) fn make(&mut self, var: Variable, edges: Edges) -> NodeId {
        let edges = match edges {
            Edges::String { values, other } => {
                let values: Box<[_]> = values
                    .into_vec()
                    .into_iter()
                    .filter(|e| e.1 != other)
                    .collect();
                if values.is_empty() {
                    return other;
                }
                Edges::String { values, other }
            }
            Edges::Version(edges) => {
                let mut grouped: Vec<(Ranges<Version>, NodeId)> = Vec::with_capacity(edges.len());
                for (range, child) in edges.into_vec() {
                    if range.is_empty() {
                        continue;
                    }
                    match grouped.iter_mut().find(|g| g.1 == child) {
                        Some(group) => group.0 = group.0.union(&range),
                        None => grouped.push((range, child)),
                    }
                }
                if let [(_, only)] = grouped[..] {
                    return only;
                }
                grouped.sort_by_key(|g| g.1);
                Edges::Version(grouped.into())
            }
            Edges::Atom { yes, no } if yes == no => return yes,
            atom @ Edges::Atom { .. } => atom,
        };
        let node = Node { var, edges };
        if let Some(&id) = self.unique.get(&node) {
            return id;
        }
        let id = NodeId::try_from(self.nodes.len() + 2).expect("fewer than 2^32 marker nodes");
        let node = Arc::new(node);
        self.nodes.push(Arc::clone(&node));
        self.unique.insert(node, id);
        id
    }

    pub(super) fn and(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.apply(Op::And, a, b)
    }

    pub(super) fn or(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.apply(Op::Or, a, b)
    }

    /// Whether `a` is a subset of `b`, exactly (no exclusions).
    pub(super) fn is_subset(&mut self, a: NodeId, b: NodeId) -> bool {
        self.and(a, b) == a
    }

    fn apply(&mut self, op: Op, a: NodeId, b: NodeId) -> NodeId {
        let (unit, zero) = match op {
            Op::And => (TRUE, FALSE),
            Op::Or => (FALSE, TRUE),
        };
        if a == zero || b == zero {
            return zero;
        }
        if a == unit {
            return b;
        }
        if b == unit || a == b {
            return a;
        }
        let key = (op, a.min(b), a.max(b));
        if let Some(&known) = self.binary.get(&key) {
            return known;
        }
        let (x, y) = (self.node(a), self.node(b));
        let result = match x.var.cmp(&y.var) {
            // `b` does not test `x`'s variable: it is the same below every
            // edge of `x`.
            Ordering::Less => self.map(&x, |s, child| s.apply(op, child, b)),
            Ordering::Greater => self.map(&y, |s, child| s.apply(op, a, child)),
            Ordering::Equal => self.merge(op, &x, &y),
        };
        self.binary.insert(key, result);
        result
    }

    /// `node` with `f` applied to every child.
    pub(super) fn map(
        &mut self,
        node: &Node,
        mut f: impl FnMut(&mut Self, NodeId) -> NodeId,
    ) -> NodeId {
        let edges = match &node.edges {
            Edges::String { values, other } => Edges::String {
                values: values
                    .iter()
                    .map(|(v, c)| (v.clone(), f(self, *c)))
                    .collect(),
                other: f(self, *other),
            },
            Edges::Version(edges) => Edges::Version(
                edges
                    .iter()
                    .map(|(r, c)| (r.clone(), f(self, *c)))
                    .collect(),
            ),
            Edges::Atom { yes, no } => Edges::Atom {
                yes: f(self, *yes),
                no: f(self, *no),
            },
        };
        self.make(node.var.clone(), edges)
    }

    /// Two nodes on the same variable: the operation edge by edge, over the
    /// common refinement of their value classes.
    fn merge(&mut self, op: Op, x: &Node, y: &Node) -> NodeId {
        let edges = match (&x.edges, &y.edges) {
            (
                Edges::String {
                    values: xs,
                    other: x_other,
                },
                Edges::String {
                    values: ys,
                    other: y_other,
                },
            ) => {
                let mut values = Vec::with_capacity(xs.len() + ys.len());
                let (mut i, mut j) = (0, 0);
                while i < xs.len() || j < ys.len() {
                    let order = match (xs.get(i), ys.get(j)) {
                        (Some(a), Some(b)) => a.0.cmp(&b.0),
                        (Some(_), None) => Ordering::Less,
                        _ => Ordering::Greater,
                    };
                    let (value, a, b) = match order {
                        Ordering::Equal => {
                            (i, j) = (i + 1, j + 1);
                            (xs[i - 1].0.clone(), xs[i - 1].1, ys[j - 1].1)
                        }
                        Ordering::Less => {
                            i += 1;
                            (xs[i - 1].0.clone(), xs[i - 1].1, *y_other)
                        }
                        Ordering::Greater => {
                            j += 1;
                            (ys[j - 1].0.clone(), *x_other, ys[j - 1].1)
                        }
                    };
                    values.push((value, self.apply(op, a, b)));
                }
                Edges::String {
                    values: values.into(),
                    other: self.apply(op, *x_other, *y_other),
                }
            }
            (Edges::Version(xs), Edges::Version(ys)) => {
                let mut edges = Vec::with_capacity(xs.len() + ys.len());
                for (a_range, a) in xs.iter() {
                    for (b_range, b) in ys.iter() {
                        let common = a_range.intersection(b_range);
                        if !common.is_empty() {
                            edges.push((common, self.apply(op, *a, *b)));
                        }
                    }
                }
                Edges::Version(edges.into())
            }
            (Edges::Atom { yes: xy, no: xn }, Edges::Atom { yes: yy, no: yn }) => Edges::Atom {
                yes: self.apply(op, *xy, *yy),
                no: self.apply(op, *xn, *yn),
            },
            _ => unreachable!("a variable always has the same kind of edges"),
        };
        self.make(x.var.clone(), edges)
    }

    pub(super) fn negate(&mut self, a: NodeId) -> NodeId {
        match a {
            TRUE => return FALSE,
            FALSE => return TRUE,
            _ => {}
        }
        if let Some(&known) = self.negations.get(&a) {
            return known;
        }
        let node = self.node(a);
        let result = self.map(&node, Self::negate);
        self.negations.insert(a, result);
        self.negations.insert(result, a);
        result
    }

    /// `variable == value` for a string variable.
    pub(super) fn string_is(&mut self, var: Variable, value: &str) -> NodeId {
        let values = Box::new([(Arc::from(value), TRUE)]);
        self.make(
            var,
            Edges::String {
                values,
                other: FALSE,
            },
        )
    }

    /// The version variable `var` in `range`.
    pub(super) fn version_in(&mut self, var: Variable, range: Ranges<Version>) -> NodeId {
        let complement = range.complement();
        self.make(
            var,
            Edges::Version(Box::new([(range, TRUE), (complement, FALSE)])),
        )
    }

    /// The comparison `expression` as an atom.
    pub(super) fn atom(&mut self, atom: Atom) -> NodeId {
        self.make(
            Variable::Atom(atom),
            Edges::Atom {
                yes: TRUE,
                no: FALSE,
            },
        )
    }

    /// Follows the edges `ctx`'s environment takes. A version variable
    /// whose value is not a version (no real interpreter has one) is read
    /// as version 0.
    pub(super) fn evaluate(&self, mut id: NodeId, ctx: &Context<'_>) -> bool {
        loop {
            match id {
                TRUE => return true,
                FALSE => return false,
                _ => {}
            }
            let node = &self.nodes[id as usize - 2];
            id = match (&node.var, &node.edges) {
                (var, Edges::String { values, other }) => {
                    let value = var.marker_variable().map_or("", |v| ctx.env.get(v));
                    values
                        .binary_search_by(|e| (*e.0).cmp(value))
                        .map_or(*other, |i| values[i].1)
                }
                (var, Edges::Version(edges)) => {
                    let child = |version: &Version| {
                        edges
                            .iter()
                            .find(|e| e.0.contains(version))
                            .map_or(FALSE, |e| e.1)
                    };
                    match var.marker_variable().and_then(|v| ctx.env.version(v)) {
                        Some(version) => child(version),
                        None => child(&Version::new([0])),
                    }
                }
                (Variable::Atom(atom), Edges::Atom { yes, no }) => {
                    if ctx.evaluate(atom.expression()) {
                        *yes
                    } else {
                        *no
                    }
                }
                (_, Edges::Atom { .. }) => unreachable!("only atoms have boolean edges"),
            };
        }
    }

    /// The `python_full_version` values on the paths from `id` to true.
    pub(super) fn python_range(&self, id: NodeId) -> Ranges<Version> {
        self.python_range_memo(id, &mut HashMap::default())
    }

    fn python_range_memo(
        &self,
        id: NodeId,
        memo: &mut HashMap<NodeId, Ranges<Version>>,
    ) -> Ranges<Version> {
        match id {
            TRUE => return Ranges::full(),
            FALSE => return Ranges::empty(),
            _ => {}
        }
        if let Some(known) = memo.get(&id) {
            return known.clone();
        }
        let node = self.node(id);
        let mut range = Ranges::empty();
        match (&node.var, &node.edges) {
            (Variable::Version(0), Edges::Version(edges)) => {
                for (edge, child) in edges.iter() {
                    let below = self.python_range_memo(*child, memo);
                    range = range.union(&edge.intersection(&below));
                }
            }
            (_, edges) => {
                for child in edges.children() {
                    range = range.union(&self.python_range_memo(child, memo));
                }
            }
        }
        memo.insert(id, range.clone());
        range
    }

    /// `id` with every `python_full_version` edge clamped to `range`: the
    /// versions outside `range` go to the edge just below them (or, below
    /// the lowest edge, to that edge), so that bounds `range` already
    /// implies disappear. Equal to `id` inside `range`.
    pub(super) fn clamp_python(&mut self, id: NodeId, range: &Ranges<Version>) -> NodeId {
        if range.is_empty() {
            return id;
        }
        self.clamp_memo(id, range, &mut HashMap::default())
    }

    fn clamp_memo(
        &mut self,
        id: NodeId,
        range: &Ranges<Version>,
        memo: &mut HashMap<NodeId, NodeId>,
    ) -> NodeId {
        if id == TRUE || id == FALSE {
            return id;
        }
        if let Some(&known) = memo.get(&id) {
            return known;
        }
        let node = self.node(id);
        let result = match (&node.var, &node.edges) {
            (Variable::Version(0), Edges::Version(edges)) => {
                // Children test later variables only: no need to recurse.
                let mut segments = Vec::new();
                for (edge, child) in edges.iter() {
                    segments.extend(pieces(&edge.intersection(range), *child));
                }
                self.stretch(node.var.clone(), segments)
            }
            _ => self.map(&node, |s, child| s.clamp_memo(child, range, memo)),
        };
        memo.insert(id, result);
        result
    }
}

type Bound = std::ops::Bound<Version>;

/// The segments of `range`, each with `child`.
fn pieces(range: &Ranges<Version>, child: NodeId) -> Vec<(Bound, NodeId)> {
    range.iter().map(|(lo, _)| (lo.clone(), child)).collect()
}

impl Interner {
    /// A version node from disjoint segments (given by their starts) that
    /// leave gaps: each segment is stretched up to the next one's start and
    /// the lowest down to nothing, so the gaps take the child of the
    /// segment below them.
    fn stretch(&mut self, var: Variable, mut segments: Vec<(Bound, NodeId)>) -> NodeId {
        segments.sort_by(|a, b| compare_starts(&a.0, &b.0));
        let edges: Vec<(Ranges<Version>, NodeId)> = (0..segments.len())
            .map(|i| {
                let lo = if i == 0 {
                    Bound::Unbounded
                } else {
                    segments[i].0.clone()
                };
                let hi = segments.get(i + 1).map_or(Bound::Unbounded, |s| flip(&s.0));
                (Ranges::from_range_bounds((lo, hi)), segments[i].1)
            })
            .collect();
        self.make(var, Edges::Version(edges.into()))
    }

    /// A set that agrees with `f` wherever `c` holds and is usually
    /// simpler (the generalized cofactor): below a node of `c`'s variable,
    /// the values `c` rules out are "don't care" and go to whichever child
    /// makes fewer distinctions; a variable only `c` tests is dropped.
    pub(super) fn restrict(&mut self, f: NodeId, c: NodeId) -> NodeId {
        self.restrict_memo(f, c, &mut HashMap::default())
    }

    fn restrict_memo(
        &mut self,
        f: NodeId,
        c: NodeId,
        memo: &mut HashMap<(NodeId, NodeId), NodeId>,
    ) -> NodeId {
        if c == TRUE || c == FALSE || f == TRUE || f == FALSE {
            return f;
        }
        if f == c {
            return TRUE;
        }
        if let Some(&known) = memo.get(&(f, c)) {
            return known;
        }
        let (x, y) = (self.node(f), self.node(c));
        let result = match x.var.cmp(&y.var) {
            Ordering::Greater => {
                let any = y
                    .edges
                    .children()
                    .into_iter()
                    .fold(FALSE, |acc, child| self.or(acc, child));
                self.restrict_memo(f, any, memo)
            }
            Ordering::Less => self.map(&x, |s, child| s.restrict_memo(child, c, memo)),
            Ordering::Equal => self.restrict_same(&x, &y, memo),
        };
        memo.insert((f, c), result);
        result
    }

    fn restrict_same(
        &mut self,
        x: &Node,
        y: &Node,
        memo: &mut HashMap<(NodeId, NodeId), NodeId>,
    ) -> NodeId {
        match (&x.edges, &y.edges) {
            (
                Edges::String {
                    values: xs,
                    other: x_other,
                },
                Edges::String {
                    values: ys,
                    other: y_other,
                },
            ) => {
                let child = |edges: &[(Arc<str>, NodeId)], other: NodeId, value: &Arc<str>| {
                    edges
                        .binary_search_by(|e| e.0.cmp(value))
                        .map_or(other, |i| edges[i].1)
                };
                let mut names: Vec<Arc<str>> =
                    xs.iter().chain(ys.iter()).map(|e| e.0.clone()).collect();
                names.sort();
                names.dedup();
                let mut cared: Vec<(Option<Arc<str>>, NodeId)> = Vec::new();
                for name in names {
                    let c = child(ys, *y_other, &name);
                    if c != FALSE {
                        let r = self.restrict_memo(child(xs, *x_other, &name), c, memo);
                        cared.push((Some(name), r));
                    }
                }
                if *y_other != FALSE {
                    let r = self.restrict_memo(*x_other, *y_other, memo);
                    cared.push((None, r));
                }
                if cared.iter().all(|e| e.1 == cared[0].1) {
                    return cared[0].1;
                }
                // Values `c` rules out follow every other value.
                let other = cared.iter().find(|e| e.0.is_none()).unwrap_or(&cared[0]).1;
                let values = cared
                    .into_iter()
                    .filter_map(|(name, r)| Some((name?, r)))
                    .collect();
                self.make(x.var.clone(), Edges::String { values, other })
            }
            (Edges::Version(xs), Edges::Version(ys)) => {
                let mut segments = Vec::new();
                for (x_range, x_child) in xs.iter() {
                    for (y_range, y_child) in ys.iter().filter(|e| e.1 != FALSE) {
                        let common = x_range.intersection(y_range);
                        if !common.is_empty() {
                            let r = self.restrict_memo(*x_child, *y_child, memo);
                            segments.extend(pieces(&common, r));
                        }
                    }
                }
                self.stretch(x.var.clone(), segments)
            }
            (Edges::Atom { yes: xy, no: xn }, Edges::Atom { yes: yy, no: yn }) => {
                if *yn == FALSE {
                    return self.restrict_memo(*xy, *yy, memo);
                }
                if *yy == FALSE {
                    return self.restrict_memo(*xn, *yn, memo);
                }
                let yes = self.restrict_memo(*xy, *yy, memo);
                let no = self.restrict_memo(*xn, *yn, memo);
                self.make(x.var.clone(), Edges::Atom { yes, no })
            }
            _ => unreachable!("a variable always has the same kind of edges"),
        }
    }
}

/// The order of two lower bounds.
fn compare_starts(a: &Bound, b: &Bound) -> Ordering {
    use std::ops::Bound::{Excluded, Included, Unbounded};
    match (a, b) {
        (Unbounded, Unbounded) => Ordering::Equal,
        (Unbounded, _) => Ordering::Less,
        (_, Unbounded) => Ordering::Greater,
        (Included(x), Included(y)) | (Excluded(x), Excluded(y)) => x.cmp(y),
        (Included(x), Excluded(y)) => x.cmp(y).then(Ordering::Less),
        (Excluded(x), Included(y)) => x.cmp(y).then(Ordering::Greater),
    }
}

/// The upper bound that ends just where the lower bound `start` begins.
fn flip(start: &Bound) -> Bound {
    match start {
        Bound::Included(v) => Bound::Excluded(v.clone()),
        Bound::Excluded(v) => Bound::Included(v.clone()),
        Bound::Unbounded => Bound::Unbounded,
    }
}
