/* SPDX-License-Identifier: MIT */
/*
 * num.h: the daemon's one parser of decimal numbers from text (flags,
 * network options): digits only, at most 10, in [min, max].
 */
#ifndef RP_NUM_H
#define RP_NUM_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* 0 and *out set, or -EINVAL: a sign, a blank, junk, too long, out of range. */
static inline int
num_parse_ulong(const char *s, unsigned long min, unsigned long max,
    unsigned long *out)
{
	unsigned long v;
	char *end;

	if (s[0] < '0' || s[0] > '9' || strlen(s) > 10)
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

#endif
