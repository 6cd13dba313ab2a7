#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# planted-bug.sh [BUG...] - `make vmtest-planted`: prove that make vmtest
# catches a broken build.  For each planted bug, copies the work tree to
# build/vm/planted/src, breaks talc/talc_heap.c there, runs vmtest on one
# kernel and succeeds only if that vmtest FAILS.  Bugs (default: all):
#   warn    WARN_ON(1) at the top of talc_heap_free(): every free warns
#           (caught by the log scan and the expected-warning counts)
#   nozero  talc_heap_alloc() ignores __GFP_ZERO (caught by talc_torture's
#           pattern checks, so insmod fails with -EIO)
#   noreallocz  a moving talc_heap_realloc() does not zero the grown part
#           under __GFP_ZERO (caught by talc_torture)
# By hand: make the same change in talc/talc_heap.c, run make vmtest, see
# "N passed, M failed" with M > 0 and a non-zero exit status.
set -u
. "$(dirname "$0")/common.sh"
export TALC_VM_CACHE=$vm_out	# reuse the accelerator probe
dst=$vm_out/planted/src
kver=${KVERS:-$(kvers | head -n 1)}
bugs=${*:-warn nozero noreallocz}

# plant BUG FILE - apply the bug to FILE; fails if the code was not found
plant() {
	awk -v bug="$1" '
	/^void talc_heap_free\(/ { fn = "free" }
	/^static void \*talc_heap_do_alloc\(/ { fn = "alloc" }
	/^void \*talc_heap_realloc\(/ { fn = "realloc" }
	bug == "warn" && fn == "free" && /talc_heap_lock\(heap, &hold\);/ && !done {
		print "\tWARN_ON(1);\t/* planted bug */"
		done = 1
	}
	bug == "nozero" && fn == "alloc" && /memset\(p, 0, usable\);/ && !done {
		print "\t\t;\t/* planted bug: __GFP_ZERO ignored */"
		done = 1
		next
	}
	bug == "noreallocz" && fn == "realloc" && /memset\(\(char \*\)p \+ keep, 0, usable - keep\);/ && !done {
		print "\t\t;\t/* planted bug: __GFP_ZERO ignored by realloc */"
		done = 1
		next
	}
	/^}/ { fn = "" }
	{ print }
	END { exit !done }' "$2" > "$2.new" && mv "$2.new" "$2"
}

rc=0
for bug in $bugs; do
	mkdir -p "$dst"
	rsync -a --delete --exclude=/build --exclude=.git "$top/" "$dst/"
	if ! plant "$bug" "$dst/talc/talc_heap.c"; then
		echo "planted-bug $bug: could not plant it in talc/talc_heap.c"
		rc=1
		continue
	fi
	diff -u "$top/talc/talc_heap.c" "$dst/talc/talc_heap.c" | grep '^[-+]\s'
	echo "planted-bug $bug: running vmtest on $kver (expect failures)"
	out=$vm_out/planted/vmtest-$bug.txt
	KVERS=$kver "$dst/scripts/vm/vmtest.sh" > "$out" 2>&1
	r=$?
	grep -a -E '^  FAIL|^    scan-log' "$out" | head -n 12
	line=$(tail -n 1 "$out")
	if [ $r -ne 0 ] && echo "$line" | grep -qE '^[0-9]+ passed, [1-9][0-9]* failed'; then
		echo "planted-bug $bug: OK, vmtest caught it ($line)"
	else
		echo "planted-bug $bug: NOT CAUGHT (rc=$r, '$line')"
		rc=1
	fi
done
exit $rc
