#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kdoc.sh [check|doc] - the kernel-doc comments and Documentation/talc.rst.
#
#   check (make kdoc, a `make check` suite): one PASS/FAIL line each for
#     1. every talc/*.c and talc/*.h under the kernel's own scripts/kernel-doc
#        from linux-source-6.1 with -none -v (6.1's kernel-doc has no -Wall:
#        -v turns on the same extra checks, e.g. undescribed return values),
#        and again under 6.12's kernel-doc (shipped in linux-headers-6.12)
#        with -none -Wall when it is installed; any line on stderr but
#        6.1's "info:" chatter is a warning, and a warning fails the file;
#     2. every `.. kernel-doc::` directive of Documentation/talc.rst, rendered
#        with kernel-doc -rst (scripts/kdoc-render.py, which mirrors the
#        kernel's Sphinx extension): no warning, some output, every
#        :functions: name found;
#     3. talc/talc.h and talc/talc_heap.h: every function they declare is
#        documented on the rendered page;
#     4. a real Sphinx build of the page (python3-sphinx from apt, the
#        kernel's Documentation/sphinx/kerneldoc.py extension,
#        KDOC_WERROR=1) to HTML and to text, with -W (warnings are errors).
#     Ends with "N passed, M failed".
#   doc (make doc): the same, but Sphinx builds the page even when there
#     are warnings (they still fail the run), then says where the outputs are:
#     build/doc/talc.rst   the page with the kernel-doc output pasted in
#     build/doc/talc.txt   the page as plain text (Sphinx text builder)
#     build/doc/html/talc.html
#
# The kernel tree is $TALC_CACHE/linux-source-6.1 (default cache
# /var/cache/talc), extracted once by scripts/ksrc.sh under the cache lock
# (shared with scripts/kunit.sh); the files used are copied to
# build/doc/kernel/ first, so a later re-extraction cannot pull them away.
set -u
top=$(cd "$(dirname "$0")/.." && pwd -P)
mode=${1:-check}
cache=${TALC_CACHE:-/var/cache/talc}
# shellcheck source=scripts/ksrc.sh
. "$top/scripts/ksrc.sh"
tarball=$ksrc_tarball
out=$top/build/doc
page=$top/Documentation/talc.rst
# shellcheck source=scripts/tally.sh
. "$top/scripts/tally.sh"

die() { echo "kdoc: $*"; fail=$((fail + 1)); result; }
# count FILE - add the PASS/FAIL lines of FILE, print them
count() {
	cat "$1"
	pass=$((pass + $(grep -c '^PASS: ' "$1")))
	fail=$((fail + $(grep -c '^FAIL: ' "$1")))
}

"$top/scripts/deps.sh" doc || die "cannot install the doc dependencies (deps.sh doc)"
[ -f "$tarball" ] || die "$tarball missing after deps.sh"
mkdir -p "$cache" "$out" || die "cannot create $cache or $out"
cache=$(cd "$cache" && pwd -P)
ksrc=$cache/$ksrc_name
# shellcheck source=scripts/ksrc.sh
. "$top/scripts/ksrc.sh"
if ! ksrc_ok "$tarball" "$ksrc"; then
	exec 9>"$cache/lock"
	if ! flock -n 9; then
		echo "kdoc: waiting for another run on $cache"
		flock 9
	fi
	ksrc_ok "$tarball" "$ksrc" || ksrc_extract "$tarball" "$cache" ||
		die "extraction of $tarball failed"
	exec 9>&-
fi
rm -rf "$out/kernel"
mkdir -p "$out/kernel/scripts" "$out/kernel/Documentation"
cp "$ksrc/scripts/kernel-doc" "$out/kernel/scripts/" &&
	cp -r "$ksrc/Documentation/sphinx" "$out/kernel/Documentation/" ||
	die "cannot copy kernel-doc from $ksrc"
kdoc61=$out/kernel/scripts/kernel-doc
kdoc612=$(ls -d /usr/src/linux-headers-6.12*-common/scripts/kernel-doc 2>/dev/null | sort -V | tail -n 1)

cd "$top" || die "cannot cd to $top"
files=$(ls talc/*.c talc/*.h)

echo "== kernel-doc -none -v ($ksrc_name) over talc/*.c talc/*.h"
# check NAME KERNEL_DOC ARGS... - one line per file
check() {
	local name=$1 kd=$2 f
	shift 2
	for f in $files; do
		perl "$kd" "$@" "$f" > /dev/null 2> "$out/kdoc.err"
		grep -v -E ': info: Scanning doc for |^[0-9]+ warnings?$|^[0-9]+ errors?$' \
			"$out/kdoc.err" > "$out/kdoc.warn"
		ok $([ ! -s "$out/kdoc.warn" ]; echo $?) "$name $f" \
			"$(grep -c . "$out/kdoc.warn") warning(s)"
		sed 's/^/  | /' "$out/kdoc.warn" | head -n 40
	done
}
check "kernel-doc(6.1) -none -v" "$kdoc61" -none -v
if [ -n "$kdoc612" ]; then
	echo "== kernel-doc -none -Wall (${kdoc612#/usr/src/}) over talc/*.c talc/*.h"
	check "kernel-doc(6.12) -none -Wall" "$kdoc612" -none -Wall
else
	echo "== (no linux-headers-6.12*-common/scripts/kernel-doc: -Wall pass skipped)"
fi

echo "== render Documentation/talc.rst with kernel-doc -rst"
sv=$(sphinx-build --version 2>/dev/null | awk '{ print $NF }')
python3 "$top/scripts/kdoc-render.py" "$kdoc61" "$top" "$page" "$out/talc.rst" \
	"${sv:-5.3.0}" > "$out/render.out" 2>&1
rc=$?
count "$out/render.out"
[ $rc -eq 0 ] || grep -q '^FAIL: ' "$out/render.out" || ok 1 "kdoc-render.py ran" "rc=$rc"

echo "== every function of the headers is on the page"
documented=$(sed -n 's/^\.\. c:function:: [^(]*[ *]\([a-z_][a-z0-9_]*\) *(.*/\1/p' "$out/talc.rst" | sort -u)
for h in talc/talc.h talc/talc_heap.h; do
	# prototypes at the start of a line: "type name(" or "type *name("
	declared=$(sed -n 's/^[a-z][a-z0-9_ ]*[ *]\(talc_[a-z0-9_]*\)(.*/\1/p' "$h" | sort -u)
	missing=$(comm -23 <(echo "$declared") <(echo "$documented") | tr '\n' ' ')
	ok $([ -n "$declared" ] && [ -z "$missing" ]; echo $?) \
		"$h: its $(echo "$declared" | grep -c .) functions are documented on the page" \
		"missing: ${missing:-no prototypes found}"
done

echo "== Sphinx $sv: HTML and text$([ "$mode" = doc ] || echo ", -W")"
if command -v sphinx-build > /dev/null; then
	src=$out/sphinx-src
	rm -rf "$src" "$out/html" "$out/text" "$out/doctrees"
	mkdir -p "$src"
	cp "$page" "$src/talc.rst"
	cat > "$src/conf.py" <<-'EOF'
	# generated by scripts/kdoc.sh
	import os
	import sys
	sys.path.insert(0, os.environ["TALC_KSPHINX"])
	project = "talc"
	extensions = ["kerneldoc"]
	kerneldoc_bin = os.environ["TALC_KDOC"]
	kerneldoc_srctree = os.environ["TALC_TOP"]
	root_doc = master_doc = "talc"
	primary_domain = "c"
	highlight_language = "none"
	html_theme = "alabaster"
	EOF
	# check: warnings are errors (and kernel-doc's make it fail: a
	# "kernel-doc missing" page); doc: build anyway, fail on any warning
	strict=(-W)
	werror=1
	[ "$mode" = doc ] && strict=() && werror=0
	for b in html text; do
		KDOC_WERROR=$werror TALC_KSPHINX="$out/kernel/Documentation/sphinx" \
			TALC_KDOC="$kdoc61" TALC_TOP="$top" \
			sphinx-build -q -E ${strict[@]+"${strict[@]}"} -b $b -d "$out/doctrees" \
			"$src" "$out/$b" > "$out/sphinx-$b.log" 2>&1
		rc=$?
		[ $rc -eq 0 ] && grep -qiE 'warning|error' "$out/sphinx-$b.log" && rc=1
		ok $rc "sphinx-build ${strict[*]+"${strict[*]} "}-b $b (build/doc/$b/)" "log: build/doc/sphinx-$b.log"
		[ $rc -eq 0 ] || grep -v '^$' "$out/sphinx-$b.log" | head -n 20 | sed 's/^/  | /'
	done
	[ -f "$out/text/talc.txt" ] && cp "$out/text/talc.txt" "$out/talc.txt"
else
	echo "(sphinx-build not installed: HTML and text skipped)"
fi

if [ "$mode" = doc ]; then
	echo "== outputs"
	for f in "$out/talc.rst" "$out/talc.txt" "$out/html/talc.html"; do
		[ -f "$f" ] && echo "  ${f#"$top"/}"
	done
fi
result
