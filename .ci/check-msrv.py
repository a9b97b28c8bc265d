#!/usr/bin/env python3
"""Checks that sockframe's declared `rust-version` is true of its dependencies.

For each feature set of the library (and `--all-features`, which adds the
`framecat` CLI), every package a build of sockframe compiles (normal and
build dependencies, transitively, on every target platform; never
dev-dependencies) must declare a `rust-version` at or below sockframe's.
The package set comes from `cargo tree` (which resolves features as a build
does), the `rust-version`s from `cargo metadata`, both from the committed
Cargo.lock (`--locked`).

The CLI may need a newer Rust than the library: then set
`[package.metadata.sockframe] cli-rust-version = "1.xx"` in Cargo.toml (and
say so in the README), and `--all-features` is checked against that instead.

Exit status: 0 when every package fits, 1 when one does not (they are
listed), 2 when cargo fails. Packages that declare no `rust-version` are
listed but do not fail the check: nothing says what they need.

Usage: python3 .ci/check-msrv.py [--package NAME] [--verbose] [-- CARGO_ARGS...]
CARGO_ARGS (e.g. --offline, or --frozen) replace the default --locked.
"""

import argparse
import json
import subprocess
import sys

# The feature sets checked: the library's, then everything (the CLI).
FEATURE_SETS = [
    ("default features", []),
    ("no default features (no_std core)", ["--no-default-features"]),
    ("--no-default-features --features json", ["--no-default-features", "--features", "json"]),
    ("--no-default-features --features std", ["--no-default-features", "--features", "std"]),
    ("--all-features (adds the framecat CLI)", ["--all-features"]),
]


def run(args):
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(f"check-msrv: `{' '.join(args)}` failed:\n{result.stderr}")
        sys.exit(2)
    return result.stdout


def parse_version(text):
    """'1.85' -> (1, 85, 0); '1.6' -> (1, 6, 0)."""
    parts = [int(p) for p in text.split("-")[0].split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def show(version):
    return ".".join(str(p) for p in version)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--package", default="sockframe")
    parser.add_argument("--verbose", action="store_true", help="list every package")
    parser.add_argument("cargo_args", nargs="*", help="after --: cargo flags instead of --locked")
    options = parser.parse_args()
    lock_args = options.cargo_args or ["--locked"]

    # Every package of the workspace's resolve, with all features, so that
    # optional dependencies are listed too.
    metadata = json.loads(
        run(["cargo", "metadata", "--format-version", "1", "--all-features", *lock_args])
    )
    rust_versions = {}
    declared = None
    for package in metadata["packages"]:
        rust_versions[(package["name"], package["version"])] = package.get("rust_version")
        if package["name"] == options.package and package["source"] is None:
            declared = package.get("rust_version")
            package_version = package["version"]
            cli_declared = ((package.get("metadata") or {}).get("sockframe") or {}).get(
                "cli-rust-version"
            )
    if declared is None:
        sys.stderr.write(f"check-msrv: {options.package} declares no rust-version\n")
        return 1
    print(f"{options.package} declares rust-version = {declared}")
    if cli_declared:
        print(f"{options.package} declares cli-rust-version = {cli_declared} (--all-features)")

    failed = False
    for label, feature_args in FEATURE_SETS:
        allowed = cli_declared if cli_declared and "--all-features" in feature_args else declared
        limit = parse_version(allowed)
        tree = run([
            "cargo", "tree", "--package", options.package, "--edges", "normal,build",
            "--target", "all", "--prefix", "none", "--format", "{p}",
            *feature_args, *lock_args,
        ])
        packages = set()
        for line in tree.splitlines():
            fields = line.split()
            if len(fields) >= 2 and fields[1].startswith("v"):
                packages.add((fields[0], fields[1][1:]))
        too_new, undeclared, highest = [], [], None
        packages.discard((options.package, package_version))
        for name, version in sorted(packages):
            if (name, version) not in rust_versions:
                sys.stderr.write(f"check-msrv: {name} {version} is not in cargo metadata\n")
                return 2
            needs = rust_versions[(name, version)]
            if needs is None:
                undeclared.append(f"{name} {version}")
                continue
            needed = parse_version(needs)
            if highest is None or needed > highest[0]:
                highest = (needed, f"{name} {version}")
            if needed > limit:
                too_new.append(f"{name} {version} needs Rust {needs}")
            if options.verbose:
                print(f"    {needs:>8}  {name} {version}")
        summary = f"highest: {show(highest[0])} ({highest[1]})" if highest else "no dependencies"
        print(f"{label}: {len(packages)} dependencies, {summary}")
        if undeclared:
            print(f"    no rust-version declared (not checked): {', '.join(undeclared)}")
        if too_new:
            failed = True
            for line in too_new:
                print(f"    ABOVE {allowed}: {line}")

    if failed:
        print(
            "check-msrv: FAILED: raise the rust-version named above, or pin the "
            "dependencies listed to versions that support it"
        )
        return 1
    print(f"check-msrv: every dependency declares a rust-version at or below {declared}"
          + (f" (the CLI's at or below {cli_declared})" if cli_declared else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
