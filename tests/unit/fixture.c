/* SPDX-License-Identifier: MIT */
/*
 * fixture.c: see fixture.h.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "../fuzz/canon.h"
#include "announce.h"
#include "ipam.h"
#include "log.h"
#include "model.h"
#include "netdrv.h"
#include "records.h"
#include "store.h"
#include "teardown.h"

static void
quiet(enum log_level lvl, const char *msg, void *arg)
{
	if (getenv("TEST_VERBOSE") != NULL)
		fprintf(stderr, "log: %s\n", msg);
}

int
fx_open_state(struct fixture *fx, char *err, size_t errlen)
{
	int r;

	if ((fx->ctx.model = model_new()) == NULL)
		return -ENOMEM;
	records_schema(fx->ctx.model, &fx->schema);
	if ((r = store_open(&fx->ctx.store, fx->dir, &fx->schema, err,
	    errlen)) != 0 || (r = store_load(fx->ctx.store, err, errlen)) != 0) {
		fx_close_state(fx);
		return r;
	}
	return 0;
}

void
fx_close_state(struct fixture *fx)
{
	store_close(fx->ctx.store);
	fx->ctx.store = NULL;
	model_free(fx->ctx.model);
	fx->ctx.model = NULL;
}

void
fx_reopen(struct fixture *fx)
{
	char err[512];

	fx_close_state(fx);
	if (fx_open_state(fx, err, sizeof(err)) != 0)
		fail_msg("restart: %s", err);
}

struct fixture *
fx_new(void)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char err[512];

	if (fx == NULL)
		abort();
	log_set_hook(quiet, NULL);
	stub_reset();
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/rp-unit-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		abort();
	addr_parse(RP_DEFAULT_GW4, &fx->ctx.cfg.gateway4);
	addr_parse(RP_DEFAULT_GW6, &fx->ctx.cfg.gateway6);
	fx->ctx.cfg.mtu = RP_DEFAULT_MTU;
	snprintf(fx->ctx.cfg.state_dir, sizeof(fx->ctx.cfg.state_dir), "%s",
	    fx->dir);
	fx->ctx.cfg.announce_kind = ANNOUNCE_HOST;
	fx->ctx.cfg.tag = RP_DEFAULT_TAG;
	fx->ctx.cfg.extra_addrs = true;
	if (announce_init(&fx->ctx) != 0 || fx_open_state(fx, err,
	    sizeof(err)) != 0 || teardown_open(&fx->ctx) != 0)
		abort();
	return fx;
}

void
fx_free(struct fixture *fx)
{
	char path[128];

	cJSON_Delete(fx->reply);
	teardown_close(&fx->ctx);
	fx_close_state(fx);
	announce_free(&fx->ctx);
	snprintf(path, sizeof(path), "%s/%s", fx->dir, STORE_FILE);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lock", fx->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", fx->dir, STORE_JOURNAL);
	unlink(path);
	rmdir(fx->dir);
	free(fx);
}

static int
call(struct fixture *fx, const struct api_route *routes, size_t n,
    const char *path, const char *body)
{
	char *out = NULL;

	cJSON_Delete(fx->reply);
	fx->status = api_dispatch(&fx->ctx, routes, n, path, body,
	    body ? strlen(body) : 0, &out);
	fx->reply = out ? cJSON_Parse(out) : NULL;
	free(out);
	if (fx->reply == NULL || !cJSON_IsObject(fx->reply))
		abort();	/* every reply is a JSON object */
	return fx->status;
}

int
fx_net(struct fixture *fx, const char *path, const char *body)
{
	return call(fx, netdrv_routes, netdrv_nroutes, path, body);
}

int
fx_ipam(struct fixture *fx, const char *path, const char *body)
{
	return call(fx, ipam_routes, ipam_nroutes, path, body);
}

const char *
fx_str(struct fixture *fx, const char *name)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(fx->reply, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

char *
fx_state(struct fixture *fx)
{
	char path[128], *buf, *nl, *out;
	cJSON *j;
	FILE *f;
	long n;

	/* The whole state in one snapshot, the journal emptied. */
	if (fx->ctx.store != NULL && store_compact(fx->ctx.store) != 0)
		abort();
	snprintf(path, sizeof(path), "%s/%s", fx->dir, STORE_FILE);
	if ((f = fopen(path, "r")) == NULL)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	/* Its records in a canonical order, without generation or checksum. */
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	if ((j = cJSON_Parse(buf)) == NULL)
		abort();
	out = canon_text(cJSON_GetObjectItemCaseSensitive(j, "records"));
	cJSON_Delete(j);
	free(buf);
	return out;
}

int
fx_setup(void **state)
{
	*state = fx_new();
	return 0;
}

int
fx_teardown(void **state)
{
	fx_free(*state);
	return 0;
}

void
fx_assert_err(struct fixture *fx, const char *needle)
{
	const char *e = fx_str(fx, "Err");

	assert_int_equal(fx->status, 500);
	assert_non_null(e);
	if (strstr(e, needle) == NULL)
		fail_msg("error '%s' does not mention '%s'", e, needle);
}
