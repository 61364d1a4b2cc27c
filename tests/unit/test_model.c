/* SPDX-License-Identifier: MIT */
/*
 * test_model.c: the model's invariants: pools never overlap, an auxiliary
 * address is an allocated one, networks' subnets never overlap, an address
 * or an interface name belongs to one endpoint, every endpoint has its
 * network, and removals leave no index behind.
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

#include "model.h"

static struct pool *
new_pool(const char *prefix, const char *range)
{
	struct ipprefix p, r;
	char err[128];
	struct pool *pool;

	assert_int_equal(prefix_parse(prefix, &p), 0);
	if (range != NULL)
		assert_int_equal(prefix_parse(range, &r), 0);
	pool = model_pool_new(&p, range ? &r : NULL, err, sizeof(err));
	if (pool == NULL)
		fail_msg("%s: %s", prefix, err);
	return pool;
}

static struct ipaddr
A(const char *s)
{
	struct ipaddr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

static void
test_pools(void **state)
{
	struct model *m = model_new();
	struct pool *p = new_pool("10.46.0.0/16", "10.46.1.0/24"), *q;
	struct ipprefix x;
	struct ipaddr a;
	char err[128];
	size_t pos = 0;

	assert_int_equal(model_pool_add(m, p), 0);
	q = new_pool("10.46.5.0/24", NULL);
	assert_int_equal(model_pool_add(m, q), -EEXIST);	/* overlap */
	model_pool_free(q);
	assert_ptr_equal(model_pool_find(m, "10.46.0.0/16"), p);
	a = A("10.46.200.1");
	assert_ptr_equal(model_pool_of(m, &a), p);
	assert_int_equal(prefix_parse("10.0.0.0/8", &x), 0);
	assert_ptr_equal(model_pool_overlapping(m, &x), p);
	/* automatic addresses come from the range */
	assert_int_equal(model_addr_next(p, &a), 0);
	{
		struct ipaddr want = A("10.46.1.0");
		assert_true(addr_eq(&a, &want));
	}
	/* aux only on allocated addresses; put drops the mark */
	a = A("10.46.0.9");
	assert_int_equal(model_aux_add(p, &a), -ENOENT);
	assert_int_equal(model_addr_take(p, &a), 0);
	assert_int_equal(model_addr_take(p, &a), -EEXIST);
	assert_int_equal(model_aux_add(p, &a), 0);
	assert_int_equal(model_aux_add(p, &a), 0);	/* idempotent */
	assert_int_equal(p->naux, 1);
	assert_int_equal(model_addr_count(p), 2);
	model_addr_put(p, &a);
	assert_false(model_aux_has(p, &a));
	assert_false(model_addr_has(p, &a));
	model_addr_put(p, &a);				/* idempotent */
	/* a range outside the pool, a pool with no room */
	assert_int_equal(prefix_parse("10.0.0.0/24", &x), 0);
	assert_null(model_pool_new(&x, &p->prefix, err, sizeof(err)));
	assert_non_null(strstr(err, "not inside"));
	assert_int_equal(prefix_parse("10.9.9.9/32", &x), 0);
	assert_non_null(q = model_pool_new(&x, NULL, err, sizeof(err)));
	model_pool_free(q);
	assert_ptr_equal(model_pool_next(m, &pos), p);
	assert_null(model_pool_next(m, &pos));
	model_pool_del(m, p);
	assert_null(model_pool_find(m, "10.46.0.0/16"));
	model_pool_free(p);
	model_free(m);
}

static struct network *
new_net(const char *id, const char *p4, const char *p6)
{
	struct network *n = calloc(1, sizeof(*n));

	assert_non_null(n);
	snprintf(n->id, sizeof(n->id), "%s", id);
	if (p4 != NULL) {
		assert_int_equal(prefix_parse(p4, &n->pool4), 0);
		n->has4 = true;
	}
	if (p6 != NULL) {
		assert_int_equal(prefix_parse(p6, &n->pool6), 0);
		n->has6 = true;
	}
	return n;
}

static struct endpoint *
new_ep(const char *id, const char *net, const char *a1, const char *a2)
{
	struct endpoint *ep = model_ep_new(a2 ? 2 : 1);
	struct ipaddr a;

	assert_non_null(ep);
	snprintf(ep->id, sizeof(ep->id), "%s", id);
	snprintf(ep->net_id, sizeof(ep->net_id), "%s", net);
	a = A(a1);
	model_ep_set_addr(ep, 0, &a);
	if (a2 != NULL) {
		a = A(a2);
		model_ep_set_addr(ep, 1, &a);
	}
	model_ifnames(id, ep->host_if, ep->peer_if);
	return ep;
}

static void
test_networks_and_endpoints(void **state)
{
	struct model *m = model_new();
	struct network *n1 = new_net("n1", "10.46.0.0/16", "fd00::/64");
	struct network *n2 = new_net("n2", "10.47.0.0/16", "fd00::/48");
	struct endpoint *e1, *e2;
	const struct endpoint *clash;
	struct ipaddr a;
	struct ipprefix pool;

	assert_int_equal(model_net_add(m, n1), 0);
	assert_int_equal(model_net_add(m, n1), -EEXIST);	/* same id */
	assert_int_equal(model_net_add(m, n2), -EEXIST);	/* IPv6 overlap */
	assert_ptr_equal(model_net_overlapping(m, n2), n1);
	n2->has6 = false;
	assert_int_equal(model_net_add(m, n2), 0);
	assert_int_equal(model_net_count(m), 2);
	assert_int_equal(prefix_parse("fd00::/64", &pool), 0);
	assert_ptr_equal(model_net_of_pool(m, &pool), n1);

	e1 = new_ep("aaaaaaaaaaaa1", "n1", "10.46.0.1", "fd00::1");
	assert_int_equal(model_ep_add(m, e1, &clash), 0);
	/* the same address, the same interface name, an unknown network */
	e2 = new_ep("bbbbbbbbbbbb2", "n2", "10.47.0.1", "fd00::1");
	assert_int_equal(model_ep_add(m, e2, &clash), -EEXIST);
	assert_ptr_equal(clash, e1);
	model_ep_free(e2);
	e2 = new_ep("aaaaaaaaaaaa9", "n2", "10.47.0.1", NULL);
	assert_int_equal(model_ep_add(m, e2, &clash), -EEXIST);	/* rtaaaaaaaaaaaa */
	model_ep_free(e2);
	e2 = new_ep("bbbbbbbbbbbb2", "gone", "10.47.0.1", NULL);
	assert_int_equal(model_ep_add(m, e2, &clash), -ENOENT);
	model_ep_free(e2);
	e2 = new_ep("bbbbbbbbbbbb2", "n2", "10.47.0.1", "10.47.0.1");
	assert_int_equal(model_ep_add(m, e2, &clash), -EEXIST);	/* twice in one */
	model_ep_free(e2);
	e2 = new_ep("bbbbbbbbbbbb2", "n2", "10.47.0.1", NULL);
	assert_int_equal(model_ep_add(m, e2, &clash), 0);
	assert_int_equal(model_ep_count(m), 2);

	a = A("fd00::1");
	assert_ptr_equal(model_ep_by_addr(m, &a), e1);
	assert_ptr_equal(model_ep_by_ifname(m, "rtaaaaaaaaaaaa"), e1);
	assert_ptr_equal(model_ep_addr(e1, AF_INET6), &e1->addrs[1].addr);
	assert_null(model_ep_addr(e2, AF_INET6));
	/* a network with endpoints stays */
	assert_int_equal(model_net_del(m, n1), -EBUSY);
	model_ep_del(m, e1);
	assert_null(model_ep_by_addr(m, &a));
	assert_null(model_ep_by_ifname(m, "rtaaaaaaaaaaaa"));
	assert_null(model_ep_find(m, "aaaaaaaaaaaa1"));
	model_ep_del(m, e1);					/* idempotent */
	model_ep_free(e1);
	assert_int_equal(model_net_del(m, n1), 0);
	free(n1);
	model_free(m);		/* frees n2 and e2 */
}

static void
test_ifnames(void **state)
{
	char h[IFNAMSIZ], p[IFNAMSIZ], h2[IFNAMSIZ], p2[IFNAMSIZ];

	model_ifnames("0123456789abcdef", h, p);
	assert_string_equal(h, "rt0123456789ab");
	assert_string_equal(p, "rc0123456789ab");
	model_ifnames("My-Endpoint", h, p);
	model_ifnames("My-Endpoint", h2, p2);
	assert_string_equal(h, h2);
	assert_true(model_is_our_ifname(h));
	assert_true(model_is_our_ifname(p));
	assert_false(model_is_our_ifname("rtnotours"));
	assert_false(model_is_our_ifname("eth0"));
	assert_false(model_is_our_ifname("rt0123456789AB"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pools),
		cmocka_unit_test(test_networks_and_endpoints),
		cmocka_unit_test(test_ifnames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
