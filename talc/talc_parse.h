/* SPDX-License-Identifier: GPL-2.0 */
/*
 * talc_parse.h - parsers for the heaps= module parameter and for the
 * commands written to debugfs talc/control.  Pure functions: no allocation,
 * no locking, no global state, so KUnit can drive them table by table.
 */
#ifndef _TALC_PARSE_H
#define _TALC_PARSE_H

#include <linux/types.h>

#define TALC_PARSE_NAME_MAX	31	/* same as TALC_NAME_MAX */

/*
 * The option words: kmalloc's alignment of power-of-two sizes, and the
 * heap's hardened mode on or off (else the talc.hardened default).
 */
#define TALC_PARSE_NATURAL_ALIGN	"natural_align"
#define TALC_PARSE_HARDENED		"hardened"
#define TALC_PARSE_NOHARDENED		"nohardened"

/* A heap's hardened mode: the talc.hardened default, or chosen. */
enum talc_spec_hardened {
	TALC_SPEC_HARDENED_DEFAULT,
	TALC_SPEC_HARDENED_ON,
	TALC_SPEC_HARDENED_OFF,
};

/**
 * struct talc_heap_spec - a parsed NAME:SIZE[:MAX]{:OPTION}
 * @name: NUL-terminated, [A-Za-z0-9_-]{1,31}
 * @size: initial size in bytes, > 0
 * @max_size: growth limit in bytes, >= @size (equals @size when omitted)
 * @natural_align: the natural_align option was given
 * @hardened: enum talc_spec_hardened: which of hardened and nohardened
 *	was given, if either
 */
struct talc_heap_spec {
	char name[TALC_PARSE_NAME_MAX + 1];
	size_t size;
	size_t max_size;
	bool natural_align;
	u8 hardened;
};

enum talc_ctl_op {
	TALC_CTL_CREATE,	/* create NAME SIZE [MAX] {OPTION} */
	TALC_CTL_DESTROY,	/* destroy NAME */
};

/**
 * struct talc_ctl_cmd - a parsed control command
 * @op: what to do
 * @spec: the heap; only @spec.name is meaningful for TALC_CTL_DESTROY
 */
struct talc_ctl_cmd {
	enum talc_ctl_op op;
	struct talc_heap_spec spec;
};

bool talc_parse_name_valid(const char *name, size_t len);
int talc_parse_size(const char *s, size_t len, size_t *out);
int talc_parse_heap_spec(const char *tok, size_t len,
			 struct talc_heap_spec *spec);
int talc_parse_heaps(const char *param, struct talc_heap_spec *specs,
		     int max_specs, const char **bad, size_t *bad_len);
int talc_parse_control(const char *buf, size_t len, struct talc_ctl_cmd *cmd);

#endif /* _TALC_PARSE_H */
