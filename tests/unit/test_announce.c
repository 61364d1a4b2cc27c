/* SPDX-License-Identifier: MIT */
/*
 * test_announce.c: the announce table and its backends, and the routes the
 * model calls for (routes.c): idempotent adds, replacement, a backend that
 * refuses, replay to a late backend, withdrawals of only one's own routes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "announce.h"
#include "ctx.h"
#include "log.h"
#include "model.h"
#include "routes.h"

struct rec {
	int adds, dels;
	int fail;		/* add returns this */
	struct route last;
};

static int
rec_add(void *arg, const struct route *r)
{
	struct rec *rc = arg;

	rc->adds++;
	rc->last = *r;
	return rc->fail;
}

static int
rec_del(void *arg, const struct ipprefix *p)
{
	struct rec *rc = arg;

	rc->dels++;
	return 0;
}

static void
quiet(enum log_level lvl, const char *msg, void *arg)
{
}

static struct route
host(const char *prefix, const char *ifname, uint32_t tag)
{
	struct route r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(prefix_parse(prefix, &r.prefix), 0);
	r.kind = ROUTE_HOST;
	snprintf(r.ifname, sizeof(r.ifname), "%s", ifname);
	r.tag = tag;
	return r;
}

static void
test_table_and_backends(void **state)
{
	struct rp_ctx ctx;
	struct rec a = { 0 }, b = { 0 };
	struct announce_backend ba = { "a", rec_add, rec_del, &a };
	struct announce_backend bb = { "b", rec_add, rec_del, &b };
	struct route r = host("10.0.0.1/32", "rt1", 1);
	size_t pos = 0;

	log_set_hook(quiet, NULL);
	memset(&ctx, 0, sizeof(ctx));
	assert_int_equal(announce_init(&ctx), 0);
	assert_int_equal(announce_attach(&ctx, &ba), 0);
	assert_int_equal(announce_add(&ctx, &r), 0);
	assert_int_equal(announce_add(&ctx, &r), 0);	/* unchanged: not sent */
	assert_int_equal(a.adds, 1);
	r.tag = 2;					/* replaced: sent again */
	assert_int_equal(announce_add(&ctx, &r), 0);
	assert_int_equal(a.adds, 2);
	assert_int_equal(announce_count(&ctx), 1);
	/* a late backend gets the table */
	assert_int_equal(announce_attach(&ctx, &bb), 0);
	assert_int_equal(b.adds, 1);
	assert_int_equal(b.last.tag, 2);
	/* a backend that refuses: the error comes back, the route stays */
	b.fail = -ENOMEM;
	r = host("10.0.0.2/32", "rt2", 1);
	assert_int_equal(announce_add(&ctx, &r), -ENOMEM);
	assert_non_null(announce_find(&ctx, &r.prefix));
	announce_del(&ctx, &r.prefix);
	assert_null(announce_find(&ctx, &r.prefix));
	announce_del(&ctx, &r.prefix);			/* idempotent */
	assert_int_equal(a.dels, 1);
	assert_non_null(announce_next(&ctx, &pos));
	assert_null(announce_next(&ctx, &pos));
	announce_free(&ctx);
}

static void
test_routes_of_the_model(void **state)
{
	struct rp_ctx ctx;
	struct network n;
	struct endpoint *e1, *e2;
	struct ipaddr a;
	struct route r;
	const struct route *f;
	struct ipprefix p;

	log_set_hook(quiet, NULL);
	memset(&ctx, 0, sizeof(ctx));
	assert_int_equal(announce_init(&ctx), 0);
	memset(&n, 0, sizeof(n));
	snprintf(n.id, sizeof(n.id), "n1");
	n.announce = ANNOUNCE_HOST | ANNOUNCE_AGGREGATE;
	n.tag = 7;
	n.has4 = true;
	assert_int_equal(prefix_parse("10.46.0.0/16", &n.pool4), 0);
	assert_int_equal(prefix_parse("10.46.1.0/24", &n.agg4), 0);
	assert_non_null(e1 = model_ep_new(2));
	snprintf(e1->id, sizeof(e1->id), "e1");
	snprintf(e1->host_if, sizeof(e1->host_if), "rte1");
	snprintf(e1->route_if, sizeof(e1->route_if), "rte1");
	addr_parse("10.46.1.1", &a);
	model_ep_set_addr(e1, 0, &a);
	addr_parse("10.46.1.2", &a);
	model_ep_set_addr(e1, 1, &a);
	assert_int_equal(routes_ep_add(&ctx, &n, e1), 0);
	assert_int_equal(routes_net_add(&ctx, &n), 0);
	assert_int_equal(announce_count(&ctx), 3);
	prefix_parse("10.46.1.2/32", &p);
	assert_non_null(f = announce_find(&ctx, &p));
	assert_string_equal(f->ifname, "rte1");
	assert_int_equal(f->tag, 7);
	assert_string_equal(f->endpoint_id, "e1");
	routes_host(&n, e1, &e1->addrs[0], &r);
	assert_int_equal(r.kind, ROUTE_HOST);
	/* another endpoint's route on the same prefix is not e1's to withdraw */
	assert_non_null(e2 = model_ep_new(1));
	snprintf(e2->id, sizeof(e2->id), "e2");
	snprintf(e2->host_if, sizeof(e2->host_if), "rte2");
	snprintf(e2->route_if, sizeof(e2->route_if), "rte2");
	model_ep_set_addr(e2, 0, &e1->addrs[1].addr);
	assert_int_equal(routes_ep_add(&ctx, &n, e2), 0);
	routes_ep_del(&ctx, e1);
	assert_non_null(f = announce_find(&ctx, &p));
	assert_string_equal(f->endpoint_id, "e2");
	prefix_parse("10.46.1.1/32", &p);
	assert_null(announce_find(&ctx, &p));
	/* a network that announces nothing */
	routes_ep_del(&ctx, e2);
	routes_net_del(&ctx, &n);
	assert_int_equal(announce_count(&ctx), 0);
	n.announce = 0;
	assert_int_equal(routes_ep_add(&ctx, &n, e1), 0);
	assert_int_equal(routes_net_add(&ctx, &n), 0);
	assert_int_equal(announce_count(&ctx), 0);
	model_ep_free(e1);
	model_ep_free(e2);
	announce_free(&ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_and_backends),
		cmocka_unit_test(test_routes_of_the_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
