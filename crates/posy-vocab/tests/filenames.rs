//! Wheel and sdist filenames as they appear on real indexes: what each
//! parses to, which are rejected and where the error points, and which
//! wheels a given target can install.

use posy_vocab::{
    Arch, DistFilename, PackageName, Platform, SdistExtension, SdistFilename, TagTarget, Tags,
    WheelFilename,
};

struct Wheel {
    file: &'static str,
    name: &'static str,
    version: &'static str,
    build: Option<&'static str>,
    tags: &'static [&'static str],
    canonical: &'static str,
}

const WHEELS: &[Wheel] = &[
    Wheel {
        file: "numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        name: "numpy",
        version: "1.26.4",
        build: None,
        tags: &[
            "cp312-cp312-manylinux_2_17_x86_64",
            "cp312-cp312-manylinux2014_x86_64",
        ],
        canonical: "numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    },
    Wheel {
        file: "numpy-2.1.0-cp313-cp313t-macosx_14_0_arm64.whl",
        name: "numpy",
        version: "2.1.0",
        build: None,
        tags: &["cp313-cp313t-macosx_14_0_arm64"],
        canonical: "numpy-2.1.0-cp313-cp313t-macosx_14_0_arm64.whl",
    },
    Wheel {
        file: "cryptography-42.0.5-cp39-abi3-musllinux_1_2_aarch64.whl",
        name: "cryptography",
        version: "42.0.5",
        build: None,
        tags: &["cp39-abi3-musllinux_1_2_aarch64"],
        canonical: "cryptography-42.0.5-cp39-abi3-musllinux_1_2_aarch64.whl",
    },
    Wheel {
        file: "cryptography-42.0.5-cp37-abi3-win_amd64.whl",
        name: "cryptography",
        version: "42.0.5",
        build: None,
        tags: &["cp37-abi3-win_amd64"],
        canonical: "cryptography-42.0.5-cp37-abi3-win_amd64.whl",
    },
    Wheel {
        file: "six-1.16.0-py2.py3-none-any.whl",
        name: "six",
        version: "1.16.0",
        build: None,
        tags: &["py2-none-any", "py3-none-any"],
        canonical: "six-1.16.0-py2.py3-none-any.whl",
    },
    Wheel {
        file: "Django-1.11.29-py2.py3-none-any.whl",
        name: "django",
        version: "1.11.29",
        build: None,
        tags: &["py2-none-any", "py3-none-any"],
        canonical: "django-1.11.29-py2.py3-none-any.whl",
    },
    Wheel {
        file: "zope.interface-6.2-cp311-cp311-win32.whl",
        name: "zope-interface",
        version: "6.2",
        build: None,
        tags: &["cp311-cp311-win32"],
        canonical: "zope_interface-6.2-cp311-cp311-win32.whl",
    },
    Wheel {
        file: "typing_extensions-4.12.2-py3-none-any.whl",
        name: "typing-extensions",
        version: "4.12.2",
        build: None,
        tags: &["py3-none-any"],
        canonical: "typing_extensions-4.12.2-py3-none-any.whl",
    },
    Wheel {
        file: "pillow-10.4.0-pp310-pypy310_pp73-manylinux_2_28_x86_64.whl",
        name: "pillow",
        version: "10.4.0",
        build: None,
        tags: &["pp310-pypy310_pp73-manylinux_2_28_x86_64"],
        canonical: "pillow-10.4.0-pp310-pypy310_pp73-manylinux_2_28_x86_64.whl",
    },
    Wheel {
        file: "tensorflow-2.1.0-2-cp37-cp37m-macosx_10_11_x86_64.whl",
        name: "tensorflow",
        version: "2.1.0",
        build: Some("2"),
        tags: &["cp37-cp37m-macosx_10_11_x86_64"],
        canonical: "tensorflow-2.1.0-2-cp37-cp37m-macosx_10_11_x86_64.whl",
    },
    Wheel {
        file: "torch-2.3.0+cpu-cp311-cp311-linux_x86_64.whl",
        name: "torch",
        version: "2.3.0+cpu",
        build: None,
        tags: &["cp311-cp311-linux_x86_64"],
        canonical: "torch-2.3.0+cpu-cp311-cp311-linux_x86_64.whl",
    },
    Wheel {
        file: "foo-1.0rc1-20240101_1-py3-none-any.whl",
        name: "foo",
        version: "1.0rc1",
        build: Some("20240101_1"),
        tags: &["py3-none-any"],
        canonical: "foo-1.0rc1-20240101_1-py3-none-any.whl",
    },
    Wheel {
        file: "Foo_Bar-1.0.POST1-PY3-NONE-ANY.whl",
        name: "foo-bar",
        version: "1.0.post1",
        build: None,
        tags: &["py3-none-any"],
        canonical: "foo_bar-1.0.post1-py3-none-any.whl",
    },
];

#[test]
fn real_wheel_filenames() {
    for w in WHEELS {
        let parsed: WheelFilename = w.file.parse().unwrap_or_else(|e| panic!("{}: {e}", w.file));
        assert_eq!(parsed.name().as_str(), w.name, "{}", w.file);
        assert_eq!(parsed.version().to_string(), w.version, "{}", w.file);
        assert_eq!(
            parsed.build_tag().map(|b| b.to_string()).as_deref(),
            w.build,
            "{}",
            w.file
        );
        let tags: Vec<String> = parsed.tags().map(|t| t.to_string()).collect();
        assert_eq!(tags, w.tags, "{}", w.file);
        assert_eq!(parsed.to_string(), w.canonical, "{}", w.file);
        let again: WheelFilename = parsed.to_string().parse().unwrap();
        assert_eq!(again, parsed, "{}", w.file);
    }
}

#[test]
fn invalid_wheel_filenames_point_at_the_problem() {
    let cases: &[(&str, std::ops::Range<usize>, &str)] = &[
        ("foo-1.0-py3-none-any.zip", 20..24, "ends in `.whl`"),
        ("foo-1.0-py3-none.whl", 0..16, "found 4 parts"),
        ("foo-1.0-1-2-py3-none-any.whl", 20..24, "found 7 parts"),
        ("foo-bar-1.0-py3-none-any.whl", 4..5, "must be written `_`"),
        (
            "foo-1.0-b1-py3-none-any.whl",
            8..10,
            "must start with a digit",
        ),
        ("foo-1.x-py3-none-any.whl", 6..7, "unexpected `x`"),
        ("f@o-1.0-py3-none-any.whl", 1..2, "`@` is not allowed"),
        (
            "foo-1.0-py3-none-an/y.whl",
            19..20,
            "`/` is not allowed in a platform tag",
        ),
        ("foo-1.0-py2.-none-any.whl", 12..13, "empty python tag"),
        ("foo-1.0-3py-none-any.whl", 8..9, "must start with a letter"),
        ("-1.0-py3-none-any.whl", 0..0, "cannot be empty"),
        (".whl", 0..0, "found 1 parts"),
    ];
    for (input, span, message) in cases {
        let e = input.parse::<WheelFilename>().unwrap_err();
        assert_eq!(e.span(), *span, "{input}: {e}");
        assert!(e.message().contains(message), "{input}: {e}");
        assert_eq!(e.what(), "wheel filename");
    }
    // The caret line sits under the bad part.
    let e = "foo-1.0-b1-py3-none-any.whl"
        .parse::<WheelFilename>()
        .unwrap_err();
    assert!(
        e.to_string()
            .ends_with("\n  foo-1.0-b1-py3-none-any.whl\n          ^^"),
        "{e}"
    );
}

#[test]
fn wheel_compatibility_picks_the_best_tag() {
    let linux = Tags::from_target(&TagTarget::cpython(
        (3, 12),
        Platform::Manylinux {
            arch: Arch::X86_64,
            glibc: (2, 31),
        },
    ));
    let w = |s: &str| s.parse::<WheelFilename>().unwrap();
    let native = w("numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
    let abi3 = w("cryptography-42.0.5-cp39-abi3-manylinux_2_28_x86_64.whl");
    let pure = w("six-1.16.0-py2.py3-none-any.whl");
    let too_new = w("numpy-2.0.0-cp312-cp312-manylinux_2_34_x86_64.whl");
    let wrong_py = w("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl");
    let mac = w("numpy-2.1.0-cp312-cp312-macosx_14_0_arm64.whl");
    let (n, a, p) = (
        native.compatibility(&linux).unwrap(),
        abi3.compatibility(&linux).unwrap(),
        pure.compatibility(&linux).unwrap(),
    );
    assert!(n > a && a > p, "{n:?} {a:?} {p:?}");
    for incompatible in [&too_new, &wrong_py, &mac] {
        assert!(!incompatible.is_compatible(&linux), "{incompatible}");
    }
    let mac_tags = Tags::from_target(&TagTarget::cpython(
        (3, 12),
        Platform::from_python_platform("aarch64-apple-darwin").unwrap(),
    ));
    assert!(
        !mac.is_compatible(&mac_tags),
        "macOS 13 cannot use a macOS 14 wheel"
    );
    let mac13 = w("numpy-2.1.0-cp312-cp312-macosx_11_0_arm64.whl");
    let universal = w("numpy-2.1.0-cp312-cp312-macosx_10_9_universal2.whl");
    assert!(mac13.compatibility(&mac_tags) > universal.compatibility(&mac_tags));
    assert!(universal.is_compatible(&mac_tags));
    assert!(!native.is_compatible(&mac_tags));
    assert!(pure.is_compatible(&mac_tags));
}

#[test]
fn legacy_and_pep625_sdists() {
    let cases: &[(&str, &str, &str, SdistExtension, &str)] = &[
        (
            "python-dateutil-2.8.2.tar.gz",
            "python-dateutil",
            "2.8.2",
            SdistExtension::TarGz,
            "python_dateutil-2.8.2.tar.gz",
        ),
        (
            "python_dateutil-2.9.0.post0.tar.gz",
            "python-dateutil",
            "2.9.0.post0",
            SdistExtension::TarGz,
            "python_dateutil-2.9.0.post0.tar.gz",
        ),
        (
            "Django-1.4.tar.gz",
            "django",
            "1.4",
            SdistExtension::TarGz,
            "django-1.4.tar.gz",
        ),
        (
            "zope.interface-4.0.0.zip",
            "zope-interface",
            "4.0.0",
            SdistExtension::Zip,
            "zope_interface-4.0.0.zip",
        ),
        (
            "PyYAML-3.10.tar.bz2",
            "pyyaml",
            "3.10",
            SdistExtension::TarBz2,
            "pyyaml-3.10.tar.bz2",
        ),
        (
            "foo-bar-baz-1.0-1.tgz",
            "foo-bar-baz",
            "1.0.post1",
            SdistExtension::Tgz,
            "foo_bar_baz-1.0.post1.tgz",
        ),
        (
            "lxml-5.2.2.tar.xz",
            "lxml",
            "5.2.2",
            SdistExtension::TarXz,
            "lxml-5.2.2.tar.xz",
        ),
        (
            "setuptools-0.6c11.TAR.GZ",
            "setuptools",
            "0.6rc11",
            SdistExtension::TarGz,
            "setuptools-0.6rc11.tar.gz",
        ),
    ];
    for (file, name, version, ext, canonical) in cases {
        let package = PackageName::new(name).unwrap();
        let s = SdistFilename::parse(file, &package).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(s.name(), &package, "{file}");
        assert_eq!(s.version().to_string(), *version, "{file}");
        assert_eq!(s.extension(), *ext, "{file}");
        assert_eq!(s.to_string(), *canonical, "{file}");
        // The canonical form is PEP 625 and splits at the last `-`.
        let again: SdistFilename = canonical.parse().unwrap();
        assert_eq!(again, s, "{file}");
    }
    // Without the package name, the last `-` decides.
    let s: SdistFilename = "python-dateutil-2.8.2.tar.gz".parse().unwrap();
    assert_eq!(s.name().as_str(), "python-dateutil");
}

#[test]
fn invalid_sdists() {
    let foo = PackageName::new("foo").unwrap();
    for (input, span, message) in [
        ("foo-1.0.rar", 7..11, "not a source distribution"),
        ("bar-1.0.tar.gz", 0..7, "does not match `foo`"),
        ("foo-1.0.linux-x86_64.tar.gz", 8..9, "unexpected `l`"),
        ("foo.tar.gz", 0..3, "does not match `foo`"),
    ] {
        let e = SdistFilename::parse(input, &foo).unwrap_err();
        assert_eq!(e.span(), span, "{input}: {e}");
        assert!(e.message().contains(message), "{input}: {e}");
    }
    assert!("foo.tar.gz".parse::<SdistFilename>().is_err());
    assert!("-1.0.tar.gz".parse::<SdistFilename>().is_err());
}

#[test]
fn index_listing() {
    let name = PackageName::new("python-dateutil").unwrap();
    let files = [
        ("python-dateutil-2.8.2.tar.gz", Some("sdist")),
        ("python_dateutil-2.8.2-py2.py3-none-any.whl", Some("wheel")),
        ("python-dateutil-1.4.win32.exe", None),
        ("python_dateutil-2.2-py2.7.egg", None),
        ("python-dateutil-2.0.msi", None),
    ];
    for (file, want) in files {
        let got = DistFilename::parse(file, &name).unwrap_or_else(|e| panic!("{file}: {e}"));
        let kind = got.as_ref().map(|d| match d {
            DistFilename::Wheel(_) => "wheel",
            DistFilename::Sdist(_) => "sdist",
        });
        assert_eq!(kind, want, "{file}");
        if let Some(d) = got {
            assert_eq!(d.name(), &name);
            assert_eq!(d.version().to_string(), "2.8.2");
        }
    }
}
