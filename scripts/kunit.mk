# SPDX-License-Identifier: GPL-2.0
#
# KUnit (scripts/kunit.sh): `make kunit` runs the default, kasan and lockdep
# variants under UML and the atomic one (x86_64) in QEMU;
# `make kunit KUNIT_VARIANTS=default` runs a subset.
# `make kunit-planted` shows the run failing on planted bugs.
# Kernel tree and build dirs live in $(TALC_CACHE) (default /var/cache/talc).

KUNIT_VARIANTS ?= default kasan lockdep atomic

kunit:
	@$(TOP)/scripts/kunit.sh $(KUNIT_VARIANTS)

# Not part of `make check`: plants bugs in a scratch copy and passes only if
# the KUnit run catches each of them.
kunit-planted:
	@$(TOP)/scripts/kunit-planted.sh

CHECK_SUITES += kunit

.PHONY: kunit kunit-planted
