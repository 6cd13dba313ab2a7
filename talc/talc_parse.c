// SPDX-License-Identifier: GPL-2.0
/*
 * talc_parse.c - parsers for the heaps= module parameter and for the
 * commands written to debugfs talc/control (interface: talc_parse.h).
 *
 * Grammar:
 *	heaps   := "" | spec { "," spec } [ "\n" ]
 *	spec    := NAME ":" SIZE [ ":" SIZE ] { ":" OPTION }
 *	control := ( "create" WS NAME WS SIZE [ WS SIZE ] { WS OPTION }
 *		   | "destroy" WS NAME ) [ WS ] [ "\n" ]
 *	OPTION  := "natural_align" | "hardened" | "nohardened"
 *		   (each at most once; not both hardened and nohardened)
 *	NAME    := [A-Za-z0-9_-]{1,31}
 *	SIZE    := [0-9]+ [ "K" | "M" | "G" | "k" | "m" | "g" ]
 *	WS      := one or more spaces or tabs
 *
 * Every malformed input gives -EINVAL: empty input or fields, bad
 * characters, overlong names, unknown suffixes, values that overflow
 * size_t, a size of zero, MAX below SIZE, duplicate names in heaps=, more
 * specs than the caller has room for, and trailing junk.
 *
 * The functions are pure (no allocation, no locking, no global state), so
 * the KUnit suite can drive them table by table.
 */

#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/string.h>
#include "talc_parse.h"

static bool talc_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/**
 * talc_parse_name_valid() - check a heap name
 * @name: the name (need not be NUL-terminated)
 * @len: its length
 *
 * Context: Any context.
 * Return: true if @name is 1 to %TALC_PARSE_NAME_MAX characters of
 * [A-Za-z0-9_-].
 */
bool talc_parse_name_valid(const char *name, size_t len)
{
	size_t i;

	if (!name || len == 0 || len > TALC_PARSE_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!talc_name_char(name[i]))
			return false;
	return true;
}
EXPORT_SYMBOL_GPL(talc_parse_name_valid);

/**
 * talc_parse_size() - parse a byte count with an optional K/M/G suffix
 * @s: the text (need not be NUL-terminated)
 * @len: its length
 * @out: where the value goes; untouched on error
 *
 * Decimal digits, then at most one of K, M or G (either case, powers of
 * 1024).  Zero is a valid size for this function; callers reject it where
 * it makes no sense.
 *
 * Context: Any context.
 * Return: 0 on success, -EINVAL if @s is empty, has no digits, has any
 * other character or the value overflows size_t.
 */
int talc_parse_size(const char *s, size_t len, size_t *out)
{
	unsigned int shift = 0;
	size_t val = 0;
	size_t i;

	if (!s || !out || len == 0)
		return -EINVAL;
	switch (s[len - 1]) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	}
	if (shift)
		len--;
	if (len == 0)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned int d;

		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		d = s[i] - '0';
		if (val > (SIZE_MAX - d) / 10)
			return -EINVAL;
		val = val * 10 + d;
	}
	if (val > (SIZE_MAX >> shift))
		return -EINVAL;
	*out = val << shift;
	return 0;
}
EXPORT_SYMBOL_GPL(talc_parse_size);

/* Fill @spec from separate name, size and optional max fields. */
static int talc_parse_fields(const char *name, size_t name_len,
			     const char *size, size_t size_len,
			     const char *max, size_t max_len,
			     struct talc_heap_spec *spec)
{
	struct talc_heap_spec s = { };

	if (!talc_parse_name_valid(name, name_len))
		return -EINVAL;
	memcpy(s.name, name, name_len);
	if (talc_parse_size(size, size_len, &s.size) || s.size == 0)
		return -EINVAL;
	s.max_size = s.size;
	if (max && (talc_parse_size(max, max_len, &s.max_size) ||
		    s.max_size < s.size))
		return -EINVAL;
	*spec = s;
	return 0;
}

/* The OPTION words, by bit in talc_parse_words()'s set. */
static const char *const talc_parse_options[] = {
	TALC_PARSE_NATURAL_ALIGN, TALC_PARSE_HARDENED, TALC_PARSE_NOHARDENED,
};

/* The bit of option word @w (@len bytes), or -1 if it is none. */
static int talc_parse_option(const char *w, size_t len)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(talc_parse_options); i++)
		if (len == strlen(talc_parse_options[i]) &&
		    !memcmp(w, talc_parse_options[i], len))
			return i;
	return -1;
}

/*
 * Fill @spec from the words NAME SIZE [MAX] {OPTION} (@n of them, at @w
 * with lengths @wl).
 */
static int talc_parse_words(const char *const *w, const size_t *wl, int n,
			    struct talc_heap_spec *spec)
{
	unsigned int opts = 0;
	int ret, bit;

	/* options from the end: a size word ends them */
	while (n > 2 && (bit = talc_parse_option(w[n - 1], wl[n - 1])) >= 0) {
		if (opts & BIT(bit))
			return -EINVAL;
		opts |= BIT(bit);
		n--;
	}
	if (n < 2 || n > 3 || (opts & BIT(1) && opts & BIT(2)))
		return -EINVAL;
	ret = talc_parse_fields(w[0], wl[0], w[1], wl[1],
				n == 3 ? w[2] : NULL, n == 3 ? wl[2] : 0, spec);
	if (ret)
		return ret;
	spec->natural_align = opts & BIT(0);
	spec->hardened = opts & BIT(1) ? TALC_SPEC_HARDENED_ON :
			 opts & BIT(2) ? TALC_SPEC_HARDENED_OFF :
			 TALC_SPEC_HARDENED_DEFAULT;
	return 0;
}

/**
 * talc_parse_heap_spec() - parse one NAME:SIZE[:MAX]{:OPTION} token
 * @tok: the token (need not be NUL-terminated)
 * @len: its length
 * @spec: the result; untouched on error
 *
 * Context: Any context.
 * Return: 0 on success, -EINVAL if the token is malformed (see the grammar
 * at the top of this file), SIZE is zero or MAX is below SIZE.
 */
int talc_parse_heap_spec(const char *tok, size_t len,
			 struct talc_heap_spec *spec)
{
	const char *w[6], *p, *end, *colon;
	size_t wl[6];
	int n = 0;

	if (!tok || !spec || len == 0)
		return -EINVAL;
	p = tok;
	end = tok + len;
	for (;;) {
		if (n == ARRAY_SIZE(w))
			return -EINVAL;
		colon = memchr(p, ':', end - p);
		w[n] = p;
		wl[n] = (colon ? colon : end) - p;
		n++;
		if (!colon)
			break;
		p = colon + 1;
	}
	return talc_parse_words(w, wl, n, spec);
}
EXPORT_SYMBOL_GPL(talc_parse_heap_spec);

/**
 * talc_parse_heaps() - parse the heaps= module parameter
 * @param: comma-separated NAME:SIZE[:MAX]{:OPTION}, NUL-terminated; one
 *	trailing newline is ignored; an empty string means no heaps
 * @specs: array receiving the parsed specs
 * @max_specs: its capacity
 * @bad: on error, set to the first bad token (may be NULL)
 * @bad_len: on error, set to that token's length (may be NULL)
 *
 * A token is bad when it is malformed (talc_parse_heap_spec()), when its
 * name repeats an earlier one, or when it does not fit in @specs.  An empty
 * token (",,", a leading or trailing comma) is bad with length 0.
 *
 * Context: Any context.
 * Return: the number of specs parsed (0 to @max_specs), or -EINVAL.
 */
int talc_parse_heaps(const char *param, struct talc_heap_spec *specs,
		     int max_specs, const char **bad, size_t *bad_len)
{
	const char *p, *end, *comma;
	size_t len;
	int n = 0;
	int i;

	if (!param) {
		if (bad)
			*bad = param;
		if (bad_len)
			*bad_len = 0;
		return -EINVAL;
	}
	len = strlen(param);
	if (len && param[len - 1] == '\n')
		len--;
	if (len == 0)
		return 0;
	p = param;
	end = param + len;
	for (;;) {
		size_t tlen;

		comma = memchr(p, ',', end - p);
		tlen = (comma ? comma : end) - p;
		if (n >= max_specs || !specs ||
		    talc_parse_heap_spec(p, tlen, &specs[n]))
			goto bad_token;
		for (i = 0; i < n; i++)
			if (!strcmp(specs[i].name, specs[n].name))
				goto bad_token;
		n++;
		if (!comma)
			return n;
		p = comma + 1;
		continue;
bad_token:
		if (bad)
			*bad = p;
		if (bad_len)
			*bad_len = tlen;
		return -EINVAL;
	}
}
EXPORT_SYMBOL_GPL(talc_parse_heaps);

static bool talc_ws(char c)
{
	return c == ' ' || c == '\t';
}

/**
 * talc_parse_control() - parse a command written to debugfs talc/control
 * @buf: the command (need not be NUL-terminated)
 * @len: its length; one trailing newline is ignored
 * @cmd: the result; untouched on error
 *
 * ``create NAME SIZE [MAX] {OPTION}`` or ``destroy NAME``, words separated
 * by spaces or tabs; OPTION is natural_align, hardened or nohardened.
 *
 * Context: Any context.
 * Return: 0 on success, -EINVAL for an empty or unknown command, a wrong
 * number of words, a malformed word, a NUL byte, SIZE zero or MAX below SIZE.
 */
int talc_parse_control(const char *buf, size_t len, struct talc_ctl_cmd *cmd)
{
	const char *w[7];
	size_t wl[7];
	size_t i = 0;
	int nw = 0;
	struct talc_ctl_cmd c = { };
	int ret;

	if (!buf || !cmd)
		return -EINVAL;
	if (len && buf[len - 1] == '\n')
		len--;
	if (memchr(buf, '\0', len))
		return -EINVAL;
	while (i < len) {
		size_t start;

		while (i < len && talc_ws(buf[i]))
			i++;
		if (i == len)
			break;
		if (nw == ARRAY_SIZE(w))
			return -EINVAL;
		start = i;
		while (i < len && !talc_ws(buf[i]))
			i++;
		w[nw] = buf + start;
		wl[nw] = i - start;
		nw++;
	}
	if (nw == 0)
		return -EINVAL;
	if (wl[0] == 6 && !memcmp(w[0], "create", 6)) {
		c.op = TALC_CTL_CREATE;
		ret = talc_parse_words(w + 1, wl + 1, nw - 1, &c.spec);
		if (ret)
			return ret;
	} else if (wl[0] == 7 && !memcmp(w[0], "destroy", 7) && nw == 2) {
		c.op = TALC_CTL_DESTROY;
		if (!talc_parse_name_valid(w[1], wl[1]))
			return -EINVAL;
		memcpy(c.spec.name, w[1], wl[1]);
	} else {
		return -EINVAL;
	}
	*cmd = c;
	return 0;
}
EXPORT_SYMBOL_GPL(talc_parse_control);
