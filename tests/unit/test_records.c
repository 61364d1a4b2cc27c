/* SPDX-License-Identifier: MIT */
/*
 * test_records.c: the on-disk schema.  State written by the released
 * version 2 (tests/unit/data, made by make-v2-state.sh with the binary of
 * b7c11e2 through real calls) loads with the same networks, endpoints,
 * addresses and routes, and is rewritten as version 3; records of every
 * kind are refused when damaged.
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

#include "fixture.h"
#include "../fuzz/canon.h"
#include "announce.h"
#include "model.h"
#include "records.h"
#include "routes.h"
#include "store.h"

#define NA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define NB "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define E1 "1111111111111111111111111111111111111111111111111111111111111111"
#define E2 "2222222222222222222222222222222222222222222222222222222222222222"
#define E3 "3333333333333333333333333333333333333333333333333333333333333333"
#define E4 "4444444444444444444444444444444444444444444444444444444444444444"

static void
copy_in(struct fixture *fx, const char *sub, const char *name)
{
	char src[512], dst[128], buf[65536];
	FILE *in, *out;
	size_t n;

	snprintf(src, sizeof(src), "%s/%s/%s", TEST_DATA_DIR, sub, name);
	snprintf(dst, sizeof(dst), "%s/%s", fx->dir, name);
	if ((in = fopen(src, "r")) == NULL)
		return;
	assert_non_null(out = fopen(dst, "w"));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
}

static void
assert_addr(const struct pool *p, const char *a, bool want)
{
	struct ipaddr x;

	assert_int_equal(addr_parse(a, &x), 0);
	if (model_addr_has(p, &x) != want)
		fail_msg("pool %s: %s %s", p->id, a, want ? "missing" : "taken");
}

static const struct route *
route_of(struct fixture *fx, const char *prefix)
{
	struct ipprefix p;

	assert_int_equal(prefix_parse(prefix, &p), 0);
	return announce_find(&fx->ctx, &p);
}

/* What make-v2-state.sh did, as the loaded model must show it. */
static void
check_v2_state(struct fixture *fx)
{
	struct model *m = fx->ctx.model;
	const struct endpoint *ep;
	const struct network *n;
	const struct route *r;
	const struct pool *p;
	struct ipaddr a;
	char s[ADDR_STRLEN];

	assert_non_null(p = model_pool_find(m, "10.46.0.0/16"));
	assert_true(p->has_range);
	assert_string_equal(prefix_fmt(&p->range, s, sizeof(s)), "10.46.1.0/24");
	assert_addr(p, "10.46.0.9", true);
	assert_addr(p, "10.46.1.0", true);
	assert_addr(p, "10.46.1.1", true);
	assert_addr(p, "10.46.1.2", true);	/* released, then given again */
	assert_addr(p, "10.46.1.3", false);
	assert_int_equal(model_addr_count(p), 4);
	addr_parse("10.46.0.9", &a);
	assert_true(model_aux_has(p, &a));
	assert_int_equal(p->naux, 1);
	assert_non_null(p = model_pool_find(m, "fd46::/64"));
	assert_int_equal(model_addr_count(p), 3);	/* ::3 was never released */
	assert_non_null(p = model_pool_find(m, "10.47.0.0/24"));
	assert_addr(p, "10.47.0.1", true);
	assert_int_equal(model_addr_count(p), 1);

	assert_int_equal(model_net_count(m), 2);
	assert_non_null(n = model_net_find(m, NA));
	assert_int_equal(n->mtu, 1400);
	assert_true(n->ipv6 && n->has4 && n->has6 && !n->internal);
	assert_int_equal(n->announce, ANNOUNCE_HOST | ANNOUNCE_AGGREGATE);
	assert_int_equal(n->tag, 77);
	assert_true(n->has_metric);
	assert_int_equal(n->metric, 20);
	assert_string_equal(prefix_fmt(&n->agg4, s, sizeof(s)), "10.46.1.0/24");
	assert_string_equal(prefix_fmt(&n->agg6, s, sizeof(s)), "fd46::/64");
	assert_non_null(n = model_net_find(m, NB));
	assert_int_equal(n->mtu, 0);
	assert_false(n->has6);
	assert_int_equal(n->announce, ANNOUNCE_HOST);
	assert_false(n->has_metric);

	assert_int_equal(model_ep_count(m), 3);
	assert_null(model_ep_find(m, E3));
	assert_non_null(ep = model_ep_find(m, E1));
	assert_string_equal(ep->net_id, NA);
	assert_int_equal(ep->naddr, 2);
	assert_string_equal(ep->addrs[0].key, "10.46.1.0");
	assert_string_equal(ep->addrs[1].key, "fd46::1");
	assert_string_equal(ep->host_if, "rt111111111111");
	assert_true(ep->joined);
	assert_string_equal(ep->sandbox, "/var/run/docker/netns/abc");
	assert_non_null(ep = model_ep_find(m, E2));
	assert_string_equal(ep->addrs[0].key, "10.46.1.1");
	assert_true(ep->joined);
	assert_non_null(ep = model_ep_find(m, E4));
	assert_string_equal(ep->net_id, NB);
	assert_int_equal(ep->naddr, 1);
	assert_string_equal(ep->addrs[0].key, "10.47.0.1");
	assert_true(ep->joined);

	/* The routes the state calls for. */
	assert_int_equal(routes_all(&fx->ctx), 0);
	assert_int_equal(announce_count(&fx->ctx), 7);
	assert_non_null(r = route_of(fx, "10.46.1.0/32"));
	assert_string_equal(r->ifname, "rt111111111111");
	assert_int_equal(r->tag, 77);
	assert_int_equal(r->metric, 20);
	assert_non_null(route_of(fx, "fd46::1/128"));
	assert_non_null(route_of(fx, "10.46.1.1/32"));
	assert_non_null(route_of(fx, "fd46::2/128"));
	assert_non_null(r = route_of(fx, "10.46.1.0/24"));
	assert_int_equal(r->kind, ROUTE_AGGREGATE);
	assert_non_null(route_of(fx, "fd46::/64"));
	assert_non_null(r = route_of(fx, "10.47.0.1/32"));
	assert_int_equal(r->tag, 100);
}

static void
load_v2(const char *sub)
{
	struct fixture *fx = fx_new();
	char err[1024], *before, *after, path[160];
	FILE *f;

	fx_close_state(fx);
	copy_in(fx, sub, STORE_FILE);
	copy_in(fx, sub, STORE_JOURNAL);
	if (fx_open_state(fx, err, sizeof(err)) != 0)
		fail_msg("%s: %s", sub, err);
	check_v2_state(fx);
	/* Rewritten as version 3 at once, and loaded again the same. */
	snprintf(path, sizeof(path), "%s/%s", fx->dir, STORE_FILE);
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(fgets(err, sizeof(err), f));
	fclose(f);
	assert_non_null(strstr(err, "{\"version\":3,"));
	before = fx_state(fx);
	fx_close_state(fx);
	assert_int_equal(fx_open_state(fx, err, sizeof(err)), 0);
	after = fx_state(fx);
	assert_string_equal(before, after);
	announce_free(&fx->ctx);
	assert_int_equal(announce_init(&fx->ctx), 0);
	check_v2_state(fx);
	free(before);
	free(after);
	fx_free(fx);
}

static void
test_v2_journal_loads(void **state)
{
	load_v2("v2-journal");
}

static void
test_v2_snapshot_loads(void **state)
{
	load_v2("v2-compact");
}

/* Apply one record to a model that has a pool and a network. */
static int
apply_one(const char *kind, const char *key, const char *value, char *err,
    size_t errlen)
{
	struct model *m = model_new();
	struct store_schema s;
	cJSON *v = cJSON_Parse(value);
	cJSON *pool = cJSON_Parse("{\"pool\":\"10.0.0.0/24\"}");
	int r;

	assert_non_null(m);
	assert_non_null(v);
	assert_non_null(pool);
	records_schema(m, &s);
	err[0] = '\0';
	assert_int_equal(s.apply(s.arg, "pool", "10.0.0.0/24", pool, err,
	    errlen), 0);
	cJSON_Delete(pool);
	r = s.apply(s.arg, kind, key, v, err, errlen);
	cJSON_Delete(v);
	model_free(m);
	return r;
}

static void
test_bad_records_refused(void **state)
{
	static const struct {
		const char *kind, *key, *value, *needle;
	} cases[] = {
		{ "pool", "10.1.0.0/24", "{\"pool\":\"10.2.0.0/24\"}", "equal to" },
		{ "pool", "10.0.0.128/25", "{\"pool\":\"10.0.0.128/25\"}",
		  "overlaps" },
		{ "pool", "10.1.0.0/24", "{\"pool\":\"10.1.0.0/24\",\"range\":7}",
		  "range" },
		{ "addr", "10.0.0.0/24 10.9.9.9", "true", "not an address of" },
		{ "addr", "10.9.0.0/24 10.9.0.1", "true", "has no record" },
		{ "addr", "10.0.0.0/24 10.0.0.1", "false", "not true" },
		{ "aux", "10.0.0.0/24 10.0.0.1", "true", "not allocated" },
		{ "net", "n1", "{\"id\":\"n2\"}", "equal to its key" },
		{ "net", "n1", "{\"id\":\"n1\",\"mtu\":-1,\"tag\":0,\"distance\":0,"
		  "\"announce\":\"host\",\"pool4\":\"10.0.0.0/24\",\"agg4\":"
		  "\"10.0.0.0/24\"}", "invalid settings" },
		{ "net", "n1", "{\"id\":\"n1\",\"mtu\":0,\"tag\":0,\"distance\":0,"
		  "\"announce\":\"host\",\"pool4\":\"10.0.0.0/24\",\"agg4\":"
		  "\"10.9.0.0/24\"}", "invalid pools" },
		{ "ep", "e1", "{\"id\":\"e1\",\"network\":\"gone\",\"addrs\":"
		  "[\"10.0.0.1\"]}", "has no record" },
#define NET_V "{\"id\":\"n1\",\"mtu\":0,\"tag\":0,\"distance\":0," \
	"\"announce\":\"host\",\"pool4\":\"10.0.0.0/24\",\"agg4\":" \
	"\"10.0.0.0/24\""
		{ "net", "n1", NET_V ",\"mode\":\"vlan\"}", "unknown mode" },
		{ "net", "n1", NET_V ",\"mode\":\"vxlan\",\"options\":{},"
		  "\"made\":0,\"made_fdb\":0}", "segment settings" },
		{ "net", "n1", NET_V ",\"mode\":\"vxlan\",\"vni\":7,\"options\":"
		  "{\"routed.vxlan.ttl\":\"300\"},\"made\":0,\"made_fdb\":0}",
		  "segment option routed.vxlan.ttl" },
		{ "net", "n1", NET_V ",\"mode\":\"vxlan\",\"vni\":7,\"options\":"
		  "{\"routed.tag\":\"3\"},\"made\":0,\"made_fdb\":0}",
		  "segment option routed.tag" },
#undef NET_V
	};
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_int_equal(apply_one(cases[i].kind, cases[i].key,
		    cases[i].value, err, sizeof(err)), -EINVAL);
		if (strstr(err, cases[i].needle) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err,
			    cases[i].needle);
	}
}

/* A walk emits records that apply to an empty model as the same model. */
static int
emit_apply(void *arg, const char *kind, const char *key, cJSON *value)
{
	struct store_schema *s = arg;
	char err[256];
	int r;

	r = s->apply(s->arg, kind, key, value, err, sizeof(err));
	cJSON_Delete(value);
	return r;
}

static void
test_walk_applies_back(void **state)
{
	struct fixture *fx = fx_new();
	struct model *copy;
	struct store_schema s, t;
	struct rp_ctx c2;
	cJSON *a, *b;
	char err[1024];

	fx_close_state(fx);
	copy_in(fx, "v2-journal", STORE_JOURNAL);
	assert_int_equal(fx_open_state(fx, err, sizeof(err)), 0);
	assert_non_null(copy = model_new());
	records_schema(fx->ctx.model, &s);
	records_schema(copy, &t);
	/* pools first, then the rest: the walk's own order */
	assert_int_equal(s.walk(s.arg, emit_apply, &t), 0);
	memset(&c2, 0, sizeof(c2));
	c2.model = copy;
	a = canon_state(&fx->ctx);
	b = canon_state(&c2);
	assert_true(cJSON_Compare(a, b, true));
	cJSON_Delete(a);
	cJSON_Delete(b);
	model_free(copy);
	fx_free(fx);
}

/* A VXLAN segment's record reads back as the same network. */
static void
test_segment_round_trip(void **state)
{
	struct fixture *fx = fx_new();
	struct network *n;
	char err[1024], *before, *after;

	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    "{\"Pool\":\"10.50.0.0/24\"}"), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
	    "{\"NetworkID\":\"" NA "\",\"Options\":{\"com.docker.network."
	    "generic\":{\"routed.mode\":\"vxlan\",\"routed.vni\":\"4242\","
	    "\"routed.vxlan.remote\":\"192.0.2.1,2001:db8::1\",\"routed.vxlan."
	    "srcport\":\"100-200\",\"routed.vxlan.learning\":\"off\","
	    "\"routed.vxlan.name\":\"vx0\",\"routed.bridge.address\":"
	    "\"02:00:00:00:00:01\",\"routed.vxlan.ttl\":\"9\"}},"
	    "\"IPv4Data\":[{\"Pool\":\"10.50.0.0/24\"}]}"), 500);
	fx_assert_err(fx, "one family");
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
	    "{\"NetworkID\":\"" NA "\",\"Options\":{\"com.docker.network."
	    "generic\":{\"routed.mode\":\"vxlan\",\"routed.vni\":\"4242\","
	    "\"routed.vxlan.local\":\"192.0.2.9\",\"routed.vxlan.remote\":"
	    "\"192.0.2.1,192.0.2.2\",\"routed.vxlan.srcport\":\"100-200\","
	    "\"routed.vxlan.learning\":\"off\",\"routed.vxlan.name\":\"vx0\","
	    "\"routed.bridge.address\":\"02:00:00:00:00:01\",\"routed.vxlan."
	    "ttl\":\"9\"}},\"IPv4Data\":[{\"Pool\":\"10.50.0.0/24\"}]}"), 200);
	before = fx_state(fx);
	fx_close_state(fx);
	assert_int_equal(fx_open_state(fx, err, sizeof(err)), 0);
	after = fx_state(fx);
	assert_string_equal(before, after);
	assert_non_null(n = model_net_find(fx->ctx.model, NA));
	assert_int_equal(n->mode, MODE_VXLAN);
	assert_int_equal(n->seg.vni, 4242);
	assert_int_equal(n->seg.nremote, 2);
	assert_int_equal(n->seg.srcport_hi, 200);
	assert_false(n->seg.learning);
	assert_string_equal(n->seg.vx_name, "vx0");
	assert_string_equal(n->seg.br_name, "rb4242");
	assert_int_equal(n->seg.br_mac[5], 1);
	assert_int_equal(n->seg.made, SEG_MADE_VXLAN | SEG_MADE_BRIDGE |
	    SEG_MADE_ADDR | SEG_MADE_ROUTE | SEG_MADE_PORT);
	assert_int_equal(n->seg.made_fdb, 3);
	free(before);
	free(after);
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_journal_loads),
		cmocka_unit_test(test_v2_snapshot_loads),
		cmocka_unit_test(test_bad_records_refused),
		cmocka_unit_test(test_walk_applies_back),
		cmocka_unit_test(test_segment_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
