/* SPDX-License-Identifier: MIT */
/*
 * ctlproto.c: the control socket's wire format (ctlproto.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"

/* A command name: 1..CTL_COMMAND_MAX-1 of [a-z0-9-]. */
static bool
command_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= CTL_COMMAND_MAX - 1 || !((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return i > 0;
}

/*
 * Parse p[0..n) as one JSON object followed by nothing but white space.
 * NULL with err set when it is not.
 */
static cJSON *
parse_object(const char *p, size_t n, char *err, size_t errlen)
{
	const char *end = NULL;
	cJSON *o;
	size_t i;

	if (memchr(p, '\0', n) != NULL) {
		snprintf(err, errlen, "a NUL byte in the message");
		return NULL;
	}
	o = cJSON_ParseWithLengthOpts(p, n, &end, false);
	if (o == NULL || !cJSON_IsObject(o)) {
		snprintf(err, errlen, "not a JSON object");
		cJSON_Delete(o);
		return NULL;
	}
	for (i = (size_t)(end - p); i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' &&
		    p[i] != '\n') {
			snprintf(err, errlen, "more than one JSON value");
			cJSON_Delete(o);
			return NULL;
		}
	return o;
}

/* The "version" member: 0 and *v, or -EBADMSG / -EPROTONOSUPPORT. */
static int
get_version(const cJSON *o, unsigned *v, char *err, size_t errlen)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, "version");
	double d;

	if (!cJSON_IsNumber(j)) {
		snprintf(err, errlen, "no \"version\" number");
		return -EBADMSG;
	}
	d = j->valuedouble;
	if (!(d >= 1 && d <= 65535) || d != (double)(unsigned)d) {
		snprintf(err, errlen, "\"version\" is not a positive integer");
		return -EBADMSG;
	}
	*v = (unsigned)d;
	if (*v != CTL_VERSION) {
		snprintf(err, errlen, "version %u is not spoken here (only %d)",
		    *v, CTL_VERSION);
		return -EPROTONOSUPPORT;
	}
	return 0;
}

int
ctlproto_request_decode(const char *p, size_t n, struct ctl_request *rq,
    char *err, size_t errlen)
{
	const cJSON *c;
	cJSON *o;
	int r;

	memset(rq, 0, sizeof(*rq));
	if (n > CTL_REQUEST_MAX) {
		snprintf(err, errlen, "request over %d bytes", CTL_REQUEST_MAX);
		return -EBADMSG;
	}
	if ((o = parse_object(p, n, err, errlen)) == NULL)
		return -EBADMSG;
	if ((r = get_version(o, &rq->version, err, errlen)) != 0)
		goto out;
	c = cJSON_GetObjectItemCaseSensitive(o, "command");
	r = -EBADMSG;
	if (!cJSON_IsString(c)) {
		snprintf(err, errlen, "no \"command\" string");
		goto out;
	}
	if (!command_ok(c->valuestring)) {
		snprintf(err, errlen, "\"command\" is not a command name");
		goto out;
	}
	snprintf(rq->command, sizeof(rq->command), "%s", c->valuestring);
	r = 0;
out:
	cJSON_Delete(o);
	return r;
}

/* o as one line with its newline, malloc'd; consumes o.  NULL: ENOMEM. */
static char *
line(cJSON *o)
{
	char *s = o ? cJSON_PrintUnformatted(o) : NULL, *l = NULL;
	size_t n;

	cJSON_Delete(o);
	if (s == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	n = strlen(s);
	if ((l = realloc(s, n + 2)) == NULL) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	l[n] = '\n';
	l[n + 1] = '\0';
	return l;
}

char *
ctlproto_request_encode(const char *command)
{
	cJSON *o;

	if (!command_ok(command)) {
		errno = EINVAL;
		return NULL;
	}
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(o, "version", CTL_VERSION) == NULL ||
	    cJSON_AddStringToObject(o, "command", command) == NULL) {
		cJSON_Delete(o);
		o = NULL;
	}
	return line(o);
}

/* {"version":1,"ok":ok}, or NULL. */
static cJSON *
reply_head(bool ok)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || cJSON_AddNumberToObject(o, "version", CTL_VERSION) ==
	    NULL || cJSON_AddBoolToObject(o, "ok", ok) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

char *
ctlproto_reply_encode(cJSON *result)
{
	cJSON *o = result ? reply_head(true) : NULL;

	if (o == NULL || !cJSON_AddItemToObject(o, "result", result)) {
		cJSON_Delete(o);
		cJSON_Delete(result);
		o = NULL;
	}
	return line(o);
}

char *
ctlproto_error_encode(const char *msg)
{
	cJSON *o = reply_head(false);

	if (o != NULL && cJSON_AddStringToObject(o, "error", msg) == NULL) {
		cJSON_Delete(o);
		o = NULL;
	}
	return line(o);
}

int
ctlproto_reply_decode(const char *p, size_t n, cJSON **result, char *err,
    size_t errlen)
{
	const cJSON *ok, *e;
	unsigned v;
	cJSON *o;
	int r;

	*result = NULL;
	if (n > CTL_REPLY_MAX) {
		snprintf(err, errlen, "reply over %u bytes", CTL_REPLY_MAX);
		return -EBADMSG;
	}
	if ((o = parse_object(p, n, err, errlen)) == NULL)
		return -EBADMSG;
	if ((r = get_version(o, &v, err, errlen)) != 0)
		goto out;
	ok = cJSON_GetObjectItemCaseSensitive(o, "ok");
	r = -EBADMSG;
	if (!cJSON_IsBool(ok)) {
		snprintf(err, errlen, "no \"ok\" boolean");
		goto out;
	}
	if (cJSON_IsFalse(ok)) {
		e = cJSON_GetObjectItemCaseSensitive(o, "error");
		if (!cJSON_IsString(e)) {
			snprintf(err, errlen, "a failure without an \"error\"");
			goto out;
		}
		snprintf(err, errlen, "%s", e->valuestring);
		r = -EREMOTEIO;
		goto out;
	}
	if ((*result = cJSON_DetachItemFromObjectCaseSensitive(o, "result")) ==
	    NULL) {
		snprintf(err, errlen, "a success without a \"result\"");
		goto out;
	}
	r = 0;
out:
	cJSON_Delete(o);
	return r;
}
