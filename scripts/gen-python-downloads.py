#!/usr/bin/env python3
"""Generate posy's table of Python downloads in the format of uv's
`download-metadata.json`.

Input: the `SHA256SUMS` files python-build-standalone publishes with each
release (https://github.com/astral-sh/python-build-standalone/releases/download/<TAG>/SHA256SUMS),
given as `TAG=PATH` (or `PATH`, with the tag read from the archive names),
and/or existing tables in uv's format (`--table FILE`, e.g. uv's own
`crates/uv-python-managed/download-metadata.json`), which are filtered to what posy
installs and merged.

Output (stdout, or `-o FILE`; `--gzip` compresses): a JSON object keyed like
`cpython-3.12.7-linux-x86_64-gnu` (`cpython-3.13.0+freethreaded-...` for a
variant), each entry with the fields name, arch {family, variant}, os, libc,
major, minor, patch, prerelease, url, sha256, variant, build.

What posy installs, and so what is kept: CPython's `install_only` archives
(`install_only_stripped` preferred: the same files without debug symbols),
the default build and the free-threaded one; from a table, PyPy's release
tarballs too (PyPy publishes no SHA256SUMS file of this shape). The `-full.tar.zst` archives
(debug builds) are left out. For each (version, platform, variant) the
newest release wins.

Usage:
    scripts/gen-python-downloads.py 20241016=SHA256SUMS --gzip -o crates/posy-python/src/managed/download-metadata.json.gz
    scripts/gen-python-downloads.py --table uv/crates/uv-python-managed/download-metadata.json --gzip -o ...
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import urllib.parse

RELEASES = "https://github.com/astral-sh/python-build-standalone/releases/download"

ARCHIVE = re.compile(
    r"^cpython-(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)(?P<pre>(?:a|b|rc)\d+)?"
    r"\+(?P<build>\d+)-(?P<triple>[a-z0-9_]+-(?:unknown-linux-[a-z0-9]+|apple-darwin|pc-windows-msvc))"
    r"-(?:(?P<variant>freethreaded)-)?(?P<flavor>install_only_stripped|install_only)\.tar\.gz$"
)

ARCH_FAMILIES = {"x86_64", "aarch64", "i686", "armv7", "powerpc64le", "s390x", "riscv64"}


def parse_triple(triple: str):
    """`x86_64_v3-unknown-linux-gnu` -> (family, arch variant, os, libc)."""
    pieces = triple.split("-")
    arch = pieces[0]
    if len(pieces) == 4 and pieces[1] == "unknown" and pieces[2] == "linux":
        os_name, libc = "linux", pieces[3]
    elif len(pieces) == 3 and pieces[1:] == ["apple", "darwin"]:
        os_name, libc = "darwin", "none"
    elif pieces[1:] == ["pc", "windows", "msvc"]:
        os_name, libc = "windows", "none"
    else:
        return None
    family, _, level = arch.partition("_v")
    family = {"ppc64le": "powerpc64le"}.get(family, family)
    if family not in ARCH_FAMILIES:
        return None
    variant = f"v{level}" if level else None
    return family, variant, os_name, libc


def entry_from_archive(filename: str, sha256: str, tag: str | None):
    m = ARCHIVE.match(filename)
    if not m:
        return None
    platform = parse_triple(m["triple"])
    if platform is None:
        return None
    family, arch_variant, os_name, libc = platform
    build = m["build"]
    if tag is not None and tag != build:
        return None
    variant = m["variant"]
    version = f"{m['major']}.{m['minor']}.{m['patch']}{m['pre'] or ''}"
    arch_key = family if arch_variant is None else f"{family}_{arch_variant}"
    key = f"cpython-{version}{'+' + variant if variant else ''}-{os_name}-{arch_key}-{libc}"
    entry = {
        "name": "cpython",
        "arch": {"family": family, "variant": arch_variant},
        "os": os_name,
        "libc": libc,
        "major": int(m["major"]),
        "minor": int(m["minor"]),
        "patch": int(m["patch"]),
        "prerelease": m["pre"] or "",
        "url": f"{RELEASES}/{build}/{urllib.parse.quote(filename)}",
        "sha256": sha256,
        "variant": variant,
        "build": build,
    }
    return key, entry, m["flavor"] == "install_only_stripped"


def read_sums(text: str, tag: str | None):
    """(key, entry, stripped) for each archive line of a SHA256SUMS file."""
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 2 or not re.fullmatch(r"[0-9a-f]{64}", parts[0]):
            continue
        found = entry_from_archive(parts[1].lstrip("*"), parts[0], tag)
        if found is not None:
            yield found


def keep_from_table(entry: dict) -> bool:
    """What posy installs from an existing uv table: CPython's install_only
    archives and PyPy's release tarballs (not its Windows zips)."""
    url = entry.get("url", "")
    if entry.get("name") == "pypy":
        return entry.get("variant") is None and url.endswith(".tar.gz")
    return (
        entry.get("name") == "cpython"
        and entry.get("variant") in (None, "freethreaded")
        and url.endswith(".tar.gz")
        and "install_only" in url
    )


def sort_key(item):
    _, e = item
    pre = e["prerelease"]
    pre_rank = (3, 0) if not pre else ({"a": 0, "b": 1, "rc": 2}[pre.rstrip("0123456789")], int(re.sub(r"\D", "", pre)))
    return (e["name"], -e["major"], -e["minor"], -e["patch"], tuple(-x for x in pre_rank), e["variant"] or "", e["os"], e["arch"]["family"], e["arch"]["variant"] or "", e["libc"])


def generate(sums: list[tuple[str | None, str]], tables: list[dict]) -> dict:
    chosen: dict[str, tuple[dict, tuple]] = {}

    def offer(key, entry, rank):
        old = chosen.get(key)
        if old is None or rank > old[1]:
            chosen[key] = (entry, rank)

    for table in tables:
        for key, entry in table.items():
            if keep_from_table(entry):
                offer(key, entry, (entry["build"], "stripped" in entry["url"]))
    for tag, text in sums:
        for key, entry, stripped in read_sums(text, tag):
            offer(key, entry, (entry["build"], stripped))
    items = sorted(((k, e) for k, (e, _) in chosen.items()), key=sort_key)
    return dict(items)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sums", nargs="*", help="SHA256SUMS files, as TAG=PATH or PATH")
    parser.add_argument("--table", action="append", default=[], help="a table in uv's format to merge")
    parser.add_argument("-o", "--output", help="write here instead of stdout")
    parser.add_argument("--gzip", action="store_true", help="gzip the output")
    args = parser.parse_args(argv)
    sums = []
    for spec in args.sums:
        tag, sep, path = spec.partition("=")
        if not sep:
            tag, path = None, spec
        with open(path, encoding="utf-8") as f:
            sums.append((tag, f.read()))
    tables = []
    for path in args.table:
        with open(path, encoding="utf-8") as f:
            tables.append(json.load(f))
    if not sums and not tables:
        parser.error("give at least one SHA256SUMS file or --table")
    text = json.dumps(generate(sums, tables), indent=None if args.gzip else 2, separators=(",", ":") if args.gzip else None)
    data = text.encode() + b"\n"
    if args.gzip:
        data = gzip.compress(data, 9, mtime=0)
    if args.output:
        with open(args.output, "wb") as f:
            f.write(data)
    elif args.gzip:
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
