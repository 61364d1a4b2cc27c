/*
 * test_gateway.c: the start-up set-up of the containers' gateway (forwarding,
 * the link and its route) against the plumb stub.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ctx.h"
#include "fixture.h"
#include "gateway.h"
#include "log.h"

static char logged[4096];

static void
capture(enum log_level lvl, const char *msg, void *arg)
{
	size_t n = strlen(logged);

	snprintf(logged + n, sizeof(logged) - n, "%s\n", msg);
}

static void
setup_ctx(struct rp_ctx *ctx, const char *dev, bool no_fwd)
{
	memset(ctx, 0, sizeof(*ctx));
	addr_parse(RP_DEFAULT_GW4, &ctx->cfg.gateway4);
	addr_parse(RP_DEFAULT_GW6, &ctx->cfg.gateway6);
	snprintf(ctx->cfg.gateway_dev, sizeof(ctx->cfg.gateway_dev), "%s", dev);
	ctx->cfg.no_ip_forward = no_fwd;
	stub_gw_reset();
	logged[0] = '\0';
	log_set_hook(capture, NULL);
}

/* Forwarding off, no link: forwarding on, link made, route through it. */
static void
test_fresh_host(void **state)
{
	struct rp_ctx ctx;
	struct ipaddr gw;

	setup_ctx(&ctx, RP_DEFAULT_GW_DEV, false);
	assert_int_equal(gateway_init(&ctx), 0);
	assert_int_equal(stub_gw.forward[0], 1);
	assert_int_equal(stub_gw.forward[1], 0);	/* IPv6: first endpoint */
	assert_int_equal(stub_gw.forward6_policy, 1);
	assert_string_equal(stub_gw.link, "routed-gw0");
	assert_string_equal(stub_gw.peer, "routed-gw0p");
	assert_string_equal(stub_gw.route_dev, "routed-gw0");
	addr_parse("169.254.1.1", &gw);
	assert_true(addr_eq(&stub_gw.route, &gw));
	assert_non_null(strstr(logged, "turned on IPv4 forwarding"));
	assert_non_null(strstr(logged, "link created"));
}

/* A restart: all there already; nothing is turned on again, all reused. */
static void
test_restart_reuses(void **state)
{
	struct rp_ctx ctx;

	setup_ctx(&ctx, RP_DEFAULT_GW_DEV, false);
	assert_int_equal(gateway_init(&ctx), 0);
	logged[0] = '\0';
	assert_int_equal(gateway_init(&ctx), 0);
	assert_int_equal(stub_gw.link_calls, 2);
	assert_string_equal(stub_gw.route_dev, "routed-gw0");
	assert_null(strstr(logged, "turned on"));
	assert_non_null(strstr(logged, "link reused"));
}

/* --no-ip-forward: forwarding stays off, and that is said loudly. */
static void
test_no_ip_forward(void **state)
{
	struct rp_ctx ctx;

	setup_ctx(&ctx, RP_DEFAULT_GW_DEV, true);
	assert_int_equal(gateway_init(&ctx), 0);
	assert_int_equal(stub_gw.forward[0], 0);
	assert_int_equal(stub_gw.forward6_policy, -1);
	assert_non_null(strstr(logged, "net.ipv4.ip_forward is 0"));
	/* the gateway's route does not depend on it */
	assert_string_equal(stub_gw.route_dev, "routed-gw0");

	/* already on: nothing to say */
	setup_ctx(&ctx, RP_DEFAULT_GW_DEV, true);
	stub_gw.forward[0] = 1;
	assert_int_equal(gateway_init(&ctx), 0);
	assert_null(strstr(logged, "ip_forward"));
}

/* --gateway-dev none: no link, no route. */
static void
test_dev_none(void **state)
{
	struct rp_ctx ctx;

	setup_ctx(&ctx, "none", false);
	assert_int_equal(gateway_init(&ctx), 0);
	assert_int_equal(stub_gw.link_calls, 0);
	assert_int_equal(stub_gw.route_calls, 0);
	assert_int_equal(stub_gw.forward[0], 1);
	assert_int_equal(gateway_link_gone(&ctx, NULL), 0);
	assert_int_equal(stub_gw.link_calls, 0);
}

/* The link cannot be made (a name taken): logged, no route, the daemon goes on. */
static void
test_link_fails(void **state)
{
	struct rp_ctx ctx;

	setup_ctx(&ctx, RP_DEFAULT_GW_DEV, false);
	stub_gw.fail_link = -EEXIST;
	assert_int_equal(gateway_init(&ctx), -EEXIST);
	assert_int_equal(stub_gw.route_calls, 0);
	assert_int_equal(stub_gw.forward[0], 1);
	assert_non_null(strstr(logged, "cannot route the gateway 169.254.1.1 "
	    "through routed-gw0"));

	setup_ctx(&ctx, RP_DEFAULT_GW_DEV, false);
	stub_gw.fail_forward = -EACCES;
	assert_int_equal(gateway_init(&ctx), -EACCES);
	assert_string_equal(stub_gw.route_dev, "routed-gw0");
	assert_non_null(strstr(logged, "cannot turn on net.ipv4.ip_forward"));
}

/* The link is deleted behind our back: made again; others ignored. */
static void
test_link_gone(void **state)
{
	struct rp_ctx ctx;

	setup_ctx(&ctx, "gw-x", false);
	assert_int_equal(gateway_init(&ctx), 0);
	assert_int_equal(gateway_link_gone(&ctx, "rt0123456789ab"), 0);
	assert_int_equal(stub_gw.link_calls, 1);
	/* the kernel deleted it, and its route with it */
	stub_gw.link[0] = '\0';
	stub_gw.route_dev[0] = '\0';
	assert_int_equal(gateway_link_gone(&ctx, "gw-xp"), 0);
	assert_string_equal(stub_gw.link, "gw-x");
	assert_string_equal(stub_gw.peer, "gw-xp");
	assert_string_equal(stub_gw.route_dev, "gw-x");
	assert_non_null(strstr(logged, "gw-x was deleted"));
	/* the other end's deletion, reported next, finds it back: no-op */
	assert_int_equal(gateway_link_gone(&ctx, "gw-x"), 0);
	assert_int_equal(stub_gw.link_calls, 2);
	/* notifications lost: looks, finds it, does nothing */
	assert_int_equal(gateway_link_gone(&ctx, NULL), 0);
	assert_int_equal(stub_gw.link_calls, 2);
	stub_gw.link[0] = '\0';
	assert_int_equal(gateway_link_gone(&ctx, NULL), 0);
	assert_int_equal(stub_gw.link_calls, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_host),
		cmocka_unit_test(test_restart_reuses),
		cmocka_unit_test(test_no_ip_forward),
		cmocka_unit_test(test_dev_none),
		cmocka_unit_test(test_link_fails),
		cmocka_unit_test(test_link_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
