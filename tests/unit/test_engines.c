/* SPDX-License-Identifier: MIT */
/*
 * test_engines.c: the request sequences newer Docker engines send, replayed
 * against both drivers (no engine newer than 20.10 installs on Debian 12).
 * Built from moby's source at the tags named below, as summarised in
 * ../shared/docs/docker-plugin-api.md section 9.1:
 *   - v25.0: one container created on several networks at once (API 1.44):
 *     CreateEndpoint for each, then Join for each, one SandboxKey; a
 *     per-endpoint MAC as Interface.MacAddress and
 *     com.docker.network.endpoint.macaddress (daemon/network.go
 *     buildCreateEndpointOptions, libnetwork/sandbox.go).
 *   - v27.0: GetDefaultAddressSpaces before every RequestPool, pools parsed
 *     by netip.ParsePrefix (libnetwork/ipams/remote/remote.go); the endpoint
 *     option com.docker.network.endpoint.sysctls.
 *   - v28.0: GetCapabilities' GwAllocChecker and GwAllocCheck before IPAM
 *     (libnetwork/drivers/remote/driver.go GetSkipGwAlloc, api/api.go
 *     GwAllocCheckerRequest/Response); com.docker.network.enable_ipv4 in
 *     CreateNetwork; IPv6-only networks (IPv4Data [], Interface.Address "");
 *     ProgramExternalConnectivity on an endpoint that is already joined when
 *     another network is connected (driver.go ProgramExternalConnectivity).
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
#include "announce.h"
#include "model.h"

#define NA "aa00000000000000000000000000000000000000000000000000000000000001"
#define NB "bb00000000000000000000000000000000000000000000000000000000000002"
#define N6 "cc00000000000000000000000000000000000000000000000000000000000003"
#define E1 "e100000000000000000000000000000000000000000000000000000000000001"
#define E2 "e200000000000000000000000000000000000000000000000000000000000002"
#define E3 "e300000000000000000000000000000000000000000000000000000000000003"
#define SB "/var/run/docker/netns/4b1f0c2a9d7e"

static const char *
route_dst(struct fixture *fx, int i)
{
	cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(fx->reply,
	    "StaticRoutes"), i);
	cJSON *d = cJSON_GetObjectItemCaseSensitive(r, "Destination");

	return cJSON_IsString(d) ? d->valuestring : NULL;
}

/* A routed network on an ipam-routed pool, as 20.10 to 28 create one. */
static void
network(struct fixture *fx, const char *id, const char *pool)
{
	char body[1024];

	assert_int_equal(fx_ipam(fx, "/IpamDriver.GetDefaultAddressSpaces",
	    "{}"), 200);
	snprintf(body, sizeof(body), "{\"AddressSpace\":\"RoutedLocal\",\"Pool\":"
	    "\"%s\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}", pool);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool", body), 200);
	snprintf(body, sizeof(body), "{\"NetworkID\":\"%s\",\"Options\":{"
	    "\"com.docker.network.enable_ipv4\":true,\"com.docker.network."
	    "enable_ipv6\":false,\"com.docker.network.generic\":{}},\"IPv4Data\":"
	    "[{\"AddressSpace\":\"RoutedLocal\",\"Gateway\":\"\",\"Pool\":\"%s\"}],"
	    "\"IPv6Data\":[]}", id, pool);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork", body), 200);
}

static void
endpoint(struct fixture *fx, const char *net, const char *ep, const char *addr,
    const char *mac)
{
	char body[1024];

	snprintf(body, sizeof(body), "{\"NetworkID\":\"%s\",\"EndpointID\":\"%s\","
	    "\"Interface\":{\"Address\":\"%s\",\"AddressIPv6\":\"\","
	    "\"MacAddress\":\"%s\"},\"Options\":{\"com.docker.network.endpoint."
	    "exposedports\":[],\"com.docker.network.portmap\":[],"
	    "\"com.docker.network.endpoint.macaddress\":\"%s\","
	    "\"com.docker.network.endpoint.sysctls\":\"net.ipv4.conf.IFNAME."
	    "log_martians=1\"}}", net, ep, addr, mac, mac);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint", body), 200);
}

static int
join(struct fixture *fx, const char *net, const char *ep)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"NetworkID\":\"%s\",\"EndpointID\":\"%s\","
	    "\"SandboxKey\":\"" SB "\",\"Options\":{}}", net, ep);
	return fx_net(fx, "/NetworkDriver.Join", body);
}

static int
call_ids(struct fixture *fx, const char *path, const char *net, const char *ep)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"NetworkID\":\"%s\",\"EndpointID\":\"%s\","
	    "\"Options\":{}}", net, ep);
	return fx_net(fx, path, body);
}

/*
 * Docker 25: docker run --network a --network b; and (any engine) docker
 * network connect b on a running container.  Each Join holds the gateway
 * on-link with a prefix of its own, so Docker's static routes never clash
 * ("file exists"), and after a disconnect a new connect reuses the slot.
 */
static void
test_v25_two_networks_at_once(void **state)
{
	struct fixture *fx = *state;

	network(fx, NA, "10.46.0.0/16");
	network(fx, NB, "10.47.0.0/16");
	endpoint(fx, NA, E1, "10.46.0.5/32", "02:42:0a:2e:00:05");
	endpoint(fx, NB, E2, "10.47.0.5/32", "02:42:0a:2f:00:05");
	assert_int_equal(join(fx, NA, E1), 200);
	assert_string_equal(fx_str(fx, "Gateway"), "169.254.1.1");
	assert_string_equal(route_dst(fx, 0), "169.254.1.1/32");
	assert_int_equal(join(fx, NB, E2), 200);
	assert_string_equal(fx_str(fx, "Gateway"), "169.254.1.1");
	assert_string_equal(route_dst(fx, 0), "169.254.1.0/31");
	assert_string_equal(route_dst(fx, 1), "10.47.0.0/16");	/* on-link */
	/* Join repeated: the same answer */
	assert_int_equal(join(fx, NB, E2), 200);
	assert_string_equal(route_dst(fx, 0), "169.254.1.0/31");
	assert_int_equal(call_ids(fx, "/NetworkDriver.ProgramExternalConnectivity",
	    NA, E1), 200);
	/*
	 * disconnect a: b keeps its own prefix; connect a again: a shorter
	 * prefix than b's, never a longer one (Docker finds the interface of
	 * the default route by the gateway's longest prefix)
	 */
	assert_int_equal(call_ids(fx, "/NetworkDriver.RevokeExternalConnectivity",
	    NA, E1), 200);
	assert_int_equal(call_ids(fx, "/NetworkDriver.Leave", NA, E1), 200);
	assert_int_equal(call_ids(fx, "/NetworkDriver.DeleteEndpoint", NA, E1), 200);
	endpoint(fx, NA, E3, "10.46.0.6/32", "");
	assert_int_equal(join(fx, NA, E3), 200);
	assert_string_equal(route_dst(fx, 0), "169.254.1.0/30");
	/* both networks' routes announced, each by its endpoint */
	assert_int_equal(announce_count(&fx->ctx), 2);
	/* the slots survive a restart */
	{
		char err[512];

		fx_close_state(fx);
		assert_int_equal(fx_open_state(fx, err, sizeof(err)), 0);
		assert_int_equal(model_ep_find(fx->ctx.model, E2)->gw_slot, 1);
		assert_int_equal(join(fx, NB, E2), 200);
		assert_string_equal(route_dst(fx, 0), "169.254.1.0/31");
	}
}

/* Docker 27: the RequestPool loop stops at once; pools come back canonical. */
static void
test_v27_request_pool(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(fx_ipam(fx, "/IpamDriver.GetDefaultAddressSpaces",
	    "{}"), 200);
	assert_string_equal(fx_str(fx, "GlobalDefaultAddressSpace"),
	    "RoutedGlobal");
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    "{\"AddressSpace\":\"RoutedLocal\",\"Pool\":\"FD46:0:0::/64\","
	    "\"SubPool\":\"\",\"Options\":{},\"V6\":true}"), 200);
	/* Pool != "": the loop of ipams/remote/remote.go stops here */
	assert_string_equal(fx_str(fx, "Pool"), "fd46::/64");
	assert_string_equal(fx_str(fx, "PoolID"), "fd46::/64");
	/* no default pool: an error, which ends the loop too */
	assert_int_equal(fx_ipam(fx, "/IpamDriver.GetDefaultAddressSpaces",
	    "{}"), 200);
	fx_ipam(fx, "/IpamDriver.RequestPool", "{\"AddressSpace\":\"RoutedLocal\","
	    "\"Pool\":\"\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}");
	fx_assert_err(fx, "no default pool");
}

/* Docker 28: GwAllocCheck, and an IPv6-only network end to end. */
static void
test_v28_ipv6_only(void **state)
{
	struct fixture *fx = *state;
	cJSON *caps;

	assert_int_equal(fx_net(fx, "/NetworkDriver.GetCapabilities", NULL), 200);
	caps = cJSON_GetObjectItemCaseSensitive(fx->reply, "GwAllocChecker");
	assert_true(cJSON_IsTrue(caps));
	assert_int_equal(fx_net(fx, "/NetworkDriver.GwAllocCheck",
	    "{\"Options\":{\"com.docker.network.enable_ipv4\":false,\"com.docker."
	    "network.enable_ipv6\":true,\"com.docker.network.generic\":{}}}"), 200);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fx->reply,
	    "SkipIPv4")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fx->reply,
	    "SkipIPv6")));
	/* no IPv4 RequestPool, no gateway RequestAddress (skipped) */
	assert_int_equal(fx_ipam(fx, "/IpamDriver.GetDefaultAddressSpaces",
	    "{}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    "{\"AddressSpace\":\"RoutedLocal\",\"Pool\":\"fd47::/64\",\"SubPool\":"
	    "\"\",\"Options\":{},\"V6\":true}"), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
	    "{\"NetworkID\":\"" N6 "\",\"Options\":{\"com.docker.network."
	    "enable_ipv4\":false,\"com.docker.network.enable_ipv6\":true,"
	    "\"com.docker.network.generic\":{}},\"IPv4Data\":[],\"IPv6Data\":"
	    "[{\"AddressSpace\":\"RoutedLocal\",\"Gateway\":\"\",\"Pool\":"
	    "\"fd47::/64\"}]}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"fd47::/64\",\"Address\":\"\",\"Options\":null}"), 200);
	assert_string_equal(fx_str(fx, "Address"), "fd47::1/128");
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    "{\"NetworkID\":\"" N6 "\",\"EndpointID\":\"" E1 "\",\"Interface\":"
	    "{\"Address\":\"\",\"AddressIPv6\":\"fd47::1/128\",\"MacAddress\":"
	    "\"\"},\"Options\":{}}"), 200);
	assert_true(stub_find("rte10000000000")->gw6);
	assert_int_equal(stub_find("rte10000000000")->routes, 1);
	assert_int_equal(join(fx, N6, E1), 200);
	assert_null(fx_str(fx, "Gateway"));
	assert_null(cJSON_GetObjectItemCaseSensitive(fx->reply, "StaticRoutes"));
	assert_string_equal(fx_str(fx, "GatewayIPv6"), "fe80::1");
	assert_int_equal(announce_count(&fx->ctx), 1);
	/* Program twice (another network connected), Revoke: harmless */
	assert_int_equal(call_ids(fx, "/NetworkDriver.ProgramExternalConnectivity",
	    N6, E1), 200);
	assert_int_equal(call_ids(fx, "/NetworkDriver.ProgramExternalConnectivity",
	    N6, E1), 200);
	assert_int_equal(call_ids(fx, "/NetworkDriver.RevokeExternalConnectivity",
	    N6, E1), 200);
	assert_int_equal(announce_count(&fx->ctx), 1);
	/* an IPv4 address on an IPv6-only network is refused */
	fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    "{\"NetworkID\":\"" N6 "\",\"EndpointID\":\"" E2 "\",\"Interface\":"
	    "{\"Address\":\"10.0.0.1/32\",\"AddressIPv6\":\"\"}}");
	fx_assert_err(fx, "no IPv4 subnet");
	/* teardown in 28's order */
	assert_int_equal(call_ids(fx, "/NetworkDriver.Leave", N6, E1), 200);
	assert_int_equal(call_ids(fx, "/NetworkDriver.DeleteEndpoint", N6, E1),
	    200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.ReleaseAddress",
	    "{\"PoolID\":\"fd47::/64\",\"Address\":\"fd47::1\"}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.ReleasePool",
	    "{\"PoolID\":\"fd47::/64\"}"), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.DeleteNetwork",
	    "{\"NetworkID\":\"" N6 "\"}"), 200);
	assert_int_equal(announce_count(&fx->ctx), 0);
	assert_null(stub_find("rte10000000000"));
	assert_int_equal(model_net_count(fx->ctx.model), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v25_two_networks_at_once,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_v27_request_pool, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_v28_ipv6_only, fx_setup,
		    fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
