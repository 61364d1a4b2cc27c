/* SPDX-License-Identifier: MIT */
/*
 * test_api.c: request framing and replies common to every handler.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "ipam.h"
#include "netdrv.h"

#define NID "4330d3fcb3c2c14b1b2a0fbbdcc92a7763e8c5f0a8bb6e51f9a1e3e3c2f0aa01"
#define EID "b60d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb02"
#define POOL "\"IPv4Data\":[{\"AddressSpace\":\"RoutedLocal\",\"Gateway\":" \
	"\"169.254.1.1/32\",\"Pool\":\"10.99.0.0/16\"}],\"IPv6Data\":[]"
/* extra: more members (fields the driver does not read), with a comma */
#define CREATE_NET(nid, extra) \
	"{\"NetworkID\":\"" nid "\"," extra POOL "}"
#define CREATE_EP(eid) \
	"{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" eid "\",\"Interface\":" \
	"{\"Address\":\"10.99.0.5/32\",\"AddressIPv6\":\"\",\"MacAddress\":\"\"}}"

static void
test_unknown_path_is_404(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(fx_net(fx, "/NetworkDriver.Nope", ""), 404);
	assert_string_equal(fx_str(fx, "Err"), "unknown method /NetworkDriver.Nope");
	/* Each socket serves its own interface only. */
	assert_int_equal(fx_ipam(fx, "/NetworkDriver.Join", ""), 404);
	assert_int_equal(fx_net(fx, "/IpamDriver.RequestPool", ""), 404);
	assert_int_equal(fx_net(fx, "", ""), 404);
}

static void
test_empty_bodies(void **state)
{
	struct fixture *fx = *state;

	/* Docker sends Content-Length: 0 for these; blanks are as good. */
	assert_int_equal(fx_net(fx, "/NetworkDriver.GetCapabilities", NULL), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.GetCapabilities", " \r\n\t"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.GetDefaultAddressSpaces", "\n"), 200);
	/*
	 * A call that needs fields, with an empty body: what Docker 20.10
	 * resends after it could not reach a restarting plugin (seen in
	 * acceptance/zmq_ospf.sh).  The error says so; "{}" does not.
	 */
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress", ""), 500);
	assert_string_equal(fx_str(fx, "Err"), "missing field PoolID (the "
	    "request body was empty: Docker resends a call with an empty body "
	    "when the plugin was restarting; try again)");
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress", "{}"), 500);
	assert_string_equal(fx_str(fx, "Err"), "missing field PoolID");
}

static void
test_malformed_bodies(void **state)
{
	static const char *bad_json[] = {
		"{", "{\"NetworkID\":}", "nul", "{\"a\":1}}", "\xff\xfe",
	};
	static const char *not_object[] = { "[]", "\"x\"", "5", "null", "true" };
	struct fixture *fx = *state;
	size_t i;

	for (i = 0; i < sizeof(bad_json) / sizeof(*bad_json); i++) {
		assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
		    bad_json[i]), 500);
		assert_string_equal(fx_str(fx, "Err"),
		    "request body is not valid JSON");
	}
	for (i = 0; i < sizeof(not_object) / sizeof(*not_object); i++) {
		assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
		    not_object[i]), 500);
		assert_string_equal(fx_str(fx, "Err"),
		    "request body is not a JSON object");
	}
	/* Missing and mistyped fields name the field. */
	assert_int_equal(fx_net(fx, "/NetworkDriver.Join", "{}"), 500);
	assert_string_equal(fx_str(fx, "Err"), "missing field NetworkID");
	assert_int_equal(fx_net(fx, "/NetworkDriver.Join",
	    "{\"NetworkID\":\"n\",\"EndpointID\":[1]}"), 500);
	assert_string_equal(fx_str(fx, "Err"), "field EndpointID must be a string");
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"p\",\"Options\":\"x\"}"), 500);
	assert_string_equal(fx_str(fx, "Err"), "field Options must be an object");
}

static void
test_nulls_and_unknown_fields(void **state)
{
	struct fixture *fx = *state;

	/* null where an object may be, and fields we do not know: ignored. */
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestPool",
	    "{\"AddressSpace\":null,\"Pool\":\"10.46.0.0/16\",\"SubPool\":null,"
	    "\"Options\":null,\"V6\":null,\"Future\":{\"x\":[1,2]}}"), 200);
	assert_int_equal(fx_ipam(fx, "/IpamDriver.RequestAddress",
	    "{\"PoolID\":\"10.46.0.0/16\",\"Address\":null,\"Options\":null}"), 200);
}

static void
test_oversized_and_long_fields(void **state)
{
	struct fixture *fx = *state;
	size_t n = 1024 * 1024 + 16;
	char *big = malloc(n + 1), id[300];

	assert_non_null(big);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	big[n] = '\0';
	assert_int_equal(fx_net(fx, "/NetworkDriver.GetCapabilities", big), 500);
	assert_non_null(strstr(fx_str(fx, "Err"), "request body over"));
	free(big);

	memset(id, 'a', sizeof(id));
	memcpy(id, "{\"NetworkID\":\"", 14);
	memcpy(id + sizeof(id) - 3, "\"}", 3);
	assert_int_equal(fx_net(fx, "/NetworkDriver.DeleteNetwork", id), 500);
	assert_non_null(strstr(fx_str(fx, "Err"), "1 to 128 characters"));
}

/* A network NID; returns the state with it (the caller frees). */
static char *
with_network(struct fixture *fx)
{
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork",
	    CREATE_NET(NID, "")), 200);
	return fx_state(fx);
}

/* In place of network NID (its pool), body creates a network. */
static void
assert_accepted_instead(struct fixture *fx, const char *body)
{
	assert_int_equal(fx_net(fx, "/NetworkDriver.DeleteNetwork",
	    "{\"NetworkID\":\"" NID "\"}"), 200);
	assert_int_equal(fx_net(fx, "/NetworkDriver.CreateNetwork", body), 200);
}

/* The call is refused with needle in its Err, and the state is as before. */
static void
assert_refused_unchanged(struct fixture *fx, int status, const char *needle,
    const char *before)
{
	char *after;

	assert_int_equal(status, 500);
	fx_assert_err(fx, needle);
	assert_int_equal(stub_nlinks, 0);
	after = fx_state(fx);
	assert_string_equal(after, before);
	free(after);
}

/*
 * A NUL, escaped or raw, anywhere in a body: cJSON would end the string
 * there, so an EndpointID "<64 hex>\u0000/../../etc" would create endpoint
 * "<64 hex>".  Refused before anything is parsed.
 */
static void
test_nul_refused(void **state)
{
	static const char raw[] = "{\"NetworkID\":\"ab\0cd\"," POOL "}";
	struct fixture *fx = *state;
	char *before, *out = NULL;
	int st;

	before = with_network(fx);
	assert_refused_unchanged(fx, fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    CREATE_EP(EID "\\u0000/../../etc")), "NUL character", before);
	assert_refused_unchanged(fx, fx_net(fx, "/NetworkDriver.CreateNetwork",
	    CREATE_NET("ab\\u0000cd", "")), "NUL character", before);
	/* In a key, and in an option nobody reads. */
	assert_refused_unchanged(fx, fx_net(fx, "/NetworkDriver.CreateNetwork",
	    CREATE_NET("cd", "\"a\\u0000\":1,")), "NUL character", before);
	assert_refused_unchanged(fx, fx_net(fx, "/NetworkDriver.CreateNetwork",
	    CREATE_NET("cd", "\"a\":\"\\\\\\u0000\",")), "NUL character",
	    before);
	/* A raw NUL byte (only api_dispatch's length can carry it). */
	st = api_dispatch(&fx->ctx, netdrv_routes, netdrv_nroutes,
	    "/NetworkDriver.CreateNetwork", raw, sizeof(raw) - 1, &out);
	assert_int_equal(st, 500);
	assert_non_null(out);
	assert_non_null(strstr(out, "NUL character"));
	free(out);
	/* An escaped backslash before u0000 is text, not a NUL. */
	assert_accepted_instead(fx, CREATE_NET("cd", "\"a\":\"x\\\\u0000\","));
	free(before);
}

/*
 * A key twice in one object, at any depth: cJSON takes the first, Go's
 * decoder (Docker's) the last; refused rather than guessed.
 */
static void
test_duplicate_keys_refused(void **state)
{
	struct fixture *fx = *state;
	char *before, *big;
	size_t i, n = 0;

	before = with_network(fx);
	assert_refused_unchanged(fx, fx_net(fx, "/NetworkDriver.CreateEndpoint",
	    "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" EID "\","
	    "\"EndpointID\":\"x\",\"Interface\":{\"Address\":\"10.99.0.5/32\"}}"),
	    "the key \"EndpointID\" twice", before);
	/* Deep inside an array inside an object. */
	assert_refused_unchanged(fx, fx_net(fx, "/NetworkDriver.CreateNetwork",
	    "{\"NetworkID\":\"cd\",\"IPv4Data\":[{\"Pool\":\"10.98.0.0/16\","
	    "\"Gateway\":\"169.254.1.1/32\",\"Pool\":\"10.97.0.0/16\"}]}"),
	    "the key \"Pool\" twice", before);
	assert_refused_unchanged(fx, fx_net(fx, "/NetworkDriver.CreateNetwork",
	    CREATE_NET("cd", "\"o\":[[{\"k\":1,\"j\":{},\"k\":2}]],")),
	    "the key \"k\" twice", before);
	/* Many keys, the duplicate last: found, and quickly. */
	assert_non_null(big = malloc(1 << 20));
	n += (size_t)sprintf(big, "{\"NetworkID\":\"cd\"," POOL);
	for (i = 0; i < 30000; i++)
		n += (size_t)sprintf(big + n, ",\"k%zu\":1", i);
	sprintf(big + n, ",\"k7\":2}");
	assert_refused_unchanged(fx, fx_net(fx, "/NetworkDriver.CreateNetwork",
	    big), "the key \"k7\" twice", before);
	free(big);
	/* The same key in different objects is fine. */
	assert_accepted_instead(fx, CREATE_NET("cd", "\"Pool\":{\"Pool\":1},"));
	free(before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unknown_path_is_404, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_empty_bodies, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_bodies, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_nulls_and_unknown_fields, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_oversized_and_long_fields, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_nul_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_keys_refused, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
