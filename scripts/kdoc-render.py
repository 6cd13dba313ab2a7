#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# kdoc-render.py KERNEL_DOC SRCTREE PAGE OUT [SPHINX_VERSION]
#
# Renders a reST page that uses `.. kernel-doc::` directives into plain
# reST without them, the way the kernel's Sphinx extension
# (Documentation/sphinx/kerneldoc.py) would: every directive is replaced by
# the output of `KERNEL_DOC -rst` run on SRCTREE/<file> with the options the
# extension passes (:export:, :internal:, :doc:, :functions:/:identifiers:,
# :no-identifiers:).  Prints one "PASS: ..." or "FAIL: ..." line per
# directive: a directive fails when kernel-doc exits non-zero, prints any
# warning or error, or renders nothing.  Exit status 1 if any failed.
import glob
import os
import re
import subprocess
import sys

if len(sys.argv) not in (5, 6):
    sys.exit("usage: kdoc-render.py KERNEL_DOC SRCTREE PAGE OUT [SPHINX_VERSION]")
kdoc, srctree, page, out = sys.argv[1:5]
sphinx_version = sys.argv[5] if len(sys.argv) == 6 else "5.3.0"

lines = open(page, encoding="utf-8").read().split("\n")
res = []
failed = 0
i = 0
directive = re.compile(r"^(\s*)\.\. kernel-doc::\s+(\S+)\s*$")
option = re.compile(r"^(\s+):([a-z-]+):\s*(.*)$")
while i < len(lines):
    m = directive.match(lines[i])
    if not m:
        res.append(lines[i])
        i += 1
        continue
    indent, fname = m.group(1), m.group(2)
    i += 1
    opts = {}
    last = None
    # options: ":name: value", continued by more-indented lines
    while i < len(lines) and lines[i].strip() and \
            len(lines[i]) - len(lines[i].lstrip()) > len(indent):
        om = option.match(lines[i])
        if om:
            last = om.group(2)
            opts[last] = om.group(3).strip()
        elif last:
            opts[last] += " " + lines[i].strip()
        else:
            print("FAIL: %s: %s: cannot parse '%s'" % (page, fname, lines[i]))
            failed += 1
        i += 1
    cmd = [kdoc, "-rst", "-sphinx-version", sphinx_version]
    patterns = []
    if "functions" in opts:
        opts["identifiers"] = opts["functions"]
    if "export" in opts:
        cmd += ["-export"]
        patterns = opts["export"].split()
    elif "internal" in opts:
        cmd += ["-internal"]
        patterns = opts["internal"].split()
    elif "doc" in opts:
        cmd += ["-function", opts["doc"]]
    elif "identifiers" in opts:
        ids = opts["identifiers"].split()
        if ids:
            for f in ids:
                cmd += ["-function", f]
        else:
            cmd += ["-no-doc-sections"]
    for f in opts.get("no-identifiers", "").split():
        cmd += ["-nosymbol", f]
    for p in patterns:
        for f in glob.glob(os.path.join(srctree, p)):
            cmd += ["-export-file", f]
    cmd += [os.path.join(srctree, fname)]
    what = fname + "".join(" :%s:%s" % (k, (" " + v) if v else "")
                           for k, v in opts.items() if k != "identifiers")
    if len(what) > 100:
        what = what[:97] + "..."
    p = subprocess.run(cmd, cwd=srctree, capture_output=True, text=True)
    warn = [l for l in p.stderr.splitlines() if l.strip()]
    body = p.stdout
    # kernel-doc 6.1 says nothing about a -function it does not find
    decl = re.compile(r"^\.\. c:\w+:: .*?\b(\w+)\s*\(|^\.\. c:\w+:: (?:struct |enum |union )?(\w+)\s*$")
    found = set()
    for l in body.splitlines():
        dm = decl.match(l.strip())
        if dm:
            found.add(dm.group(1) or dm.group(2))
    for f in opts.get("identifiers", "").split():
        if f not in found:
            warn.append("%s: '%s' not found (no kernel-doc comment?)" % (fname, f))
    if p.returncode != 0 or warn or not body.strip():
        print("FAIL: render %s (kernel-doc rc=%d, %d warning(s)%s)" %
              (what, p.returncode, len(warn),
               "" if body.strip() else ", no output"))
        for l in warn[:40]:
            print("  | " + l.replace(srctree.rstrip("/") + "/", ""))
        failed += 1
    else:
        print("PASS: render %s" % what)
    for l in body.split("\n"):
        res.append(indent + l if l else l)
open(out, "w", encoding="utf-8").write("\n".join(res))
sys.exit(1 if failed else 0)
