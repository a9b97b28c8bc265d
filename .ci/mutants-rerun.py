#!/usr/bin/env python3
"""Re-runs the named mutants (lines of mutant names, as in missed.txt)
with cargo-mutants in SRC, writing to OUT, with the given extra args.
usage: rerun.py LIST SRC OUT [cargo-mutants args...]"""
import os, re, subprocess, sys
names = [l.rstrip("\n") for l in open(sys.argv[1]) if l.strip()]
src, out, extra = sys.argv[2], sys.argv[3], sys.argv[4:]
if not names:
    print("nothing to run"); sys.exit(0)
args = ["nice", "-n", "19", "cargo", "mutants", "-j", "1", "--all-features",
        "--test-tool", "cargo", "--exclude", "src/bin/**", "--no-shuffle",
        "-o", out] + extra
for n in names:
    args += ["-F", "^" + "".join("\\" + c if c in "\\.+*?()|[]{}^$#&-~" else c for c in n) + "$"]
env = dict(os.environ)
env.pop("CARGO_TARGET_DIR", None)
env["CARGO_PROFILE_DEV_DEBUG"] = "0"
env["CARGO_PROFILE_TEST_DEBUG"] = "0"
os.chdir(src)
sys.exit(subprocess.call(args, env=env))
