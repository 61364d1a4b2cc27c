/* SPDX-License-Identifier: MIT */
/*
 * test_faults.c: fault injection at every step of every handler.
 *
 * A sequence of Docker calls runs once per fault: for each call, the Nth
 * netlink change (plumb stub) or the Nth disk write (store fault hook) fails,
 * for N = 1, 2, ... until the call no longer reaches an Nth one.  After each
 * failed call the model, the kernel (stub) and the announce table are
 * exactly as before it, and a restart loads the same model from disk.  A call
 * that succeeds although a fault fired (a link that would not go after the
 * deletion was committed) leaves the disk equal to the model, and the next
 * start's reconciliation makes the kernel match.  Then the call is made
 * without a fault, as Docker's retry would, and must succeed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "../fuzz/canon.h"
#include "announce.h"
#include "model.h"
#include "reconcile.h"
#include "routes.h"
#include "store.h"
#include "teardown.h"

#define NID "n1"
#define E1 "b60d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb02"
#define E2 "c70d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb02"
#define N6 "n6"
#define E3 "d80d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb03"
#define NV "nv"
#define E5 "e90d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb05"
#define E4 "f90d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb04"
#define NI "ea0d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb0f"
#define E6 "f00d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb06"
#define E7 "f10d823d5fe20d6a91c0b4e6b8ad6b7ffb1e13d1d3ecfa3f4a81d6d9c6a1bb07"
#define PARENT "fab0"
/* A sandbox that exists: a joined ipvlan endpoint is alive while it does. */
#define SANDBOX "/proc/self/ns/net"

struct step {
	int ipam;		/* 1: ipam-routed, 0: net-routed */
	const char *path;
	const char *body;
};

static const struct step steps[] = {
	{ 1, "/IpamDriver.RequestPool",
	  "{\"Pool\":\"10.46.0.0/16\",\"SubPool\":\"10.46.1.0/24\"}" },
	{ 1, "/IpamDriver.RequestPool", "{\"Pool\":\"fd00:46::/64\",\"V6\":true}" },
	{ 1, "/IpamDriver.RequestAddress",
	  "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.0.2\"}" },
	{ 0, "/NetworkDriver.CreateNetwork",
	  "{\"NetworkID\":\"" NID "\",\"Options\":{\"com.docker.network.generic\":"
	  "{\"routed.announce\":\"both\"}},\"IPv4Data\":[{\"Pool\":\"10.46.0.0/16\","
	  "\"AuxAddresses\":{\"r\":\"10.46.0.2/32\"}}],\"IPv6Data\":[{\"Pool\":"
	  "\"fd00:46::/64\"}]}" },
	{ 1, "/IpamDriver.RequestAddress",
	  "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.1.5\"}" },
	{ 1, "/IpamDriver.RequestAddress",
	  "{\"PoolID\":\"fd00:46::/64\",\"Address\":\"fd00:46::5\"}" },
	{ 0, "/NetworkDriver.CreateEndpoint",
	  "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" E1 "\",\"Interface\":"
	  "{\"Address\":\"10.46.1.5/32\",\"AddressIPv6\":\"fd00:46::5/128\"}}" },
	{ 0, "/NetworkDriver.Join", "{\"NetworkID\":\"" NID "\",\"EndpointID\":\""
	  E1 "\",\"SandboxKey\":\"/var/run/docker/netns/a\"}" },
	{ 0, "/NetworkDriver.Leave",
	  "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" E1 "\"}" },
	{ 0, "/NetworkDriver.Join", "{\"NetworkID\":\"" NID "\",\"EndpointID\":\""
	  E1 "\",\"SandboxKey\":\"/var/run/docker/netns/b\"}" },
	{ 0, "/NetworkDriver.CreateEndpoint",
	  "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" E2 "\",\"Interface\":"
	  "{\"Address\":\"10.46.1.6/32\"}}" },
	{ 0, "/NetworkDriver.Join", "{\"NetworkID\":\"" NID "\",\"EndpointID\":\""
	  E2 "\",\"SandboxKey\":\"/var/run/docker/netns/c\"}" },
	/* an IPv6-only network, and E2's container on it too (gw_slot 1) */
	{ 1, "/IpamDriver.RequestPool", "{\"Pool\":\"fd00:48::/64\",\"V6\":true}" },
	{ 0, "/NetworkDriver.CreateNetwork",
	  "{\"NetworkID\":\"" N6 "\",\"IPv4Data\":[],\"IPv6Data\":[{\"Pool\":"
	  "\"fd00:48::/64\"}]}" },
	{ 0, "/NetworkDriver.CreateEndpoint",
	  "{\"NetworkID\":\"" N6 "\",\"EndpointID\":\"" E3 "\",\"Interface\":"
	  "{\"Address\":\"\",\"AddressIPv6\":\"fd00:48::3/128\"}}" },
	{ 0, "/NetworkDriver.Join", "{\"NetworkID\":\"" N6 "\",\"EndpointID\":\""
	  E3 "\",\"SandboxKey\":\"/var/run/docker/netns/c\"}" },
	{ 0, "/NetworkDriver.Leave",
	  "{\"NetworkID\":\"" N6 "\",\"EndpointID\":\"" E3 "\"}" },
	{ 0, "/NetworkDriver.DeleteEndpoint",
	  "{\"NetworkID\":\"" N6 "\",\"EndpointID\":\"" E3 "\"}" },
	{ 1, "/IpamDriver.ReleasePool", "{\"PoolID\":\"fd00:48::/64\"}" },
	{ 0, "/NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" N6 "\"}" },
	/* extra addresses: reserved, plumbed, announced, released (issue 13) */
	{ 0, "/NetworkDriver.CreateEndpoint",
	  "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" E4 "\",\"Interface\":"
	  "{\"Address\":\"10.46.1.7/32\"},\"Options\":{\"routed.ips\":"
	  "\"10.46.1.20,fd00:46::20\",\"routed.ip-count\":\"1\","
	  "\"routed.anycast\":\"10.46.0.100\",\"routed.tag\":\"5\"}}" },
	{ 0, "/NetworkDriver.Join", "{\"NetworkID\":\"" NID "\",\"EndpointID\":\""
	  E4 "\",\"SandboxKey\":\"/var/run/docker/netns/d\"}" },
	{ 0, "/NetworkDriver.DeleteEndpoint",
	  "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" E4 "\"}" },
	/* a VXLAN segment: bridge, device, flood list, gateway; a port */
	{ 1, "/IpamDriver.RequestPool",
	  "{\"Pool\":\"10.50.0.0/24\",\"SubPool\":\"10.50.0.64/26\"}" },
	{ 0, "/NetworkDriver.CreateNetwork",
	  "{\"NetworkID\":\"" NV "\",\"Options\":{\"com.docker.network.generic\":"
	  "{\"routed.mode\":\"vxlan\",\"routed.vni\":\"100\",\"routed.vxlan."
	  "remote\":\"192.0.2.1,192.0.2.2\",\"routed.vxlan.dev\":\"eth9\","
	  "\"routed.gateway\":\"10.50.0.1\",\"routed.announce\":\"both\"}},"
	  "\"IPv4Data\":[{\"Pool\":\"10.50.0.0/24\"}]}" },
	{ 1, "/IpamDriver.RequestAddress",
	  "{\"PoolID\":\"10.50.0.0/24\",\"Address\":\"10.50.0.65\"}" },
	{ 0, "/NetworkDriver.CreateEndpoint",
	  "{\"NetworkID\":\"" NV "\",\"EndpointID\":\"" E5 "\",\"Interface\":"
	  "{\"Address\":\"10.50.0.65/32\"}}" },
	{ 0, "/NetworkDriver.Join", "{\"NetworkID\":\"" NV "\",\"EndpointID\":\""
	  E5 "\",\"SandboxKey\":\"/var/run/docker/netns/e\"}" },
	{ 0, "/NetworkDriver.Leave",
	  "{\"NetworkID\":\"" NV "\",\"EndpointID\":\"" E5 "\"}" },
	{ 0, "/NetworkDriver.Join", "{\"NetworkID\":\"" NV "\",\"EndpointID\":\""
	  E5 "\",\"SandboxKey\":\"/var/run/docker/netns/e\"}" },
	{ 0, "/NetworkDriver.DeleteEndpoint",
	  "{\"NetworkID\":\"" NV "\",\"EndpointID\":\"" E5 "\"}" },
	{ 1, "/IpamDriver.ReleaseAddress",
	  "{\"PoolID\":\"10.50.0.0/24\",\"Address\":\"10.50.0.65\"}" },
	{ 1, "/IpamDriver.ReleasePool", "{\"PoolID\":\"10.50.0.0/24\"}" },
	{ 0, "/NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" NV "\"}" },
	{ 0, "/NetworkDriver.DeleteEndpoint",
	  "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" E1 "\"}" },
	/* E1 again, same addresses, while its old veth waits for the batch */
	{ 0, "/NetworkDriver.CreateEndpoint",
	  "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" E1 "\",\"Interface\":"
	  "{\"Address\":\"10.46.1.5/32\",\"AddressIPv6\":\"fd00:46::5/128\"}}" },
	{ 0, "/NetworkDriver.DeleteEndpoint",
	  "{\"NetworkID\":\"" NID "\",\"EndpointID\":\"" E1 "\"}" },
	{ 1, "/IpamDriver.ReleaseAddress",
	  "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.1.5\"}" },
	/* docker network rm's order: the pools go first, then the network */
	{ 1, "/IpamDriver.ReleasePool", "{\"PoolID\":\"10.46.0.0/16\"}" },
	{ 1, "/IpamDriver.ReleasePool", "{\"PoolID\":\"fd00:46::/64\"}" },
	/* E2 is still there: DeleteNetwork removes it (bug 2 of issue 10) */
	{ 0, "/NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" NID "\"}" },
	/* an ipvlan network: E6 comes and goes, E7 goes with the network */
	{ 1, "/IpamDriver.RequestPool", "{\"Pool\":\"10.47.0.0/16\"}" },
	{ 0, "/NetworkDriver.CreateNetwork",
	  "{\"NetworkID\":\"" NI "\",\"Options\":{\"com.docker.network.generic\":"
	  "{\"routed.link\":\"ipvlan\",\"routed.parent\":\"" PARENT "\","
	  "\"routed.ipvlan-mode\":\"l3\"}},\"IPv4Data\":[{\"Pool\":"
	  "\"10.47.0.0/16\"}]}" },
	{ 1, "/IpamDriver.RequestAddress",
	  "{\"PoolID\":\"10.47.0.0/16\",\"Address\":\"10.47.0.5\"}" },
	{ 0, "/NetworkDriver.CreateEndpoint",
	  "{\"NetworkID\":\"" NI "\",\"EndpointID\":\"" E6 "\",\"Interface\":"
	  "{\"Address\":\"10.47.0.5/32\"}}" },
	{ 0, "/NetworkDriver.Join", "{\"NetworkID\":\"" NI "\",\"EndpointID\":\""
	  E6 "\",\"SandboxKey\":\"" SANDBOX "\"}" },
	{ 1, "/IpamDriver.RequestAddress",
	  "{\"PoolID\":\"10.47.0.0/16\",\"Address\":\"10.47.0.6\"}" },
	{ 0, "/NetworkDriver.CreateEndpoint",
	  "{\"NetworkID\":\"" NI "\",\"EndpointID\":\"" E7 "\",\"Interface\":"
	  "{\"Address\":\"10.47.0.6/32\"}}" },
	{ 0, "/NetworkDriver.Join", "{\"NetworkID\":\"" NI "\",\"EndpointID\":\""
	  E7 "\",\"SandboxKey\":\"" SANDBOX "\"}" },
	{ 0, "/NetworkDriver.Leave",
	  "{\"NetworkID\":\"" NI "\",\"EndpointID\":\"" E6 "\"}" },
	{ 0, "/NetworkDriver.DeleteEndpoint",
	  "{\"NetworkID\":\"" NI "\",\"EndpointID\":\"" E6 "\"}" },
	{ 1, "/IpamDriver.ReleaseAddress",
	  "{\"PoolID\":\"10.47.0.0/16\",\"Address\":\"10.47.0.5\"}" },
	{ 1, "/IpamDriver.ReleasePool", "{\"PoolID\":\"10.47.0.0/16\"}" },
	{ 0, "/NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" NI "\"}" },
};

/* The store's fault hook: the Nth write from arming fails with -EIO. */
static int disk_nth;
static bool disk_fired;

static int
disk_fault(void *arg)
{
	if (disk_nth > 0 && --disk_nth == 0) {
		disk_fired = true;
		return -EIO;
	}
	return 0;
}

static char *
model_text(struct fixture *fx)
{
	cJSON *j = canon_state(&fx->ctx);
	char *s = canon_text(j);

	cJSON_Delete(j);
	return s;
}

static const char *
shown(const struct stub_link *l)
{
	return l->group == TEARDOWN_GROUP ? "(waiting for teardown)" : l->host;
}

/* Model, kernel and announcements as one comparable text. */
static char *
world_text(struct fixture *fx)
{
	char *m = model_text(fx), *out, line[256], a[ADDR_STRLEN];
	const struct route *r;
	size_t len, pos = 0, n;
	int i, k;

	len = strlen(m) + 64 * 1024;
	assert_non_null(out = malloc(len));
	n = (size_t)snprintf(out, len, "%s\n", m);
	free(m);
	/*
	 * the stub's links in name order: stable.  A link waiting for its
	 * teardown has no name that matters: a new endpoint may rename it.
	 */
	for (i = 0; i < stub_nlinks; i++) {
		const struct stub_link *l = NULL;
		int j;

		for (j = 0; j < stub_nlinks; j++) {
			int rank = 0;
			for (k = 0; k < stub_nlinks; k++)
				if (strcmp(shown(&stub_links[k]),
				    shown(&stub_links[j])) < 0 ||
				    (strcmp(shown(&stub_links[k]),
				    shown(&stub_links[j])) == 0 && k < j))
					rank++;
			if (rank == i)
				l = &stub_links[j];
		}
		snprintf(line, sizeof(line), "link %s mtu %u gw6 %d routes %d\n",
		    shown(l), l->mtu, l->gw6, l->routes);
		n += (size_t)snprintf(out + n, len - n, "%s", line);
	}
	/* the stub's segment objects, sorted */
	{
		cJSON *arr = cJSON_CreateArray();
		char *t;

		for (i = 0; i < stub_nobjs; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(stub_objs[i]));
		t = canon_text(arr);
		n += (size_t)snprintf(out + n, len - n, "%s\n", t);
		free(t);
		cJSON_Delete(arr);
	}
	/* the announce table: small, sorted by canonical text */
	{
		cJSON *arr = cJSON_CreateArray();
		char *t;

		while ((r = announce_next(&fx->ctx, &pos)) != NULL) {
			snprintf(line, sizeof(line), "%s %s %u %s",
			    prefix_fmt(&r->prefix, a, sizeof(a)), r->ifname, r->tag,
			    r->endpoint_id);
			cJSON_AddItemToArray(arr, cJSON_CreateString(line));
		}
		t = canon_text(arr);
		n += (size_t)snprintf(out + n, len - n, "%s\n", t);
		free(t);
		cJSON_Delete(arr);
	}
	return out;
}

static int
run(struct fixture *fx, const struct step *s)
{
	return s->ipam ? fx_ipam(fx, s->path, s->body) :
	    fx_net(fx, s->path, s->body);
}

static void
restart(struct fixture *fx)
{
	fx_reopen(fx);
	store_set_fault(fx->ctx.store, disk_fault, NULL);
}

/* After a failed call: nothing changed, and the disk says the same. */
static void
check_unchanged(struct fixture *fx, const char *before, const char *what)
{
	char *after = world_text(fx), *m1, *m2;

	if (strcmp(before, after) != 0) {
		fprintf(stderr, "before:\n%s\nafter:\n%s\n", before, after);
		fail_msg("%s changed the world", what);
	}
	m1 = model_text(fx);
	restart(fx);
	m2 = model_text(fx);
	if (strcmp(m1, m2) != 0)
		fail_msg("%s: disk and model disagree:\n%s\n---\n%s", what, m1,
		    m2);
	free(after);
	free(m1);
	free(m2);
}

/* After a call that succeeded: disk equals model; the next start's repair
 * makes the kernel hold exactly the endpoints' links. */
static void
check_consistent(struct fixture *fx, const char *what)
{
	char *m1 = model_text(fx), *m2;
	const struct endpoint *ep;
	size_t pos = 0, n = 0;
	int i;

	restart(fx);
	m2 = model_text(fx);
	if (strcmp(m1, m2) != 0)
		fail_msg("%s: disk and model disagree:\n%s\n---\n%s", what, m1,
		    m2);
	reconcile_start(&fx->ctx);
	while ((ep = model_ep_next(fx->ctx.model, &pos)) != NULL) {
		if (stub_find(ep->route_if) == NULL ||
		    (ep->link == LINK_IPVLAN && stub_find(ep->peer_if) == NULL))
			fail_msg("%s: endpoint %.12s has no link", what, ep->id);
		n++;
	}
	/* and no other link: the parent, veths, ipvlans of endpoints */
	for (i = 0; i < stub_nlinks; i++) {
		const char *name = stub_links[i].host;
		bool owned = strcmp(name, PARENT) == 0;

		for (pos = 0; !owned && (ep = model_ep_next(fx->ctx.model,
		    &pos)) != NULL; )
			owned = strcmp(ep->route_if, name) == 0 ||
			    (ep->link == LINK_IPVLAN &&
			    strcmp(ep->peer_if, name) == 0);
		if (!owned)
			fail_msg("%s: link %s of no endpoint (%zu endpoints)",
			    what, name, n);
	}
	/* ... and every segment its devices, and only segments have any. */
	{
		const struct network *net;
		char line[STUB_OBJ_LEN];
		size_t nseg = 0;

		pos = 0;
		while ((net = model_net_next(fx->ctx.model, &pos)) != NULL) {
			if (net->mode != MODE_VXLAN)
				continue;
			nseg++;
			snprintf(line, sizeof(line), "vxlan %s", net->seg.vx_name);
			if (!stub_has_obj(line))
				fail_msg("%s: segment %s has no %s", what,
				    net->id, net->seg.vx_name);
		}
		if (nseg == 0 && stub_nobjs != 0)
			fail_msg("%s: %d segment objects left", what, stub_nobjs);
	}
	free(m1);
	free(m2);
}

/* What the world was before a step: the files and the stub's kernel. */
struct saved {
	char *file[2];
	size_t len[2];
	struct stub_link links[STUB_MAX];
	int nlinks;
	char objs[STUB_OBJS][STUB_OBJ_LEN];
	int nobjs;
};

static const char *const files[2] = { STORE_FILE, STORE_JOURNAL };

static void
save(struct fixture *fx, struct saved *sv)
{
	char path[128];
	FILE *f;
	int i;
	long n;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", fx->dir, files[i]);
		sv->file[i] = NULL;
		if ((f = fopen(path, "r")) == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		assert_non_null(sv->file[i] = malloc((size_t)n + 1));
		assert_int_equal(fread(sv->file[i], 1, (size_t)n, f), (size_t)n);
		sv->len[i] = (size_t)n;
		fclose(f);
	}
	memcpy(sv->links, stub_links, sizeof(sv->links));
	sv->nlinks = stub_nlinks;
	memcpy(sv->objs, stub_objs, sizeof(sv->objs));
	sv->nobjs = stub_nobjs;
}

/* Back to sv, as a daemon restarted on those files and that kernel. */
static void
restore(struct fixture *fx, const struct saved *sv)
{
	char path[128];
	FILE *f;
	int i;

	fx_close_state(fx);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", fx->dir, files[i]);
		if (sv->file[i] == NULL) {
			unlink(path);
			continue;
		}
		assert_non_null(f = fopen(path, "w"));
		assert_int_equal(fwrite(sv->file[i], 1, sv->len[i], f),
		    sv->len[i]);
		fclose(f);
	}
	memcpy(stub_links, sv->links, sizeof(sv->links));
	stub_nlinks = sv->nlinks;
	memcpy(stub_objs, sv->objs, sizeof(sv->objs));
	stub_nobjs = sv->nobjs;
	restart(fx);
	announce_free(&fx->ctx);
	assert_int_equal(announce_init(&fx->ctx), 0);
	assert_int_equal(routes_all(&fx->ctx), 0);
}

static void
release(struct saved *sv)
{
	free(sv->file[0]);
	free(sv->file[1]);
}

static void
test_every_fault_at_every_step(void **state)
{
	struct fixture *fx = fx_new();
	char what[160], *before;
	size_t k, failures = 0;
	int kind, nth, status;

	store_set_fault(fx->ctx.store, disk_fault, NULL);
	stub_add_link(PARENT);
	for (k = 0; k < sizeof(steps) / sizeof(*steps); k++) {
		struct saved sv;

		save(fx, &sv);
		for (kind = 0; kind < 2; kind++) {
			for (nth = 1; nth < 64; nth++) {
				restore(fx, &sv);
				before = world_text(fx);
				stub_fired = disk_fired = false;
				if (kind == 0)
					stub_fail_nth = nth;
				else
					disk_nth = nth;
				status = run(fx, &steps[k]);
				stub_fail_nth = disk_nth = 0;
				snprintf(what, sizeof(what), "%s (step %zu) with %s "
				    "fault %d", steps[k].path, k, kind ? "disk" :
				    "netlink", nth);
				if (status != 200) {
					if (!stub_fired && !disk_fired)
						fail_msg("%s failed by itself: %s", what,
						    fx_str(fx, "Err"));
					if (getenv("TEST_VERBOSE_FAULTS"))
						print_message("%s: %s\n", what,
						    fx_str(fx, "Err"));
					check_unchanged(fx, before, what);
					failures++;
				} else {
					check_consistent(fx, what);
				}
				free(before);
				if (!stub_fired && !disk_fired)
					break;
			}
		}
		/* Docker's retry, with nothing failing. */
		restore(fx, &sv);
		release(&sv);
		status = run(fx, &steps[k]);
		if (status != 200)
			fail_msg("%s (step %zu) without a fault: %s", steps[k].path,
			    k, fx_str(fx, "Err"));
		/* ... and once more: every handler is idempotent. */
		before = world_text(fx);
		if (strcmp(steps[k].path, "/NetworkDriver.Join") != 0) {
			char *after;

			assert_int_equal(run(fx, &steps[k]), 200);
			after = world_text(fx);
			if (strstr(steps[k].path, "Request") == NULL)
				assert_string_equal(before, after);
			free(after);
		}
		free(before);
	}
	print_message("%zu injected faults failed a call and changed nothing\n",
	    failures);
	assert_true(failures > 20);
	/* Everything is gone in the end. */
	assert_int_equal(model_ep_count(fx->ctx.model), 0);
	assert_int_equal(model_net_count(fx->ctx.model), 0);
	{
		size_t pos = 0;
		assert_null(model_pool_next(fx->ctx.model, &pos));
	}
	/*
	 * The last steps (the ipvlan network's) queue no veth, and the
	 * restores between steps stand for restarts: the veths of earlier
	 * steps still wait in the group, with their records, for the next
	 * start (or a batch) to delete them.
	 */
	reconcile_start(&fx->ctx);
	teardown_flush(&fx->ctx);
	assert_int_equal(model_doomed_count(fx->ctx.model), 0);
	assert_int_equal(stub_nlinks, 1);	/* the parent */
	assert_int_equal(stub_nobjs, 0);
	assert_int_equal(announce_count(&fx->ctx), 0);
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_fault_at_every_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
