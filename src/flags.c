/*
 * flags.c: see flags.h.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flags.h"
#include "num.h"
#include "stream.h"
#include "zapi.h"

void
flag_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

unsigned long
flag_ulong(const char *flag, const char *s, unsigned long min,
    unsigned long max)
{
	unsigned long v;

	if (num_parse_ulong(s, min, max, &v) != 0)
		flag_fail("%s %s: must be a number from %lu to %lu", flag, s, min,
		    max);
	return v;
}

void
flag_path(const char *flag, const char *s, char *out, size_t len)
{
	if (s[0] != '/')
		flag_fail("%s %s: not an absolute path", flag, s);
	if (strlen(s) >= len)
		flag_fail("%s %s: path too long (at most %zu characters)", flag,
		    s, len - 1);
	memcpy(out, s, strlen(s) + 1);
}

void
flag_route_type(const char *s, uint8_t *type, uint16_t *instance)
{
	char name[32];
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	if (n == 0 || n >= sizeof(name))
		flag_fail("--zebra-route-type %s: expected NAME[:INSTANCE]", s);
	memcpy(name, s, n);
	name[n] = '\0';
	if (zapi_route_type_parse(name, type) != 0)
		flag_fail("--zebra-route-type %s: unknown route type '%s'", s,
		    name);
	if (!zapi_route_type_ownable(*type))
		flag_fail("--zebra-route-type %s: zebra does not accept '%s' as "
		    "a client's route type", s, name);
	*instance = colon ? (uint16_t)flag_ulong("--zebra-route-type instance",
	    colon + 1, 0, 65535) : 0;
}

void
flag_dialect(const char *s, char *out, size_t len)
{
	const struct zapi_dialect *const *all;
	char names[256] = "auto";
	size_t i, n;

	if ((strcmp(s, "auto") == 0 || zapi_dialect_find(s) != NULL) &&
	    strlen(s) < len) {
		memcpy(out, s, strlen(s) + 1);
		return;
	}
	all = zapi_dialects(&n);
	for (i = 0; i < n; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
		    " %s", all[i]->name);
	flag_fail("--zebra-dialect %s: expected one of %s", s, names);
}

void
flag_zmq_endpoint(const char *s, char *out, size_t len)
{
	if (stream_endpoint_check(s) != 0 || strlen(s) >= len)
		flag_fail("--zmq-endpoint %s: expected ipc://PATH (absolute, at "
		    "most 107 characters) or tcp://HOST:PORT", s);
	memcpy(out, s, strlen(s) + 1);
}
