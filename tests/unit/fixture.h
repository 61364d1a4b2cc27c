/* SPDX-License-Identifier: MIT */
/*
 * fixture.h: a daemon context for unit tests (temporary state directory,
 * stubbed netlink) and a one-call way to run a plugin request.
 */
#ifndef RP_TEST_FIXTURE_H
#define RP_TEST_FIXTURE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "api.h"
#include "ctx.h"
#include "store.h"

struct fixture {
	struct rp_ctx ctx;
	struct store_schema schema;
	char dir[64];
	cJSON *reply;		/* of the last call */
	int status;		/* of the last call */
};

struct fixture *fx_new(void);
/*
 * (Re)open the state of fx->dir into a new model and store, as the daemon
 * does at start-up (0 or -errno with err set; nothing open then), and close
 * them again.
 */
int fx_open_state(struct fixture *fx, char *err, size_t errlen);
void fx_close_state(struct fixture *fx);
/* Close and open the state again, as a restarted daemon does; fails the test if it cannot. */
void fx_reopen(struct fixture *fx);
void fx_free(struct fixture *fx);
/* Run path (e.g. "/IpamDriver.RequestPool") with body; returns the status. */
int fx_net(struct fixture *fx, const char *path, const char *body);
int fx_ipam(struct fixture *fx, const char *path, const char *body);
/* cmocka setup and teardown: *state is a new fixture. */
int fx_setup(void **state);
int fx_teardown(void **state);
/* The last call failed with HTTP 500 and an Err that contains needle. */
void fx_assert_err(struct fixture *fx, const char *needle);
/* String member of the last reply, or NULL. */
const char *fx_str(struct fixture *fx, const char *name);
/*
 * The state as written by a compaction: its records in a canonical order,
 * as text (malloc'd).
 */
char *fx_state(struct fixture *fx);

/* plumb_stub.c: what the stub was asked to do, and failure injection. */
#define STUB_ROUTES 16
struct stub_link {
	char host[16], peer[16];
	bool moved;		/* peer moved into a container */
	unsigned mtu;
	bool gw6;
	unsigned group;		/* link group (teardown) */
	int routes;		/* host routes through it */
	struct ipaddr dst[STUB_ROUTES];	/* their destinations */
	uint8_t mac[6];		/* the peer's, when one was given */
	char parent[16];	/* an ipvlan slave: its parent */
	int mode;		/* and its mode */
};
#define STUB_MAX 64
extern struct stub_link stub_links[STUB_MAX];
extern int stub_nlinks;
extern int stub_fail_veth;	/* plumb_veth_add returns this when != 0 */
extern int stub_fail_route;	/* plumb_route_add returns this when != 0 */
/*
 * Fail the Nth call from now of any plumb call that changes something
 * (veth add/del, route add/del) with -EIO; 0: never.  stub_calls counts
 * them.
 */
extern int stub_fail_nth;
extern int stub_calls;
extern bool stub_fired;		/* the stub_fail_nth failure happened */
/*
 * Segment objects (plumb_vxlan_add and the rest), one line each: "vxlan
 * NAME", "bridge NAME", "port PORT BRIDGE", "proxy DEV A", "route DEV P",
 * "fdb DEV A".  Deleting a link deletes the lines that name it.  The link
 * STUB_UNDERLAY always exists (for routed.vxlan.dev).
 */
#define STUB_OBJS	64
#define STUB_OBJ_LEN	64
#define STUB_UNDERLAY	"eth9"
extern char stub_objs[STUB_OBJS][STUB_OBJ_LEN];
extern int stub_nobjs;
bool stub_has_obj(const char *line);
extern int stub_ns_opens;	/* plumb_ns_open calls (all fail) */
void stub_reset(void);
struct stub_link *stub_find(const char *host);
/* plumb_ipvlan_addr_held() answers this (0: free, 1: held, or -errno). */
extern int stub_addr_held;
/* A plain link of the host (a parent for ipvlan slaves). */
void stub_add_link(const char *name);

/* plumb_stub.c: the gateway's link, its route and forwarding. */
struct stub_gw {
	char link[16], peer[16];	/* the link made, "" if none */
	int link_calls, route_calls;
	char route_dev[16];	/* the gateway route's device, "" if none */
	struct ipaddr route;	/* its destination */
	int forward[2];		/* IPv4, IPv6 forwarding: 1 on, 0 off */
	int forward6_policy;	/* plumb_set_forward6: 1 on, -1 off, 0 unset */
	int fail_link;		/* plumb_gw_link_add returns this when != 0 */
	int fail_forward;	/* plumb_forwarding_on returns this when != 0 */
};
extern struct stub_gw stub_gw;
void stub_gw_reset(void);
bool stub_gw_link_exists(const char *name);

#endif
