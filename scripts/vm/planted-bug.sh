#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# planted-bug.sh - `make vmtest-planted`: prove that make vmtest catches a
# broken build.  Copies the work tree to build/vm/planted/src, plants
# WARN_ON(1) at the top of talc_heap_free() (every free then warns, as a
# real bug in the free path would), runs vmtest there on one kernel and
# succeeds only if that vmtest FAILS.  By hand: add the same WARN_ON(1) to
# talc/talc_heap.c, run make vmtest, see "N passed, M failed" with M > 0.
set -u
. "$(dirname "$0")/common.sh"

dst=$vm_out/planted/src
export TALC_VM_CACHE=$vm_out	# reuse the accelerator probe
mkdir -p "$dst"
rsync -a --delete --exclude=/build --exclude=.git "$top/" "$dst/"
f=$dst/talc/talc_heap.c
awk '
/^void talc_heap_free\(/ { infn = 1 }
infn && /spin_lock_irqsave\(&heap->lock/ && !done {
	print "\tWARN_ON(1);\t/* planted bug (scripts/vm/planted-bug.sh) */"
	done = 1
}
infn && /^}/ { infn = 0 }
{ print }
END { exit !done }' "$f" > "$f.new" || {
	echo "planted-bug: could not find talc_heap_free()'s lock in $f"
	exit 2
}
mv "$f.new" "$f"
grep -n -B2 -A1 'planted bug' "$f"
kver=${KVERS:-$(kvers | head -n 1)}
echo "planted-bug: running vmtest on $kver with the bug planted (expect failures)"
KVERS=$kver "$dst/scripts/vm/vmtest.sh" > "$vm_out/planted/vmtest.txt" 2>&1
rc=$?
grep -a -E '^  FAIL|passed, .* failed' "$vm_out/planted/vmtest.txt" | head -n 20
line=$(tail -n 1 "$vm_out/planted/vmtest.txt")
if [ $rc -ne 0 ] && echo "$line" | grep -qE '^[0-9]+ passed, [1-9][0-9]* failed'; then
	echo "planted-bug: OK, vmtest caught the planted bug ($line)"
	exit 0
fi
echo "planted-bug: vmtest did NOT catch the planted bug (rc=$rc, '$line')"
exit 1
