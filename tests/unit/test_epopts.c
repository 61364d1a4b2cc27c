/* SPDX-License-Identifier: MIT */
/*
 * test_epopts.c: an endpoint's own options (routed.ips, routed.ip-count,
 * routed.anycast, routed.mtu/tag/metric/anycast-tag) through Docker's
 * calls: what is reserved, plumbed, announced and written, what comes back
 * after a restart, and that every refusal changes nothing in the model, on
 * disk, in the (stub) kernel or in the announce table.
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
#include "store.h"

#define NID "4330d3fcb3c2c14b1b2a0fbbdcc92a7763e8c5f0a8bb6e51f9a1e3e3c2f0aa01"
#define NID2 "5330d3fcb3c2c14b1b2a0fbbdcc92a7763e8c5f0a8bb6e51f9a1e3e3c2f0aa02"
#define EID "b60d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb02"
#define EID2 "c11d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb03"
#define HOSTIF "rtb60d823d5fe2"

/* CreateEndpoint as Docker 20.10 sends it, with driver options opts. */
#define CREATE_EP_HEAD(eid, a4, a6) \
	"{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" eid "\",\"Interface\":" \
	"{\"Address\":\"" a4 "\",\"AddressIPv6\":\"" a6 "\",\"MacAddress\":\"\"}," \
	"\"Options\":{\"com.docker.network.endpoint.exposedports\":[]," \
	"\"com.docker.network.portmap\":[]"
#define CREATE_EP(eid, a4, a6, opts) CREATE_EP_HEAD(eid, a4, a6) opts "}}"
#define IDS(eid) "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" eid "\"}"
#define JOIN(eid) \
	"{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" eid "\",\"SandboxKey\":" \
	"\"/var/run/docker/netns/2bf2ff522f80\",\"Options\":{}}"

/* Two networks on ipam-routed pools: 10.99/16 (+ fd99::/64) and 10.98/16. */
static void
networks(struct fixture *fx)
{
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    "{\"Pool\":\"10.99.0.0/16\",\"SubPool\":\"10.99.1.0/24\"}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    "{\"Pool\":\"fd99::/64\",\"V6\":true}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.99.0.0/16\",\"Address\":\"10.99.0.2\"}"), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
	    "{\"NetworkID\":\"" NID "\",\"Options\":{\"com.docker.network."
	    "generic\":{\"routed.tag\":\"100\"}},\"IPv4Data\":[{\"Pool\":"
	    "\"10.99.0.0/16\",\"AuxAddresses\":{\"r\":\"10.99.0.2/32\"}}],"
	    "\"IPv6Data\":[{\"Pool\":\"fd99::/64\"}]}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    "{\"Pool\":\"10.98.0.0/16\"}"), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
	    "{\"NetworkID\":\"" NID2 "\",\"IPv4Data\":[{\"Pool\":"
	    "\"10.98.0.0/16\"}]}"), 200);
	/* Docker's address of the first endpoint */
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.99.0.0/16\",\"Address\":\"10.99.1.5\"}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"fd99::/64\",\"Address\":\"fd99::5\"}"), 200);
}

/* Model, disk, stub kernel and announce table as one text. */
static char *
world(struct fixture *fx)
{
	cJSON *j = canon_state(&fx->ctx), *arr = cJSON_CreateArray();
	char *m = canon_text(j), *d = fx_state(fx), *t, *out, line[256];
	char a[ADDR_STRLEN];
	const struct route *r;
	size_t pos = 0, len;
	int i, k;

	for (i = 0; i < stub_nlinks; i++) {
		snprintf(line, sizeof(line), "link %s mtu %u routes %d",
		    stub_links[i].host, stub_links[i].mtu, stub_links[i].routes);
		cJSON_AddItemToArray(arr, cJSON_CreateString(line));
		for (k = 0; k < stub_links[i].routes; k++) {
			snprintf(line, sizeof(line), "route %s dev %s",
			    addr_fmt(&stub_links[i].dst[k], a, sizeof(a)),
			    stub_links[i].host);
			cJSON_AddItemToArray(arr, cJSON_CreateString(line));
		}
	}
	while ((r = announce_next(&fx->ctx, &pos)) != NULL) {
		snprintf(line, sizeof(line), "announce %s %s tag %u metric %u",
		    prefix_fmt(&r->prefix, a, sizeof(a)), r->ifname, r->tag,
		    r->has_metric ? r->metric : 0);
		cJSON_AddItemToArray(arr, cJSON_CreateString(line));
	}
	t = canon_text(arr);
	len = strlen(m) + strlen(d) + strlen(t) + 4;
	assert_non_null(out = malloc(len));
	snprintf(out, len, "%s\n%s\n%s\n", m, d, t);
	free(m);
	free(d);
	free(t);
	cJSON_Delete(j);
	cJSON_Delete(arr);
	return out;
}

static struct pool *
pool(struct fixture *fx, const char *id)
{
	struct pool *p = model_pool_find(fx->ctx.model, id);

	assert_non_null(p);
	return p;
}

static bool
allocated(struct fixture *fx, const char *pool_id, const char *addr)
{
	struct ipaddr a;

	assert_int_equal(addr_parse(addr, &a), 0);
	return model_addr_has(pool(fx, pool_id), &a);
}

static const struct route *
announced(struct fixture *fx, const char *prefix)
{
	struct ipprefix p;

	assert_int_equal(prefix_parse(prefix, &p), 0);
	return announce_find(&fx->ctx, &p);
}

#define OPTS_FULL \
	",\"routed.ips\":\"10.99.1.8, 10.99.1.9 fd99::8\"," \
	"\"routed.ip-count\":\"2\",\"routed.anycast\":\"10.99.0.100\"," \
	"\"routed.anycast-tag\":\"7\",\"routed.tag\":\"5\"," \
	"\"routed.metric\":\"9\",\"routed.mtu\":\"1400\""

static void
check_full(struct fixture *fx)
{
	const struct endpoint *ep = model_ep_find(fx->ctx.model, EID);
	static const char *const want[] = {
		"10.99.1.5", "fd99::5", "10.99.1.8", "10.99.1.9", "fd99::8",
		"10.99.0.100", "10.99.1.0", "10.99.1.1",
	};
	size_t i;

	assert_non_null(ep);
	assert_int_equal(ep->naddr, 8);
	for (i = 0; i < ep->naddr; i++) {
		bool found = false;
		size_t k;

		for (k = 0; k < ep->naddr; k++)
			found |= strcmp(ep->addrs[k].key, want[i]) == 0;
		if (!found)
			fail_msg("endpoint has no address %s", want[i]);
	}
	assert_int_equal(ep->set.mtu, 1400);
	assert_true(ep->set.has_tag && ep->set.tag == 5);
	assert_true(ep->set.has_metric && ep->set.metric == 9);
	assert_true(ep->set.has_anycast_tag && ep->set.anycast_tag == 7);
	assert_true(ep->set.has_mac);
	assert_memory_equal(ep->set.mac, "\x02\x52\x0a\x63\x01\x05", 6);
	assert_true(allocated(fx, "10.99.0.0/16", "10.99.1.8"));
	assert_true(allocated(fx, "10.99.0.0/16", "10.99.1.1"));
	assert_true(allocated(fx, "10.99.0.0/16", "10.99.0.100"));
	assert_true(allocated(fx, "fd99::/64", "fd99::8"));
}

static void
test_extra_addresses(void **state)
{
	struct fixture *fx = *state;
	const struct route *r;
	struct stub_link *l;
	char *s, *before;

	networks(fx);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    CREATE_EP(EID, "10.99.1.5/32", "fd99::5/128", OPTS_FULL)), 200);
	check_full(fx);
	assert_non_null(l = stub_find(HOSTIF));
	assert_int_equal(l->mtu, 1400);
	assert_true(l->gw6);
	assert_int_equal(l->routes, 8);
	assert_memory_equal(l->mac, "\x02\x52\x0a\x63\x01\x05", 6);
	s = cJSON_PrintUnformatted(fx->reply);
	assert_string_equal(s, "{\"Interface\":{\"MacAddress\":"
	    "\"02:52:0a:63:01:05\"}}");
	free(s);
	/* ipam-routed hands none of them out again. */
	fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.99.0.0/16\",\"Address\":\"10.99.1.9\"}");
	fx_assert_err(fx, "in use by another container");

	/* Announced at Join with the endpoint's attributes. */
	assert_int_equal(fx_net(fx, "/NetworkDriver.Join", JOIN(EID)), 200);
	assert_non_null(fx_str(fx, "GatewayIPv6"));
	assert_int_equal(announce_count(&fx->ctx), 8);
	assert_non_null(r = announced(fx, "10.99.1.9/32"));
	assert_int_equal(r->tag, 5);
	assert_true(r->has_metric && r->metric == 9);
	assert_string_equal(r->ifname, HOSTIF);
	assert_non_null(r = announced(fx, "fd99::8/128"));
	assert_int_equal(r->tag, 5);
	assert_non_null(r = announced(fx, "10.99.0.100/32"));
	assert_int_equal(r->tag, 7);
	assert_non_null(r = announced(fx, "10.99.1.5/32"));
	assert_int_equal(r->tag, 5);

	/* A repeated call changes nothing; one with other options is refused. */
	before = world(fx);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    CREATE_EP(EID, "10.99.1.5/32", "fd99::5/128", OPTS_FULL)), 200);
	s = world(fx);
	assert_string_equal(before, s);
	free(s);
	fx_net(fx, "/NetworkDriver.CreateEndpoint", CREATE_EP(EID,
	    "10.99.1.5/32", "fd99::5/128", ",\"routed.ips\":\"10.99.1.8\""));
	fx_assert_err(fx, "exists with other addresses or options");
	s = world(fx);
	assert_string_equal(before, s);
	free(s);
	free(before);

	/* Gone with the endpoint: back in the pools, off the disk. */
	assert_int_equal(fx_net(fx, "/NetworkDriver.Leave", IDS(EID)), 200);
	assert_int_equal(announce_count(&fx->ctx), 0);
	assert_int_equal(fx_net(fx, "/NetworkDriver.DeleteEndpoint", IDS(EID)),
	    200);
	assert_null(stub_find(HOSTIF));
	assert_false(allocated(fx, "10.99.0.0/16", "10.99.1.8"));
	assert_false(allocated(fx, "10.99.0.0/16", "10.99.1.1"));
	assert_false(allocated(fx, "10.99.0.0/16", "10.99.0.100"));
	assert_false(allocated(fx, "fd99::/64", "fd99::8"));
	assert_true(allocated(fx, "10.99.0.0/16", "10.99.1.5"));  /* Docker's */
	s = fx_state(fx);
	assert_null(strstr(s, "10.99.1.8"));
	assert_null(strstr(s, "fd99::8"));
	assert_null(strstr(s, "10.99.0.100"));
	free(s);
}

static void
test_restart_keeps_them(void **state)
{
	struct fixture *fx = *state;
	char err[512], *before, *after;

	networks(fx);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    CREATE_EP(EID, "10.99.1.5/32", "fd99::5/128", OPTS_FULL)), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.Join", JOIN(EID)), 200);
	before = world(fx);
	fx_close_state(fx);
	assert_int_equal(fx_open_state(fx, err, sizeof(err)), 0);
	check_full(fx);
	after = world(fx);
	assert_string_equal(before, after);
	free(before);
	free(after);
	/* The chosen ones stay taken: ip-count picks the next free. */
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    CREATE_EP(EID2, "10.99.1.6/32", "", ",\"routed.ip-count\":\"1\"")),
	    200);
	assert_true(allocated(fx, "10.99.0.0/16", "10.99.1.2"));
}

/* An endpoint without options: no extra member, no settings, as before. */
static void
test_plain_endpoint(void **state)
{
	struct fixture *fx = *state;
	const struct endpoint *ep;
	char err[512];

	networks(fx);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    CREATE_EP(EID, "10.99.1.5/32", "", "")), 200);
	ep = model_ep_find(fx->ctx.model, EID);
	assert_int_equal(ep->naddr, 1);
	assert_int_equal(ep->addrs[0].kind, EP_ADDR_DOCKER);
	fx_close_state(fx);
	assert_int_equal(fx_open_state(fx, err, sizeof(err)), 0);
	assert_non_null(ep = model_ep_find(fx->ctx.model, EID));
	assert_int_equal(ep->naddr, 1);
	assert_false(ep->set.has_tag);
	assert_int_equal(ep->set.mtu, 0);
}

struct refusal {
	const char *opts;
	const char *err;
};

static const struct refusal refusals[] = {
	/* taken */
	{ ",\"routed.ips\":\"10.99.1.7\"", "address 10.99.1.7 is taken by "
	  "endpoint c11d823d5fe2" },
	{ ",\"routed.ips\":\"10.99.1.20,10.99.1.7\"", "address 10.99.1.7 is "
	  "taken by endpoint c11d823d5fe2" },
	{ ",\"routed.ips\":\"10.99.0.2\"", "auxiliary address" },
	{ ",\"routed.ips\":\"10.99.1.40\"", "allocated by ipam-routed for "
	  "another container" },
	{ ",\"routed.ips\":\"10.99.1.5\"", "given twice" },
	{ ",\"routed.ips\":\"10.99.1.21,10.99.1.21\"", "given twice" },
	{ ",\"routed.ips\":\"10.99.1.22\",\"routed.anycast\":\"10.99.1.22\"",
	  "given twice" },
	/* out of subnet */
	{ ",\"routed.ips\":\"10.98.0.8\"", "in the subnet of network 5330d3fcb3c2" },
	{ ",\"routed.anycast\":\"192.0.2.1\"", "outside the network's subnet "
	  "10.99.0.0/16" },
	{ ",\"routed.ips\":\"fd98::1\"", "outside the network's subnet fd99::/64" },
	{ ",\"routed.ips\":\"10.99.255.255\"", "broadcast address" },
	{ ",\"routed.ips\":\"10.99.0.0\"", "network address" },
	/* too many */
	{ ",\"routed.ip-count\":\"63\"", "too many addresses: 65 asked for" },
	{ ",\"routed.ip-count\":\"65\"", "from 0 to 64" },
	{ ",\"routed.ip-count\":\"60\",\"routed.ips\":\"10.99.1.50,10.99.1.51,"
	  "10.99.1.52,10.99.1.53\"", "too many addresses" },
	/* bad syntax */
	{ ",\"routed.ips\":\"10.99.1.300\"", "'10.99.1.300' is not an IPv4 or "
	  "IPv6 address" },
	{ ",\"routed.ips\":\"10.99.1.8/32\"", "is not an IPv4 or IPv6 address" },
	{ ",\"routed.ips\":\"\"", "routed.ips is empty" },
	{ ",\"routed.ips\":\"10.99.1.8,\"", "ends with a comma" },
	{ ",\"routed.ips\":\"10.99.1.8,,10.99.1.9\"", "not a list of addresses" },
	{ ",\"routed.ips\":\",10.99.1.8\"", "not a list of addresses" },
	{ ",\"routed.ips\":\"   \"", "routed.ips is empty" },
	{ ",\"routed.ips\":[\"10.99.1.8\"]", "routed.ips must be a string" },
	{ ",\"routed.ip-count\":\"-1\"", "from 0 to 64" },
	{ ",\"routed.mtu\":\"9x\"", "from 68 to 65535" },
	{ ",\"routed.mtu\":\"1000\"", "below 1280" },
	{ ",\"routed.tag\":\"4294967296\"", "from 0 to 4294967295" },
	{ ",\"routed.ipz\":\"10.99.1.8\"", "unknown endpoint option "
	  "'routed.ipz': net-routed knows routed.ips, routed.ip-count, "
	  "routed.anycast, routed.anycast-tag, routed.mtu, routed.tag, "
	  "routed.metric" },
};

static void
test_refusals_change_nothing(void **state)
{
	struct fixture *fx = *state;
	char body[2048], *before, *after;
	size_t i;

	networks(fx);
	/* another endpoint holds 10.99.1.7; 10.99.1.40 is allocated, unused */
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    CREATE_EP(EID2, "10.99.1.6/32", "", ",\"routed.ips\":\"10.99.1.7\"")),
	    200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.Join", JOIN(EID2)), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.99.0.0/16\",\"Address\":\"10.99.1.40\"}"), 200);
	before = world(fx);
	for (i = 0; i < sizeof(refusals) / sizeof(*refusals); i++) {
		snprintf(body, sizeof(body), "%s%s}}", CREATE_EP_HEAD(EID,
		    "10.99.1.5/32", "fd99::5/128"), refusals[i].opts);
		if (fx_net(fx, "/NetworkDriver.CreateEndpoint", body) == 200)
			fail_msg("refusal %zu (%s) was accepted", i,
			    refusals[i].opts);
		fx_assert_err(fx, refusals[i].err);
		after = world(fx);
		if (strcmp(before, after) != 0)
			fail_msg("refusal %zu (%s) changed the world:\n%s\n---\n%s",
			    i, refusals[i].opts, before, after);
		free(after);
	}
	free(before);
	/* The same endpoint without the bad option is fine afterwards. */
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    CREATE_EP(EID, "10.99.1.5/32", "fd99::5/128",
	    ",\"routed.ips\":\"10.99.1.20\"")), 200);
}

/* Addresses chosen by ip-count run out: nothing stays reserved. */
static void
test_pool_exhausted(void **state)
{
	struct fixture *fx = *state;
	char *before, *after;

	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    "{\"Pool\":\"10.99.0.0/29\"}"), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
	    "{\"NetworkID\":\"" NID "\",\"IPv4Data\":[{\"Pool\":"
	    "\"10.99.0.0/29\"}]}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.99.0.0/29\",\"Address\":\"10.99.0.1\"}"), 200);
	before = world(fx);
	fx_net(fx, "/NetworkDriver.CreateEndpoint", CREATE_EP(EID,
	    "10.99.0.1/32", "", ",\"routed.ip-count\":\"6\""));
	fx_assert_err(fx, "routed.ip-count=6: the pool has no free address left");
	after = world(fx);
	assert_string_equal(before, after);
	free(after);
	free(before);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    CREATE_EP(EID, "10.99.0.1/32", "", ",\"routed.ip-count\":\"5\"")),
	    200);
}

/* Without --extra-addresses the plugin cannot enter containers. */
static void
test_needs_flag(void **state)
{
	struct fixture *fx = *state;
	char *before, *after;

	networks(fx);
	fx->ctx.cfg.extra_addrs = false;
	before = world(fx);
	fx_net(fx, "/NetworkDriver.CreateEndpoint", CREATE_EP(EID,
	    "10.99.1.5/32", "", ",\"routed.ips\":\"10.99.1.8\""));
	fx_assert_err(fx, "need routed-plugin --extra-addresses");
	after = world(fx);
	assert_string_equal(before, after);
	free(after);
	free(before);
	/* the settings alone need no flag */
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    CREATE_EP(EID, "10.99.1.5/32", "", ",\"routed.tag\":\"3\"")), 200);
}

/* The engine's MAC (Docker 25+, --mac-address) wins and is not replied. */
static void
test_engine_mac(void **state)
{
	struct fixture *fx = *state;
	struct stub_link *l;
	char *s;

	networks(fx);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" EID "\",\"Interface\":"
	    "{\"Address\":\"10.99.1.5/32\",\"MacAddress\":\"02:42:aa:bb:cc:dd\"}}"),
	    200);
	s = cJSON_PrintUnformatted(fx->reply);
	assert_string_equal(s, "{}");
	free(s);
	assert_non_null(l = stub_find(HOSTIF));
	assert_memory_equal(l->mac, "\x02\x42\xaa\xbb\xcc\xdd", 6);
	fx_net(fx, "/NetworkDriver.CreateEndpoint", "{\"NetworkID\":\"" NID "\","
	    "\"EndpointID\":\"" EID2 "\",\"Interface\":{\"Address\":"
	    "\"10.99.1.6/32\",\"MacAddress\":\"02:42:aa:bb:cc\"}}");
	fx_assert_err(fx, "is not a MAC address");
}

/* docker network rm with a container left: its extra addresses go too. */
static void
test_network_deleted_with_endpoint(void **state)
{
	struct fixture *fx = *state;
	char err[512], *s;

	networks(fx);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    CREATE_EP(EID, "10.99.1.5/32", "fd99::5/128", OPTS_FULL)), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.Join", JOIN(EID)), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.ReleasePool",
	    "{\"PoolID\":\"10.99.0.0/16\"}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.ReleasePool",
	    "{\"PoolID\":\"fd99::/64\"}"), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.DeleteNetwork",
	    "{\"NetworkID\":\"" NID "\"}"), 200);
	assert_null(model_ep_find(fx->ctx.model, EID));
	assert_null(model_pool_find(fx->ctx.model, "10.99.0.0/16"));
	assert_int_equal(announce_count(&fx->ctx), 0);
	assert_null(stub_find(HOSTIF));
	fx_close_state(fx);
	assert_int_equal(fx_open_state(fx, err, sizeof(err)), 0);
	assert_int_equal(model_ep_count(fx->ctx.model), 0);
	s = fx_state(fx);
	assert_null(strstr(s, "10.99."));
	assert_null(strstr(s, "fd99:"));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_extra_addresses, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_restart_keeps_them, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_plain_endpoint, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_refusals_change_nothing,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_pool_exhausted, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_needs_flag, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_engine_mac, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_network_deleted_with_endpoint,
		    fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
