#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# update-doc.py RESULTS_DIR [DOC] - copy RESULTS_DIR/summary.md and the
# machine-*.txt descriptions of a `make bench` run into BENCHMARKS.md,
# between the <!-- summary/machine begin/end --> markers.
import os
import re
import sys

out = sys.argv[1]
doc = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "../../BENCHMARKS.md")


def read(name):
    p = os.path.join(out, name)
    return open(p).read().strip() if os.path.exists(p) else ""


def put(text, tag, body):
    pat = re.compile(r"(<!-- %s begin -->\n).*?(<!-- %s end -->)" % (tag, tag), re.S)
    return pat.sub(lambda m: m.group(1) + body.strip() + "\n" + m.group(2), text)


text = open(doc).read()
text = put(text, "summary", read("summary.md"))
machine = "```\n" + read("machine-user.txt") + "\n" + read("machine-kernel.txt") + "\n```"
text = put(text, "machine", machine)
open(doc, "w").write(text)
