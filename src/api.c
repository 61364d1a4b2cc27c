/*
 * api.c: request parsing, dispatch and replies of the plugin API.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "ctx.h"
#include "metrics.h"
#include "log.h"

int
api_fail(struct api_call *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return code < 0 ? code : -EINVAL;
}

static const cJSON *
member(const cJSON *obj, const char *name)
{
	const cJSON *v;

	if (obj == NULL || !cJSON_IsObject(obj))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(obj, name);
	return (v == NULL || cJSON_IsNull(v)) ? NULL : v;
}

int
api_get_str(struct api_call *c, const cJSON *obj, const char *name,
    bool required, const char **out)
{
	const cJSON *v = member(obj, name);

	*out = NULL;
	if (v == NULL) {
		if (required)
			return api_fail(c, -EINVAL, "missing field %s", name);
		return 0;
	}
	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return api_fail(c, -EINVAL, "field %s must be a string", name);
	*out = v->valuestring;
	return 0;
}

int
api_get_obj(struct api_call *c, const cJSON *obj, const char *name,
    bool required, const cJSON **out)
{
	const cJSON *v = member(obj, name);

	*out = NULL;
	if (v == NULL) {
		if (required)
			return api_fail(c, -EINVAL, "missing field %s", name);
		return 0;
	}
	if (!cJSON_IsObject(v))
		return api_fail(c, -EINVAL, "field %s must be an object", name);
	*out = v;
	return 0;
}

int
api_get_bool(struct api_call *c, const cJSON *obj, const char *name, bool *out)
{
	const cJSON *v = member(obj, name);

	*out = false;
	if (v == NULL)
		return 0;
	if (!cJSON_IsBool(v))
		return api_fail(c, -EINVAL, "field %s must be a boolean", name);
	*out = cJSON_IsTrue(v);
	return 0;
}

int
api_get_id(struct api_call *c, const cJSON *obj, const char *name,
    const char **out)
{
	const char *s;
	size_t i, n;
	int r;

	if ((r = api_get_str(c, obj, name, true, &s)) != 0)
		return r;
	n = strlen(s);
	if (n == 0 || n > API_ID_MAX)
		return api_fail(c, -EINVAL, "field %s must hold 1 to %d characters",
		    name, API_ID_MAX);
	for (i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '-' || ch == '.'))
			return api_fail(c, -EINVAL,
			    "field %s has a character not allowed in an ID", name);
	}
	*out = s;
	return 0;
}

int
api_get_addr(struct api_call *c, const cJSON *obj, const char *name,
    struct ipaddr *out, bool *present)
{
	struct ipprefix p;
	const char *s;
	int r;

	*present = false;
	if ((r = api_get_str(c, obj, name, false, &s)) != 0)
		return r;
	if (s == NULL || *s == '\0')
		return 0;
	if (prefix_parse_loose(s, &p) != 0)
		return api_fail(c, -EINVAL, "field %s: '%.64s' is not an IP address",
		    name, s);
	*out = p.addr;
	*present = true;
	return 0;
}

int
api_put_str(struct api_call *c, cJSON *obj, const char *name,
    const char *value)
{
	if (cJSON_AddStringToObject(obj, name, value) == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	return 0;
}

int
api_implements(struct api_call *c, const char *a, const char *b)
{
	cJSON *arr = cJSON_AddArrayToObject(c->reply, "Implements"), *s;

	if (arr == NULL || (s = cJSON_CreateString(a)) == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	cJSON_AddItemToArray(arr, s);
	if (b != NULL) {
		if ((s = cJSON_CreateString(b)) == NULL)
			return api_fail(c, -ENOMEM, "out of memory");
		cJSON_AddItemToArray(arr, s);
	}
	return 0;
}

/*
 * A NUL in the body: a raw byte, or the escape \u0000 (a backslash run of
 * odd length before "u0000").  cJSON would end the string there, so
 * "<id>\u0000/../x" would be taken for "<id>": refuse instead.
 */
static bool
has_nul(const char *body, size_t len)
{
	size_t i, k;

	if (memchr(body, '\0', len) != NULL)
		return true;
	for (i = 1; i + 5 <= len; i++) {
		if (body[i] != 'u' || memcmp(body + i + 1, "0000", 4) != 0)
			continue;
		for (k = 0; k < i && body[i - 1 - k] == '\\'; k++)
			;
		if (k % 2 == 1)
			return true;
	}
	return false;
}

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * A key that appears twice in one object, at any depth, or NULL.  cJSON
 * keeps the first, Go's decoder (Docker's) the last: refuse rather than
 * guess.  Sorting keeps a many-keyed object O(n log n).  *nomem on ENOMEM.
 */
static const char *
dup_key(const cJSON *v, bool *nomem)
{
	const cJSON *ch;
	const char *d;
	size_t n = 0, i;

	for (ch = v->child; ch != NULL; ch = ch->next, n++)
		if ((cJSON_IsObject(ch) || cJSON_IsArray(ch)) &&
		    (d = dup_key(ch, nomem)) != NULL)
			return d;
	if (!cJSON_IsObject(v) || n < 2 || *nomem)
		return NULL;
	{
		const char **keys = malloc(n * sizeof(*keys));

		if (keys == NULL) {
			*nomem = true;
			return NULL;
		}
		for (ch = v->child, i = 0; ch != NULL; ch = ch->next)
			keys[i++] = ch->string;
		qsort(keys, n, sizeof(*keys), cmp_key);
		for (d = NULL, i = 1; i < n && d == NULL; i++)
			if (strcmp(keys[i - 1], keys[i]) == 0)
				d = keys[i];
		free(keys);
		return d;
	}
}

/* {"Err": msg} as text; NULL on ENOMEM. */
static char *
error_reply(const char *msg)
{
	cJSON *o = cJSON_CreateObject();
	char *s = NULL;

	if (o != NULL && cJSON_AddStringToObject(o, "Err", msg) != NULL)
		s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* api_dispatch() without the metrics; *method is the route's path. */
static int
dispatch(struct rp_ctx *ctx, const struct api_route *routes,
    size_t nroutes, const char *path, const char *body, size_t len, char **out,
    const char **method)
{
	struct api_call c;
	const struct api_route *rt = NULL;
	cJSON *req = NULL;
	int status = 500, r;
	size_t i;
	bool empty = false;

	*out = NULL;
	if (log_debug_enabled())
		log_debug("-> %s %.*s", path, (int)(len > 4096 ? 4096 : len),
		    body);
	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	for (i = 0; i < nroutes; i++)
		if (strcmp(routes[i].path, path) == 0)
			rt = &routes[i];
	*method = rt ? rt->path : NULL;
	if (rt == NULL) {
		snprintf(c.err, sizeof(c.err), "unknown method %.128s", path);
		status = 404;
		goto fail;
	}
	if (len > API_MAX_BODY) {
		snprintf(c.err, sizeof(c.err), "request body over %d bytes",
		    API_MAX_BODY);
		goto fail;
	}
	/* An empty (or all-blank) body is an empty request. */
	for (i = 0; i < len; i++)
		if (body[i] != ' ' && body[i] != '\n' && body[i] != '\r' &&
		    body[i] != '\t')
			break;
	if (i == len) {
		empty = true;
		req = cJSON_CreateObject();
	} else if (has_nul(body, len)) {
		snprintf(c.err, sizeof(c.err), "request body holds a NUL "
		    "character (\\u0000 or a NUL byte), which no field may "
		    "contain");
		goto fail;
	} else {
		const char *end = NULL;

		req = cJSON_ParseWithLengthOpts(body, len, &end, 0);
		/* Nothing but blanks may follow the document. */
		while (req != NULL && end != NULL && end < body + len) {
			if (*end != ' ' && *end != '\n' && *end != '\r' &&
			    *end != '\t') {
				cJSON_Delete(req);
				req = NULL;
			}
			end++;
		}
	}
	if (req == NULL) {
		snprintf(c.err, sizeof(c.err), "request body is not valid JSON");
		goto fail;
	}
	if (!cJSON_IsObject(req)) {
		snprintf(c.err, sizeof(c.err), "request body is not a JSON object");
		goto fail;
	}
	{
		bool nomem = false;
		const char *d = dup_key(req, &nomem);

		if (d != NULL || nomem) {
			snprintf(c.err, sizeof(c.err), nomem ? "out of memory" :
			    "request body has the key \"%.128s\" twice in one "
			    "object", d);
			goto fail;
		}
	}
	if ((c.reply = cJSON_CreateObject()) == NULL) {
		snprintf(c.err, sizeof(c.err), "out of memory");
		goto fail;
	}
	c.req = req;
	if ((r = rt->fn(&c)) != 0) {
		if (c.err[0] == '\0')
			snprintf(c.err, sizeof(c.err), "%s", strerror(-r));
		/*
		 * Docker 20.10 resends a call whose connection was reset (the
		 * plugin died with it queued) with an empty body, its retry
		 * reusing the drained request: say so, or "missing field"
		 * reads like a bug on either side.
		 */
		if (empty && strncmp(c.err, "missing field", 13) == 0) {
			size_t n = strlen(c.err);

			snprintf(c.err + n, sizeof(c.err) - n, " (the request "
			    "body was empty: Docker resends a call with an "
			    "empty body when the plugin was restarting; try "
			    "again)");
		}
		goto fail;
	}
	if ((*out = cJSON_PrintUnformatted(c.reply)) == NULL) {
		snprintf(c.err, sizeof(c.err), "out of memory");
		goto fail;
	}
	cJSON_Delete(c.reply);
	cJSON_Delete(req);
	log_debug("<- %s 200 %s", path, *out);
	return 200;
fail:
	if (rt != NULL)
		log_info("%s failed: %s", path, c.err);
	cJSON_Delete(c.reply);
	cJSON_Delete(req);
	*out = error_reply(c.err);
	log_debug("<- %s %d %s", path, status, *out ? *out : "");
	return status;
}

int
api_dispatch(struct rp_ctx *ctx, const struct api_route *routes,
    size_t nroutes, const char *path, const char *body, size_t len, char **out)
{
	const char *method = NULL;
	struct timespec t0;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	status = dispatch(ctx, routes, nroutes, path, body, len, out, &method);
	metrics_api_observe(ctx->metrics, method, status, &t0);
	return status;
}
