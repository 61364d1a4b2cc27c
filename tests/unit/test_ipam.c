/* SPDX-License-Identifier: MIT */
/*
 * test_ipam.c: the IPAM driver, fed with the request bodies Docker 20.10
 * sends (recorded in shared/docs/docker-plugin-api.md section 8).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#define POOL_REQ(pool, sub, v6) \
	"{\"AddressSpace\":\"RoutedLocal\",\"Pool\":\"" pool "\",\"SubPool\":\"" \
	sub "\",\"Options\":{},\"V6\":" v6 "}\n"

static void
test_handshake(void **state)
{
	struct fixture *fx = *state;
	char *s;

	assert_int_equal(fx_ipam(fx, "/Plugin.Activate", ""), 200);
	s = cJSON_PrintUnformatted(fx->reply);
	assert_string_equal(s, "{\"Implements\":[\"IpamDriver\"]}");
	free(s);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.GetCapabilities", ""), 200);
	s = cJSON_PrintUnformatted(fx->reply);
	assert_string_equal(s, "{\"RequiresMACAddress\":false,"
	    "\"RequiresRequestReplay\":false}");
	free(s);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.GetDefaultAddressSpaces", ""),
	    200);
	assert_string_equal(fx_str(fx, "LocalDefaultAddressSpace"), "RoutedLocal");
}

static void
test_pool_without_subnet_fails_every_time(void **state)
{
	struct fixture *fx = *state;
	int i;

	/* The engine would call RequestPool forever if an answer came back. */
	for (i = 0; i < 3; i++) {
		fx_ipam(fx, "/IpamDriver.RequestPool", POOL_REQ("", "", "false"));
		fx_assert_err(fx, "--subnet");
	}
	fx_ipam(fx, "/IpamDriver.RequestPool", POOL_REQ("", "", "true"));
	fx_assert_err(fx, "IPv6 subnet");
	fx_ipam(fx, "/IpamDriver.RequestPool", POOL_REQ("", "10.1.0.0/24", "false"));
	fx_assert_err(fx, "needs a --subnet");
}

static void
test_recorded_network_create(void **state)
{
	struct fixture *fx = *state;
	char *st;

	/* docker network create --subnet 10.99.0.0/16 --ip-range 10.99.1.0/24
	 * --aux-address r1=10.99.0.2 --ipam-opt io1=v1 */
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    "{\"AddressSpace\":\"RoutedLocal\",\"Pool\":\"10.99.0.0/16\","
	    "\"SubPool\":\"10.99.1.0/24\",\"Options\":{\"io1\":\"v1\"},"
	    "\"V6\":false}\n"), 200);
	assert_string_equal(fx_str(fx, "PoolID"), "10.99.0.0/16");
	assert_string_equal(fx_str(fx, "Pool"), "10.99.0.0/16");

	/* The gateway request gets the plugin's gateway, not a pool address. */
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.99.0.0/16\",\"Address\":\"\",\"Options\":"
	    "{\"RequestAddressType\":\"com.docker.network.gateway\"}}\n"), 200);
	assert_string_equal(fx_str(fx, "Address"), "169.254.1.1/32");
	/* --gateway 10.99.0.1 is refused with the reason. */
	fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.99.0.0/16\",\"Address\":\"10.99.0.1\",\"Options\":"
	    "{\"RequestAddressType\":\"com.docker.network.gateway\"}}\n");
	fx_assert_err(fx, "--gateway 10.99.0.1 is not supported");

	/* The aux address lies outside --ip-range and must still be granted. */
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.99.0.0/16\",\"Address\":\"10.99.0.2\","
	    "\"Options\":null}\n"), 200);
	assert_string_equal(fx_str(fx, "Address"), "10.99.0.2/32");

	/* Automatic addresses come from the range, as /32. */
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.99.0.0/16\",\"Address\":\"\",\"Options\":null}\n"),
	    200);
	assert_string_equal(fx_str(fx, "Address"), "10.99.1.0/32");
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.99.0.0/16\",\"Address\":\"10.99.1.50\","
	    "\"Options\":null}\n"), 200);
	assert_string_equal(fx_str(fx, "Address"), "10.99.1.50/32");

	st = fx_state(fx);
	assert_non_null(strstr(st, "\"10.99.0.0/16\""));
	assert_non_null(strstr(st, " 10.99.1.50\""));
	free(st);

	/* docker network rm: gateway, aux, pool. */
	assert_int_equal(fx_ipam(fx, "/IpamDriver.ReleaseAddress",
	    "{\"PoolID\":\"10.99.0.0/16\",\"Address\":\"169.254.1.1\"}\n"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.ReleaseAddress",
	    "{\"PoolID\":\"10.99.0.0/16\",\"Address\":\"10.99.0.2\"}\n"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.ReleasePool",
	    "{\"PoolID\":\"10.99.0.0/16\"}\n"), 200);
	st = fx_state(fx);
	assert_null(strstr(st, "10.99."));
	free(st);
}

static void
test_pool_refusals(void **state)
{
	static const struct {
		const char *body;
		const char *needle;
	} cases[] = {
		{ POOL_REQ("10.46.1.0/16", "", "false"), "did you mean 10.46.0.0/16" },
		{ POOL_REQ("10.46.0.0/33", "", "false"), "is not a prefix" },
		{ POOL_REQ("10.46.0.0", "", "false"), "is not a prefix" },
		{ POOL_REQ("banana", "", "false"), "is not a prefix" },
		{ POOL_REQ("0.0.0.0/0", "", "false"), "whole address family" },
		{ POOL_REQ("127.0.0.0/8", "", "false"), "loopback" },
		{ POOL_REQ("169.254.0.0/16", "", "false"), "link-local" },
		{ POOL_REQ("fd00::/64", "", "false"), "not an IPv4 prefix" },
		{ POOL_REQ("10.46.0.0/16", "", "true"), "not an IPv6 prefix" },
		{ POOL_REQ("10.46.0.0/16", "10.47.0.0/24", "false"), "not inside" },
		{ POOL_REQ("10.46.0.0/16", "fd00::/64", "false"), "family" },
		{ POOL_REQ("fe80::/64", "", "true"), "link-local" },
		{ "{\"Pool\":5}", "Pool must be a string" },
		{ "{\"Pool\":\"10.46.0.0/16\",\"V6\":\"no\"}", "V6 must be a boolean" },
	};
	struct fixture *fx = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fx_ipam(fx, "/IpamDriver.RequestPool", cases[i].body);
		fx_assert_err(fx, cases[i].needle);
	}
	/* Nothing was created by any of them. */
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    POOL_REQ("10.46.0.0/16", "", "false")), 200);
}

static void
test_overlap_refused(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    POOL_REQ("10.46.0.0/16", "", "false")), 200);
	fx_ipam(fx, "/IpamDriver.RequestPool", POOL_REQ("10.46.5.0/24", "", "false"));
	fx_assert_err(fx, "overlaps pool 10.46.0.0/16");
	fx_ipam(fx, "/IpamDriver.RequestPool", POOL_REQ("10.0.0.0/8", "", "false"));
	fx_assert_err(fx, "overlaps");
	/*
	 * The same pool again while no network holds it: a retry after a reply
	 * that was lost (issue 18), answered with the same PoolID.
	 */
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    POOL_REQ("10.46.0.0/16", "", "false")), 200);
	assert_string_equal(fx_str(fx, "PoolID"), "10.46.0.0/16");
	/* With another range it is another pool: refused. */
	fx_ipam(fx, "/IpamDriver.RequestPool",
	    POOL_REQ("10.46.0.0/16", "10.46.1.0/24", "false"));
	fx_assert_err(fx, "overlaps");
	/*
	 * Once a network holds it, refused; ReleasePool (which docker network
	 * rm sends before DeleteNetwork) leaves it to go with the network.
	 */
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
	    "{\"NetworkID\":\"n1\",\"IPv4Data\":[{\"Pool\":"
	    "\"10.46.0.0/16\"}]}"), 200);
	fx_ipam(fx, "/IpamDriver.RequestPool", POOL_REQ("10.46.0.0/16", "", "false"));
	fx_assert_err(fx, "overlaps pool 10.46.0.0/16 of another network");
	assert_int_equal(fx_ipam(fx, "/IpamDriver.ReleasePool",
	    "{\"PoolID\":\"10.46.0.0/16\"}"), 200);
	fx_ipam(fx, "/IpamDriver.RequestPool", POOL_REQ("10.46.0.0/16", "", "false"));
	fx_assert_err(fx, "overlaps");
	assert_int_equal(fx_net(fx, "/NetworkDriver.DeleteNetwork",
	    "{\"NetworkID\":\"n1\"}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    POOL_REQ("10.46.0.0/16", "10.46.1.0/24", "false")), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    POOL_REQ("10.47.0.0/16", "", "false")), 200);
}

static void
test_explicit_addresses(void **state)
{
	struct fixture *fx = *state;

	fx_ipam(fx, "/IpamDriver.RequestPool", POOL_REQ("10.46.0.0/16", "", "false"));
	fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.99.0.5\"}");
	fx_assert_err(fx, "10.99.0.5 is not in pool 10.46.0.0/16");
	fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.0.0\"}");
	fx_assert_err(fx, "network address");
	fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.255.255\"}");
	fx_assert_err(fx, "broadcast address");
	fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"fd00::1\"}");
	fx_assert_err(fx, "not of the family");
	fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.300.1\"}");
	fx_assert_err(fx, "not an IP address");
	fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"nope\",\"Address\":\"\"}");
	fx_assert_err(fx, "unknown pool");

	/* A retry after a rollback gets the same address again... */
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.1.7\"}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.1.7\"}"), 200);
	assert_string_equal(fx_str(fx, "Address"), "10.46.1.7/32");
	/* ...and an automatic request never hands it out. */
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"\"}"), 200);
	assert_string_equal(fx_str(fx, "Address"), "10.46.0.1/32");
}

static void
test_duplicate_when_endpoint_holds_it(void **state)
{
	struct fixture *fx = *state;

	fx_ipam(fx, "/IpamDriver.RequestPool", POOL_REQ("10.46.0.0/16", "", "false"));
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
	    "{\"NetworkID\":\"n1\",\"Options\":{},\"IPv4Data\":[{\"Pool\":"
	    "\"10.46.0.0/16\",\"Gateway\":\"169.254.1.1/32\"}],\"IPv6Data\":[]}"),
	    200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.1.7\"}"), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    "{\"NetworkID\":\"n1\",\"EndpointID\":\"aaaaaaaaaaaa01\",\"Interface\":"
	    "{\"Address\":\"10.46.1.7/32\",\"AddressIPv6\":\"\",\"MacAddress\":\"\"}}"),
	    200);
	fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.1.7\"}");
	fx_assert_err(fx, "address 10.46.1.7 is already in use");
	/* A rollback release while the endpoint exists keeps the address. */
	assert_int_equal(fx_ipam(fx, "/IpamDriver.ReleaseAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.1.7\"}"), 200);
	fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.1.7\"}");
	fx_assert_err(fx, "already in use");
	/* After the endpoint is gone, release and re-request work. */
	assert_int_equal(fx_net(fx, "/NetworkDriver.DeleteEndpoint",
	    "{\"NetworkID\":\"n1\",\"EndpointID\":\"aaaaaaaaaaaa01\"}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.ReleaseAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.1.7\"}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.1.7\"}"), 200);
}

static void
test_aux_never_given_out(void **state)
{
	struct fixture *fx = *state;

	fx_ipam(fx, "/IpamDriver.RequestPool", POOL_REQ("10.46.0.0/30", "", "false"));
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/30\",\"Address\":\"10.46.0.1\"}"), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
	    "{\"NetworkID\":\"n1\",\"Options\":{},\"IPv4Data\":[{\"Pool\":"
	    "\"10.46.0.0/30\",\"AuxAddresses\":{\"r1\":\"10.46.0.1/32\"}}]}"), 200);
	fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/30\",\"Address\":\"10.46.0.1\"}");
	fx_assert_err(fx, "auxiliary");
	/* /30: .0 network, .1 aux, .2 the only one left, .3 broadcast. */
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/30\",\"Address\":\"\"}"), 200);
	assert_string_equal(fx_str(fx, "Address"), "10.46.0.2/32");
	fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/30\",\"Address\":\"\"}");
	fx_assert_err(fx, "no free address left");
}

static void
test_ipv6_pool(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    POOL_REQ("fd00:46::/64", "", "true")), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"fd00:46::/64\",\"Address\":\"\"}"), 200);
	assert_string_equal(fx_str(fx, "Address"), "fd00:46::1/128");
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"fd00:46::/64\",\"Address\":\"fd00:46::ffff:1\"}"), 200);
	assert_string_equal(fx_str(fx, "Address"), "fd00:46::ffff:1/128");
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"fd00:46::/64\",\"Address\":\"\",\"Options\":"
	    "{\"RequestAddressType\":\"com.docker.network.gateway\"}}"), 200);
	assert_string_equal(fx_str(fx, "Address"), "fe80::1/128");
}

static void
test_release_is_idempotent(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(fx_ipam(fx, "/IpamDriver.ReleasePool",
	    "{\"PoolID\":\"10.1.0.0/16\"}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.ReleaseAddress",
	    "{\"PoolID\":\"10.1.0.0/16\",\"Address\":\"10.1.0.5\"}"), 200);
	fx_ipam(fx, "/IpamDriver.RequestPool", POOL_REQ("10.46.0.0/16", "", "false"));
	assert_int_equal(fx_ipam(fx, "/IpamDriver.ReleaseAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.0.5\"}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.ReleaseAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"0.0.0.0\"}"), 200);
	fx_ipam(fx, "/IpamDriver.ReleaseAddress", "{\"PoolID\":\"10.46.0.0/16\"}");
	fx_assert_err(fx, "Address");
	assert_int_equal(fx_ipam(fx, "/IpamDriver.ReleasePool",
	    "{\"PoolID\":\"10.46.0.0/16\"}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.ReleasePool",
	    "{\"PoolID\":\"10.46.0.0/16\"}"), 200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_handshake, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_pool_without_subnet_fails_every_time, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_recorded_network_create, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_pool_refusals, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_overlap_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_explicit_addresses, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_when_endpoint_holds_it, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_aux_never_given_out, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_pool, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_release_is_idempotent, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
