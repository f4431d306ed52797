//! PEP 508 dependency specifiers: conformance tables and property tests.
//!
//! The valid-input matrix and most error cases follow pypa/packaging's
//! requirement tests (every combination of name, extras, specifier or URL,
//! marker and whitespace); the expected canonical forms are posy's.

use posy_vocab::{
    ExtraName, MarkerEnvironment, MarkerTree, MarkerValues, PackageName, Requirement, SpecifierSet,
    VersionOrUrl,
};
use proptest::prelude::*;

fn req(s: &str) -> Requirement {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

const NAMES: &[&str] = &[
    "package",
    "pAcKaGe",
    "Package",
    "foo-bar.quux_bAz",
    "installer",
    "android12",
];
const EXTRAS: &[&[&str]] = &[&[], &["a"], &["a", "b"], &["a", "B", "CDEF123"]];
const URLS: &[&str] = &[
    "https://example.com/packagename.zip",
    "ssh://user:pass%20word@example.com/packagename.zip",
    "https://example.com/name;v=1.1/?query=foo&bar=baz#blah",
    "git+ssh://git.example.com/MyProject",
    "git+ssh://git@github.com:pypa/packaging.git",
    "git+https://git.example.com/MyProject.git@master",
    "git+https://git.example.com/MyProject.git@v1.0",
    "git+https://git.example.com/MyProject.git@refs/pull/123/head",
    "git+file:///srv/repos/MyProject@main",
    "gopher:/foo/com",
];
/// Specifiers with `{ws}` where whitespace may go, and their canonical form.
const SPECIFIERS: &[(&str, &str)] = &[
    ("==={ws}arbitrarystring", "===arbitrarystring"),
    ("({ws}==={ws}arbitrarystring{ws})", "===arbitrarystring"),
    ("=={ws}1.0", "==1.0"),
    ("({ws}=={ws}1.0{ws})", "==1.0"),
    ("=={ws}1.0-alpha", "==1.0a0"),
    ("<={ws}1!3.0.0.rc2", "<=1!3.0.0rc2"),
    (">{ws}2.2{ws},{ws}<{ws}3", ">2.2, <3"),
    ("(>{ws}2.2{ws},{ws}<{ws}3)", ">2.2, <3"),
];
/// Markers with `{ws}`, and their canonical form.
const MARKERS: &[(&str, &str)] = &[
    (
        "python_version{ws}>={ws}'3.3'",
        r#"python_version >= "3.3""#,
    ),
    (
        r#"({ws}python_version{ws}>={ws}"3.4"{ws}){ws}and extra{ws}=={ws}"oursql""#,
        r#"python_version >= "3.4" and extra == "oursql""#,
    ),
    (
        "sys_platform{ws}!={ws}'linux' and(os_name{ws}=={ws}'linux' or python_version{ws}>={ws}'3.3'{ws}){ws}",
        r#"sys_platform != "linux" and (os_name == "linux" or python_version >= "3.3")"#,
    ),
];

/// Builds `name[extras] spec-or-url ; marker` the way packaging's test does:
/// every part joined by `ws`, and ` ;` before a marker after a URL.
fn assemble(
    name: &str,
    extras: &[&str],
    tail: Option<(bool, &str)>,
    marker: Option<&str>,
    ws: &str,
) -> String {
    let mut parts = vec![name.to_string()];
    if !extras.is_empty() {
        let mut sorted = extras.to_vec();
        sorted.sort();
        parts.push("[".into());
        parts.push(sorted.join(&format!("{ws},{ws}")));
        parts.push("]".into());
    }
    let is_url = matches!(tail, Some((true, _)));
    match tail {
        Some((true, url)) => {
            parts.push("@".into());
            parts.push(url.into());
        }
        Some((false, spec)) => parts.push(spec.replace("{ws}", ws)),
        None => {}
    }
    if let Some(marker) = marker {
        parts.push(if is_url { " ;".into() } else { ";".into() });
        parts.push(marker.replace("{ws}", ws));
    }
    parts.join(ws)
}

/// What follows the extras (`(is_url, text)`), and its canonical form.
type TailCase = (Option<(bool, &'static str)>, Option<&'static str>);

#[test]
fn packaging_valid_requirement_matrix() {
    let mut tails: Vec<TailCase> = vec![(None, None)];
    tails.extend(URLS.iter().map(|u| (Some((true, *u)), Some(*u))));
    tails.extend(
        SPECIFIERS
            .iter()
            .map(|(s, c)| (Some((false, *s)), Some(*c))),
    );
    let mut count = 0;
    for name in NAMES {
        for extras in EXTRAS {
            for (tail, canonical_tail) in &tails {
                for marker in std::iter::once(None).chain(MARKERS.iter().map(Some)) {
                    for ws in ["", " ", "\t"] {
                        let input = assemble(name, extras, *tail, marker.map(|m| m.0), ws);
                        let r = req(&input);
                        assert_eq!(r.name, PackageName::new(name).unwrap(), "{input}");
                        let mut want: Vec<ExtraName> =
                            extras.iter().map(|e| ExtraName::new(e).unwrap()).collect();
                        want.sort();
                        let mut got = r.extras.clone();
                        got.sort();
                        assert_eq!(got, want, "{input}");
                        match (tail, &r.version_or_url) {
                            (None, None) => {}
                            (Some((true, url)), Some(VersionOrUrl::Url(got))) => {
                                assert_eq!(got, url)
                            }
                            (Some((false, _)), Some(VersionOrUrl::Specifiers(got))) => {
                                assert_eq!(
                                    Some(got.to_string().as_str()),
                                    *canonical_tail,
                                    "{input}"
                                )
                            }
                            (want, got) => panic!("{input}: expected {want:?}, got {got:?}"),
                        }
                        match marker {
                            Some((_, canonical)) => {
                                assert_eq!(r.marker.to_string(), *canonical, "{input}")
                            }
                            None => assert!(r.marker.is_true(), "{input}"),
                        }
                        // The canonical form parses back to the same requirement.
                        let printed = r.to_string();
                        assert_eq!(req(&printed), r, "{input} -> {printed}");
                        assert_eq!(req(&printed).to_string(), printed);
                        count += 1;
                    }
                }
            }
        }
    }
    assert_eq!(
        count,
        NAMES.len() * EXTRAS.len() * (1 + URLS.len() + SPECIFIERS.len()) * 4 * 3
    );
}

#[test]
fn canonical_display() {
    for (input, display) in [
        ("packaging>20.1", "packaging>20.1"),
        (
            r#"requests[security, tests]>=2.8.1,==2.8.*;python_version<"2.7""#,
            r#"requests[security,tests]>=2.8.1, ==2.8.* ; python_version < "2.7""#,
        ),
        (
            r#"requests [security,tests] >= 2.8.1, == 2.8.* ; python_version < "2.7""#,
            r#"requests[security,tests]>=2.8.1, ==2.8.* ; python_version < "2.7""#,
        ),
        (
            r#"importlib-metadata; python_version<"3.8""#,
            r#"importlib-metadata ; python_version < "3.8""#,
        ),
        (
            "importlib-metadata; python_version<'3.8'",
            r#"importlib-metadata ; python_version < "3.8""#,
        ),
        (
            r#"appdirs>=1.4.4,<2; os_name=="posix" and extra=="testing""#,
            r#"appdirs>=1.4.4, <2 ; os_name == "posix" and extra == "testing""#,
        ),
        (
            r#"mariadb>=1.0.1; extra == "mariadb_connector""#,
            r#"mariadb>=1.0.1 ; extra == "mariadb-connector""#,
        ),
        ("scikit_learn==1.0.1", "scikit-learn==1.0.1"),
        ("Django", "django"),
        ("zope.interface (>=3.5)", "zope-interface>=3.5"),
        ("name()", "name"),
        ("name[]", "name"),
        ("name [ ] ( ) ", "name"),
        ("urllib3[SECURE]", "urllib3[secure]"),
        ("fishtank[all---blue]", "fishtank[all-blue]"),
        ("name[b,a,b]", "name[b,a]"),
        ("name>=1,<2", "name>=1, <2"),
        (
            "name >= 1.0 , < 2.0 ; os_name == 'nt'",
            r#"name>=1.0, <2.0 ; os_name == "nt""#,
        ),
        ("name~=1.4.2", "name~=1.4.2"),
        ("name!=1.5.*", "name!=1.5.*"),
        ("name==1.0+local.1", "name==1.0+local.1"),
        ("name===1.0-foo", "name===1.0-foo"),
        ("name @ https://x.org/a.whl", "name @ https://x.org/a.whl"),
        ("name@https://x.org/a.whl", "name @ https://x.org/a.whl"),
        (
            "name[x] @ https://x.org/a.whl ; os_name=='nt'",
            r#"name[x] @ https://x.org/a.whl ; os_name == "nt""#,
        ),
        ("name @ file:///tmp/name", "name @ file:///tmp/name"),
        ("name @ ./local/dir", "name @ ./local/dir"),
        ("name @ ../sibling", "name @ ../sibling"),
        (
            "name @ /abs/path/name-1.0.tar.gz",
            "name @ /abs/path/name-1.0.tar.gz",
        ),
        ("name @ C:\\Users\\me\\name", "name @ C:\\Users\\me\\name"),
        ("name @ file:.", "name @ file:."),
        ("name @ file://.", "name @ file://."),
        (
            "name @ https://example.com/x.whl ",
            "name @ https://example.com/x.whl",
        ),
        ("  name  ", "name"),
        ("\tname\t>=1\t", "name>=1"),
        ("A", "a"),
        ("a.b-c_d", "a-b-c-d"),
        (
            "name; 'a\" == os_name or python_version >= \"0\" or \"b' == os_name",
            "name ; 'a\" == os_name or python_version >= \"0\" or \"b' == os_name",
        ),
        (
            "name; python_implementation == ''",
            r#"name ; platform_python_implementation == """#,
        ),
        ("name; os.name == 'linux'", r#"name ; os_name == "linux""#),
        (
            "name; '8' in platform.version",
            r#"name ; "8" in platform_version"#,
        ),
        (
            "name; '8' not in platform.version",
            r#"name ; "8" not in platform_version"#,
        ),
        ("name;os_name=='nt'", r#"name ; os_name == "nt""#),
        (
            "name ; 'dev' in dependency_groups",
            r#"name ; "dev" in dependency_groups"#,
        ),
    ] {
        let r = req(input);
        assert_eq!(r.to_string(), display, "{input}");
        assert_eq!(req(display), r, "{input}");
    }
}

#[test]
fn equivalent_requirements_are_equal() {
    for (a, b) in [
        ("scikit-learn==1.0.1", "scikit_learn==1.0.1"),
        ("urllib3[secure]", "urllib3[SECURE]"),
        ("fishtank[all-blue]", "fishtank[all_blue]"),
        ("fishtank[crazy-bunches]", "fishtank[cRazy_BUnches]"),
        ("name>=1", "name>=1 \t"),
        ("name (>=1)", "name>=1"),
        ("name; os.name == 'nt'", "name ; os_name == \"nt\""),
    ] {
        assert_eq!(req(a), req(b), "{a} vs {b}");
    }
    for (a, b) in [
        ("package_one", "package_two"),
        ("packaging>20.1", "packaging>=20.1"),
        ("packaging>20.1", "packaging>21.1"),
        ("packaging>20.1", "package>20.1"),
        ("name[a]", "name[b]"),
        ("name @ https://a.org/x.whl", "name @ https://a.org/y.whl"),
        (
            r#"importlib-metadata; python_version<"3.8""#,
            "importlib-metadata; python_version<'3.7'",
        ),
        ("appdirs; extra=='testing'", "appdirs; extra=='docs'"),
    ] {
        assert_ne!(req(a), req(b), "{a} vs {b}");
    }
}

#[test]
fn accessors() {
    let r = req("requests[socks]>=2.8.1, <3 ; python_version >= '3.8' and extra == 'http'");
    assert_eq!(r.name.as_str(), "requests");
    assert_eq!(r.specifiers().map(SpecifierSet::len), Some(2));
    assert_eq!(r.url(), None);
    let u = req(
        "pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686",
    );
    assert_eq!(u.specifiers(), None);
    assert_eq!(
        u.url(),
        Some(
            "https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686"
        )
    );
    assert_eq!(req("bare").version_or_url, None);

    let env = MarkerEnvironment::new(MarkerValues {
        python_version: "3.11".into(),
        python_full_version: "3.11.4".into(),
        ..MarkerValues::default()
    });
    let http = [ExtraName::new("http").unwrap()];
    assert!(r.evaluate_markers(&env, &http));
    assert!(!r.evaluate_markers(&env, &[]));
    assert!(u.evaluate_markers(&env, &[]));
}

#[test]
fn requirement_serde_is_the_string() {
    let r = req("Foo[Bar] (>=1.0) ; os_name == 'nt'");
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(json, r#""foo[bar]>=1.0 ; os_name == \"nt\"""#);
    assert_eq!(serde_json::from_str::<Requirement>(&json).unwrap(), r);
    assert!(serde_json::from_str::<Requirement>(r#""==1.0""#).is_err());
}

/// Each row: input, start of the error span, and a piece of the message.
const INVALID: &[(&str, usize, &str)] = &[
    ("", 0, "expected a package name"),
    ("   ", 3, "expected a package name"),
    ("==0.0", 0, "expected a package name"),
    ("[extra]", 0, "expected a package name"),
    ("@ https://x.org", 0, "expected a package name"),
    ("-name", 0, "must start with a letter or digit"),
    ("name-", 4, "must end with a letter or digit"),
    ("name_ >= 1", 4, "must end with a letter or digit"),
    ("name[bar baz]", 9, "expected `,` between extra names"),
    ("name[bar, baz,]", 14, "expected an extra name"),
    ("name[bar, baz", 4, "expected `]`"),
    ("name[bar, baz >= 1.0", 14, "expected `,` or `]`"),
    ("name[", 4, "expected an extra name and `]`"),
    ("name[-bar]", 5, "must start with a letter or digit"),
    ("name[bar!]", 8, "expected `,` or `]`"),
    ("name[,bar]", 5, "expected an extra name"),
    ("name (>= 1.0", 5, "expected `)`"),
    ("name (>= 1.0 ; os_name == 'nt'", 5, "expected `)`"),
    ("name >= 1.0)", 11, "unmatched `)`"),
    ("name (>= 1.0))", 13, "unmatched `)`"),
    (
        "black (>=20.*) ; extra == 'format'",
        12,
        "can only be used with `==` and `!=`",
    ),
    ("name == 1.2.3.dev4.*", 14, "dev release"),
    ("name==1.2.3.dev4.*", 12, "dev release"),
    ("name >= 1.0+local.version.label", 11, "local label"),
    ("name <= 1.0+local.version.label", 11, "local label"),
    ("name > 1.0+local.version.label", 10, "local label"),
    ("name < 1.0+local.version.label", 10, "local label"),
    ("name ~= 1.0+local.version.label", 11, "local label"),
    ("name==1.0.org1", 10, "unexpected `o`"),
    ("name==", 6, "expected a version"),
    ("name 1.0", 5, ""),
    ("name >= 1.0 2.0", 11, "spaces"),
    ("name >=1.0,", 10, "expected a version specifier after `,`"),
    (
        "name >=1.0,,<2",
        11,
        "expected a version specifier after `,`",
    ),
    ("name ,>=1.0", 5, "expected a version specifier after `,`"),
    ("demo===x,y", 9, ""),
    ("name ~= 1", 8, "two release numbers"),
    ("name @ ", 7, "expected a URL after `@`"),
    ("name @", 6, "expected a URL after `@`"),
    ("name @ bar", 7, "expected a URL with a scheme"),
    ("name @ https:", 7, "nothing after"),
    ("name @ https:foo", 7, "needs `//`"),
    ("name @ http:///x", 7, "no host"),
    (
        "name @ https://example.com/; extra == 'example'",
        27,
        "needs a space before it",
    ),
    (
        "name @ https://example.com/;extra=='example'",
        27,
        "needs a space before it",
    ),
    (
        "name @ https://example.com/ extra == 'example'",
        28,
        "expected `;`",
    ),
    ("name @ https://example.com/ ;", 29, "quoted string"),
    ("name >= 1.0 @ https://x.org", 11, ""),
    ("name; invalid_name", 6, "not a marker variable"),
    ("name; '3.7' <= invalid_name", 15, "not a marker variable"),
    ("name; os_name == \"C:\\\"", 20, "backslash"),
    ("name; os_name == \"\\x\"", 18, "backslash"),
    (
        "name; '3.7' notin python_version",
        12,
        "expected a marker operator",
    ),
    (
        "name; '3.6'inpython_version",
        11,
        "expected a marker operator",
    ),
    (
        "name; '3.7' not python_version",
        12,
        "expected `in` after `not`",
    ),
    (
        "name; '3.7' ~ python_version",
        12,
        "expected a marker operator",
    ),
    ("name; (extra == 'example'", 6, "expected `)`"),
    ("name;", 5, "quoted string"),
    ("name; ", 6, "quoted string"),
    (
        "name; os_name == 'nt' # comment",
        22,
        "expected `and`, `or`",
    ),
    ("name # comment", 5, ""),
    ("name>=1\n", 7, "line break"),
    ("name; python_version >= '3'\n", 27, "expected `and`, `or`"),
    ("name\r\n", 4, "line break"),
    ("name>=1; extras == 'a'", 9, "set of names"),
    ("na me", 3, ""),
    ("näme", 1, ""),
];

#[test]
fn invalid_requirements() {
    let mut wrong = Vec::new();
    for (input, start, message) in INVALID {
        match input.parse::<Requirement>() {
            Ok(r) => wrong.push(format!("{input:?} parsed as {r}")),
            Err(err) => {
                let ok = err.span().start == *start
                    && err.message().contains(message)
                    && err.what() == "requirement"
                    && err.input() == *input;
                if !ok {
                    wrong.push(format!(
                        "{input:?} (want {start}, {message:?}): {:?} {err}",
                        err.span()
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn errors_show_a_caret_into_the_requirement() {
    let err = "requests[socks]>=2.0,<3.x ; os_name == 'nt'"
        .parse::<Requirement>()
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("invalid requirement `requests[socks]>=2.0,<3.x ; os_name == 'nt'`"),
        "{text}"
    );
    let caret_line = text.lines().last().unwrap();
    let col = caret_line.find('^').unwrap() - 2;
    assert!((21..=25).contains(&col), "{text}");

    let err = "name; os_name == 'nt' or"
        .parse::<Requirement>()
        .unwrap_err();
    assert_eq!(err.span().start, 24, "{err}");
    let err = "name[a,b] (>=1".parse::<Requirement>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid requirement `name[a,b] (>=1`: expected `)` to close this `(`\n  name[a,b] (>=1\n            ^^^^"
    );
}

// ---------------------------------------------------------------------------
// Property tests.

fn arb_name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]([A-Za-z0-9._-]{0,8}[A-Za-z0-9])?"
}

fn arb_specifiers() -> impl Strategy<Value = String> {
    let op = prop::sample::select(vec!["==", "!=", ">=", "<=", ">", "<", "~="]);
    let version = prop::sample::select(vec![
        "1.0",
        "2.0",
        "1.4.2",
        "0.9b1",
        "3.0.post1",
        "1!2.0",
        "2.1.dev3",
    ]);
    prop::collection::vec((op, version), 1..4).prop_map(|clauses| {
        clauses
            .iter()
            .map(|(o, v)| format!("{o}{v}"))
            .collect::<Vec<_>>()
            .join(",")
    })
}

fn arb_marker() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (
            prop::sample::select(vec!["<", ">=", "=="]),
            prop::sample::select(vec!["3.8", "3.12"])
        )
            .prop_map(|(o, v)| format!("python_version {o} '{v}'")),
        prop::sample::select(vec!["nt", "posix"]).prop_map(|v| format!("os_name == \"{v}\"")),
        "[a-z]{1,5}".prop_map(|e| format!("extra == '{e}'")),
    ];
    prop::collection::vec(leaf, 1..4)
        .prop_map(|leaves| leaves.join(" and "))
        .prop_flat_map(|a| {
            prop_oneof![
                Just(a.clone()),
                Just(format!("({a}) or sys_platform == 'win32'"))
            ]
        })
}

fn arb_requirement() -> impl Strategy<Value = String> {
    let url = prop::sample::select(vec![
        "https://example.com/pkg-1.0.tar.gz",
        "git+https://github.com/o/r.git@v1#egg=r",
        "file:///tmp/pkg",
        "./relative/dir",
    ]);
    (
        arb_name(),
        prop::collection::vec(arb_name(), 0..3),
        prop_oneof![
            Just(String::new()),
            arb_specifiers(),
            arb_specifiers().prop_map(|s| format!(" ({s})")),
            url.prop_map(|u| format!(" @ {u} ")),
        ],
        prop::option::of(arb_marker()),
    )
        .prop_map(|(name, extras, tail, marker)| {
            let mut s = name;
            if !extras.is_empty() {
                s.push_str(&format!("[{}]", extras.join(", ")));
            }
            s.push_str(&tail);
            if let Some(m) = marker {
                s.push_str(&format!(" ; {m}"));
            }
            s
        })
}

proptest! {
    #[test]
    fn display_round_trips(input in arb_requirement()) {
        let r = req(&input);
        let printed = r.to_string();
        let again = req(&printed);
        prop_assert_eq!(&again, &r, "{} -> {}", input, printed);
        prop_assert_eq!(again.to_string(), printed);
    }

    #[test]
    fn never_panics_on_arbitrary_input(input in "\\PC{0,40}") {
        let _ = input.parse::<Requirement>();
        let _ = input.parse::<MarkerTree>();
    }

    #[test]
    fn never_panics_on_near_miss_input(input in "[a-z]{1,4}[ \\[\\](),;@<>=!~'\"a-z0-9._-]{0,30}") {
        if let Ok(r) = input.parse::<Requirement>() {
            prop_assert_eq!(req(&r.to_string()), r);
        }
    }
}
