# SPDX-License-Identifier: GPL-2.0
#
# KUnit under UML (scripts/kunit.sh): `make kunit` runs the default, kasan and
# lockdep variants; `make kunit KUNIT_VARIANTS=default` runs a subset.
# Kernel tree and build dirs live in $(TALC_CACHE) (default /var/cache/talc).

KUNIT_VARIANTS ?= default kasan lockdep

kunit:
	@$(TOP)/scripts/kunit.sh $(KUNIT_VARIANTS)

CHECK_SUITES += kunit

.PHONY: kunit
