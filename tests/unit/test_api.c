/*
 * test_api.c: request framing and replies common to every handler.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "ipam.h"
#include "netdrv.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unknown_path_is_404, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_empty_bodies, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_bodies, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_nulls_and_unknown_fields, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_oversized_and_long_fields, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
