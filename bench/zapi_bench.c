/*
 * zapi_bench.c: the speed targets of the zebra sidecar, measured against a
 * real zebra (bench/run.sh starts it in a private network namespace).
 *
 * Every figure is a pair measured in the same run: the plugin's path (the
 * Docker API handled in-process by api_dispatch, the announce table, the
 * zclient session) and zebra's own floor, taken by a bare ZAPI client built
 * on the project's codec only (zapi.h + buf.h: its own socket, its own
 * route type, no table, no retries).  Nothing is asserted: the figures are
 * printed and bench/README.md says what the targets are.
 *
 *  1. lone route: NetworkDriver.Join's reply -> ROUTE_NOTIFY_OWNER
 *     INSTALLED seen by the plugin's zclient, versus one bare ROUTE_ADD ->
 *     INSTALLED (an IFINDEX nexthop on a fresh, operative veth both times).
 *  2. N endpoints (1000): first Join -> last INSTALLED, versus N bare
 *     ROUTE_ADDs -> last INSTALLED; also the zclient alone (zclient_route_add
 *     without the Docker API) to split the cost.
 *  3. resync (10000 blackhole /32s): zebra restarted under a zclient that
 *     holds them, from the zclient's connect() to the last INSTALLED, versus
 *     a bare client sending them to a freshly started zebra, from its
 *     connect() to the last INSTALLED.
 *
 * Must run as root inside a network namespace of its own (run.sh does it);
 * it creates veths there and restarts zebra through --zebra-ctl.
 *
 * Link with -Wl,--wrap=connect: the wrapper timestamps the zclient's
 * successful connect() to zebra (scenario 3).
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <net/if.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "addr.h"
#include "announce.h"
#include "api.h"
#include "buf.h"
#include "ctx.h"
#include "hmap.h"
#include "ipam.h"
#include "log.h"
#include "model.h"
#include "netdrv.h"
#include "records.h"
#include "plumb.h"
#include "route.h"
#include "store.h"
#include "zapi.h"

/* FRR 8.2 to 8.5: the dialect the vectors below come from. */
#define D84	(zapi_dialect_default())
#include "zclient.h"

#define PLUGIN_TYPE	ZAPI_ROUTE_BABEL	/* the daemon's default */
#define BARE_TYPE	ZAPI_ROUTE_OPENFABRIC	/* never collides with it */
#define NID	"be0c4f1e5d2a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c"
#define TAG	RP_DEFAULT_TAG

/* Options. */
static const char *opt_zsock;
static const char *opt_zctl;
static const char *opt_state_dir = "/tmp";
static unsigned opt_lone = 50;
static unsigned opt_batch = 1000;
static unsigned opt_resync = 10000;
static unsigned opt_resync_rounds = 3;
static unsigned opt_settle_ms = 20;
static bool opt_verbose;
static bool opt_bare_preamble;	/* bare HELLO + GR + REDISTRIBUTE_ADD */

static struct event_base *base;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void __attribute__((format(printf, 1, 2)))
note(const char *fmt, ...)
{
	va_list ap;

	if (!opt_verbose)
		return;
	fprintf(stderr, "[%10.1f] ", now_ms());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "zapi_bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ---- connect() wrapper: when did the zclient reach zebra? ---- */

int __real_connect(int fd, const struct sockaddr *sa, socklen_t len);
int __wrap_connect(int fd, const struct sockaddr *sa, socklen_t len);
static double zc_connect_ms;		/* last successful zclient connect */

int
__wrap_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	int r = __real_connect(fd, sa, len);

	if (r == 0 && sa->sa_family == AF_UNIX && opt_zsock != NULL &&
	    strcmp(((const struct sockaddr_un *)sa)->sun_path, opt_zsock) == 0)
		zc_connect_ms = now_ms();
	return r;
}

/* ---- statistics ---- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile (0..1) of v[0..n), linear interpolation; sorts v. */
static double
quantile(double *v, size_t n, double q)
{
	double pos;
	size_t i;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	pos = q * (double)(n - 1);
	i = (size_t)pos;
	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (pos - (double)i) * (v[i + 1] - v[i]);
}

/* ---- completion trackers: first INSTALLED of each address ---- */

struct tracker {
	uint32_t	base;		/* first IPv4 address (host order) */
	size_t		n;
	double		*t;		/* first INSTALLED, 0 = not yet */
	size_t		got;
	double		first, last;
	unsigned	fails;		/* FAIL_INSTALL seen */
	unsigned	other;		/* other notes */
	bool		active;
};

static struct tracker tr_plugin, tr_bare;

static void
tracker_arm(struct tracker *t, uint32_t base_addr, size_t n)
{
	free(t->t);
	memset(t, 0, sizeof(*t));
	if ((t->t = calloc(n ? n : 1, sizeof(double))) == NULL)
		die("out of memory");
	t->base = base_addr;
	t->n = n;
	t->active = true;
}

static void
tracker_note(struct tracker *t, int family, const uint8_t *bytes, int note)
{
	uint32_t a, i;
	double now;

	if (!t->active || family != AF_INET)
		return;
	memcpy(&a, bytes, 4);
	i = ntohl(a) - t->base;
	if (i >= t->n)
		return;
	if (note == ZAPI_NOTE_FAIL_INSTALL) {
		t->fails++;
		return;
	}
	if (note != ZAPI_NOTE_INSTALLED) {
		t->other++;
		return;
	}
	if (t->t[i] != 0)
		return;
	now = now_ms();
	t->t[i] = now;
	if (t->got++ == 0)
		t->first = now;
	t->last = now;
}

/* --verbose: when 1%, 10%, 50%, 90% and all of t had been confirmed. */
static void
tracker_profile(const char *what, struct tracker *t, double t0)
{
	double *v, q[5];
	size_t i, k = 0;

	if (!opt_verbose || (v = calloc(t->n, sizeof(double))) == NULL)
		return;
	for (i = 0; i < t->n; i++)
		if (t->t[i] != 0)
			v[k++] = t->t[i] - t0;
	q[0] = quantile(v, k, 0.01);
	q[1] = quantile(v, k, 0.1);
	q[2] = quantile(v, k, 0.5);
	q[3] = quantile(v, k, 0.9);
	q[4] = quantile(v, k, 1);
	note("%s: %zu INSTALLED; 1%% at %.1f ms, 10%% %.1f, 50%% %.1f, 90%% "
	    "%.1f, last %.1f", what, k, q[0], q[1], q[2], q[3], q[4]);
	free(v);
}

static bool
tracker_done(void *arg)
{
	struct tracker *t = arg;

	return t->got >= t->n;
}

static uint32_t
ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		die("bad address %s", s);
	return ntohl(a.s_addr);
}

static void
ip4_fmt(uint32_t a, char *out, size_t len)
{
	struct in_addr in = { htonl(a) };

	inet_ntop(AF_INET, &in, out, (socklen_t)len);
}

/* ---- the event loop ---- */

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
}

/*
 * Run the loop until pred(arg) or timeout_ms.  A 10 ms tick keeps the loop
 * waking up so that the timeout is checked.  true when pred held.
 */
static bool
run_until(bool (*pred)(void *), void *arg, double timeout_ms)
{
	double end = now_ms() + timeout_ms;

	while (!pred(arg)) {
		if (now_ms() > end)
			return false;
		event_base_loop(base, EVLOOP_ONCE);
	}
	return true;
}

static bool
never(void *arg)
{
	return false;
}

/* Run the loop for ms milliseconds: let everything settle. */
static void
run_for(double ms)
{
	run_until(never, NULL, ms);
}

/* ---- interface states, as zebra reports them ---- */

struct ifst {
	char		name[IFNAMSIZ];
	uint32_t	ifindex;
	uint64_t	flags;
	uint8_t		status;
};

static struct hmap *ifs;

static void
ifs_update(uint16_t cmd, const struct zapi_interface *zi)
{
	struct ifst *s = hmap_find(ifs, zi->name);

	if (cmd == ZAPI_INTERFACE_DELETE) {
		if (s != NULL) {
			hmap_del(ifs, s->name);
			free(s);
		}
		return;
	}
	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			die("out of memory");
		snprintf(s->name, sizeof(s->name), "%s", zi->name);
		if (hmap_add(ifs, s->name, s) != 0)
			die("out of memory");
	}
	s->ifindex = zi->ifindex;
	s->flags = zi->flags;
	s->status = zi->status;
}

/* zebra can use it for an IFINDEX nexthop (if_is_operative). */
static bool
ifs_operative(const char *name)
{
	struct ifst *s = hmap_find(ifs, name);

	return s != NULL && s->ifindex != 0 && (s->flags & IFF_UP) &&
	    ((s->flags & IFF_RUNNING) || !(s->status & ZAPI_IFS_LINKDETECTION));
}

static uint32_t
ifs_index(const char *name)
{
	struct ifst *s = hmap_find(ifs, name);

	return s ? s->ifindex : 0;
}

struct names {
	char	(*v)[IFNAMSIZ];
	size_t	n;
};

static bool
all_operative(void *arg)
{
	struct names *nm = arg;
	size_t i;

	for (i = 0; i < nm->n; i++)
		if (!ifs_operative(nm->v[i]))
			return false;
	return true;
}

/* ---- the bare ZAPI client: codec only ---- */

static double bare_last_rx;		/* when zebra last sent it anything */

static bool
zebra_quiet(void *arg)
{
	return now_ms() - bare_last_rx > *(double *)arg;
}

struct bare {
	int		fd;
	struct event	*ev;
	size_t		inlen;
	uint8_t		in[4 * ZAPI_MAX_LEN];
	bool		closed;
};

static void
bare_dispatch(const uint8_t *p, size_t n)
{
	struct zapi_hdr h;
	struct zapi_notify nt;
	struct zapi_interface zi;
	struct buf body;

	if (zapi_msg_decode(D84, p, n, &h, &body) != 0)
		return;
	switch (h.cmd) {
	case ZAPI_ROUTE_NOTIFY_OWNER:
		if (zapi_notify_decode(D84, &body, &nt) == 0)
			tracker_note(&tr_bare, nt.prefix.family, nt.prefix.bytes,
			    (int)nt.note);
		break;
	case ZAPI_INTERFACE_ADD:
	case ZAPI_INTERFACE_DELETE:
	case ZAPI_INTERFACE_UP:
	case ZAPI_INTERFACE_DOWN:
		if (h.vrf_id == 0 && zapi_interface_decode(D84, &body, &zi) == 0)
			ifs_update(h.cmd, &zi);
		break;
	default:
		break;
	}
}

static void
bare_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bare *b = arg;
	size_t off = 0, msglen;
	ssize_t n;
	int r;

	n = read(fd, b->in + b->inlen, sizeof(b->in) - b->inlen);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		b->closed = true;
		event_del(b->ev);
		return;
	}
	b->inlen += (size_t)n;
	bare_last_rx = now_ms();
	for (;;) {
		r = zapi_frame(b->in + off, b->inlen - off, &msglen);
		if (r == -EAGAIN)
			break;
		if (r != 0)
			die("bare client: bad frame from zebra");
		bare_dispatch(b->in + off, msglen);
		off += msglen;
	}
	memmove(b->in, b->in + off, b->inlen - off);
	b->inlen -= off;
}

/* Write all of p, waiting for room (zebra reads on its own). */
static void
bare_write(struct bare *b, const uint8_t *p, size_t n)
{
	struct pollfd pfd = { b->fd, POLLOUT, 0 };
	ssize_t w;

	while (n > 0) {
		w = send(b->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				poll(&pfd, 1, 100);
				continue;
			}
			die("bare client: send: %s", strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
}

/*
 * Connect (retrying for up to timeout_ms while zebra starts), then send
 * HELLO with notifications on.  *t_conn is when connect() succeeded.
 */
static struct bare *
bare_open(double timeout_ms, double *t_conn)
{
	const struct zapi_hello hello = { .type = BARE_TYPE,
	    .receive_notify = 1 };
	struct sockaddr_un sun;
	struct bare *b;
	uint8_t mem[256];
	struct buf wb;
	double end = now_ms() + timeout_ms;
	int fd;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		die("out of memory");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", opt_zsock);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			die("socket: %s", strerror(errno));
		if (__real_connect(fd, (struct sockaddr *)&sun,
		    sizeof(sun)) == 0)
			break;
		close(fd);
		if (now_ms() > end)
			die("bare client: cannot connect to %s: %s", opt_zsock,
			    strerror(errno));
		usleep(1000);
	}
	*t_conn = now_ms();
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	b->fd = fd;
	b->ev = event_new(base, fd, EV_READ | EV_PERSIST, bare_read_cb, b);
	if (b->ev == NULL || event_add(b->ev, NULL) != 0)
		die("event_new");
	buf_init(&wb, mem, sizeof(mem));
	if (zapi_hello_encode(D84, &wb, &hello) != 0)
		die("cannot encode HELLO");
	if (opt_bare_preamble) {
		/* What zc_session_start sends after HELLO: cost on zebra. */
		struct zapi_client_cap cap = { .kind = ZAPI_CAP_GR,
		    .stale_time = RP_DEFAULT_GR_STALE };

		if (zapi_client_cap_encode(D84, &wb, &cap) != 0 ||
		    zapi_redist_encode(D84, &wb, ZAPI_REDISTRIBUTE_ADD, ZAPI_AFI_IP,
		    BARE_TYPE, 0) != 0 ||
		    zapi_redist_encode(D84, &wb, ZAPI_REDISTRIBUTE_ADD, ZAPI_AFI_IP6,
		    BARE_TYPE, 0) != 0)
			die("cannot encode the preamble");
	}
	bare_write(b, buf_data(&wb), buf_len(&wb));
	return b;
}

static void
bare_close(struct bare *b)
{
	if (b == NULL)
		return;
	event_free(b->ev);
	close(b->fd);
	free(b);
}

/* Append a ROUTE_ADD like the plugin's: /32, tag, one nexthop. */
static void
bare_encode(struct buf *wb, uint32_t addr, uint32_t ifindex)
{
	struct zapi_route zr;
	uint32_t a = htonl(addr);

	memset(&zr, 0, sizeof(zr));
	zr.type = BARE_TYPE;
	zr.safi = ZAPI_SAFI_UNICAST;
	zr.message = ZAPI_MESSAGE_NEXTHOP | ZAPI_MESSAGE_TAG;
	zr.tag = TAG;
	zr.prefix.family = AF_INET;
	zr.prefix.plen = 32;
	memcpy(zr.prefix.bytes, &a, 4);
	zr.nexthop_num = 1;
	if (ifindex != 0) {
		zr.nexthops[0].type = ZAPI_NH_IFINDEX;
		zr.nexthops[0].ifindex = ifindex;
	} else {
		zr.nexthops[0].type = ZAPI_NH_BLACKHOLE;
		zr.nexthops[0].bh_type = ZAPI_BH_NULL;
	}
	if (zapi_route_encode(D84, wb, ZAPI_ROUTE_ADD, &zr) != 0)
		die("cannot encode ROUTE_ADD");
}

/* ---- netlink, for the veths the bench makes itself ---- */

static struct nl_sock *nls;

static void
nl_open(void)
{
	if ((nls = nl_socket_alloc()) == NULL ||
	    nl_connect(nls, NETLINK_ROUTE) < 0)
		die("netlink: cannot connect");
}

static void nl_link_up(const char *name);

/* A veth pair, both ends up: operative at once. */
static void
nl_veth_add(const char *host, const char *peer)
{
	struct rtnl_link *l, *p;
	int r;

	if ((l = rtnl_link_veth_alloc()) == NULL)
		die("out of memory");
	rtnl_link_set_name(l, host);
	p = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(p, peer);
	rtnl_link_put(p);
	r = rtnl_link_add(nls, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_veth_release(l);
	if (r < 0)
		die("netlink: cannot create veth %s: %s", host, nl_geterror(r));
	nl_link_up(peer);
	nl_link_up(host);
}

/* Set a link up (the container side of an endpoint's veth). */
static void
nl_link_up(const char *name)
{
	struct rtnl_link *old, *chg;
	int r;

	if ((r = rtnl_link_get_kernel(nls, 0, name, &old)) < 0)
		die("netlink: no link %s: %s", name, nl_geterror(r));
	if ((chg = rtnl_link_alloc()) == NULL)
		die("out of memory");
	rtnl_link_set_flags(chg, IFF_UP);
	r = rtnl_link_change(nls, old, chg, 0);
	rtnl_link_put(chg);
	rtnl_link_put(old);
	if (r < 0)
		die("netlink: cannot set %s up: %s", name, nl_geterror(r));
}

/* ---- the plugin, assembled as main.c does ---- */

static struct rp_ctx ctx;
static char state_dir[PATH_MAX];

static int
zapi_add(void *arg, const struct route *r)
{
	return zclient_route_add(arg, r);
}

static int
zapi_del(void *arg, const struct ipprefix *p)
{
	int r = zclient_route_del(arg, p);

	return r == -ENOENT ? 0 : r;
}

static void
plugin_hook(void *arg, const struct ipprefix *p, enum zroute_state st)
{
	int note = st == ZR_INSTALLED ? ZAPI_NOTE_INSTALLED :
	    st == ZR_FAILED ? ZAPI_NOTE_FAIL_INSTALL : ZAPI_NOTE_BETTER_ADMIN_WON;

	tracker_note(&tr_plugin, p->addr.family, p->addr.bytes, note);
}

static void
log_quiet(enum log_level lvl, const char *msg, void *arg)
{
	if (lvl <= LOG_LVL_WARN || opt_verbose)
		fprintf(stderr, "plugin: %s\n", msg);
}

static struct zclient *
zclient_start(unsigned reconnect_min, unsigned reconnect_max)
{
	struct zclient_config zc;
	struct zclient *z;
	int r;

	memset(&zc, 0, sizeof(zc));
	snprintf(zc.socket_path, sizeof(zc.socket_path), "%s", opt_zsock);
	zc.route_type = PLUGIN_TYPE;
	zc.instance = 0;
	zc.gr_stale_time = RP_DEFAULT_GR_STALE;
	zc.reconnect_min_ms = reconnect_min;
	zc.reconnect_max_ms = reconnect_max;
	if ((r = zclient_new(base, &zc, &z)) != 0)
		die("zclient_new: %s", strerror(-r));
	zclient_set_notify_hook(z, plugin_hook, NULL);
	return z;
}

static bool
zc_is_connected(void *arg)
{
	return zclient_connected(arg);
}

static void
plugin_open(void)
{
	struct announce_backend b = { "zapi", zapi_add, zapi_del, NULL };
	struct store_schema schema;
	char err[512];
	int r;

	snprintf(state_dir, sizeof(state_dir), "%s/zapi-bench-XXXXXX",
	    opt_state_dir);
	if (mkdtemp(state_dir) == NULL)
		die("mkdtemp %s: %s", state_dir, strerror(errno));
	memset(&ctx, 0, sizeof(ctx));
	addr_parse(RP_DEFAULT_GW4, &ctx.cfg.gateway4);
	addr_parse(RP_DEFAULT_GW6, &ctx.cfg.gateway6);
	ctx.cfg.mtu = RP_DEFAULT_MTU;
	snprintf(ctx.cfg.state_dir, sizeof(ctx.cfg.state_dir), "%s", state_dir);
	ctx.cfg.announce_kind = ANNOUNCE_HOST;
	ctx.cfg.tag = TAG;
	ctx.cfg.zapi = true;
	snprintf(ctx.cfg.zebra_socket, sizeof(ctx.cfg.zebra_socket), "%s",
	    opt_zsock);
	ctx.cfg.zebra_type = PLUGIN_TYPE;
	ctx.cfg.gr_stale_time = RP_DEFAULT_GR_STALE;
	ctx.base = base;
	if ((r = plumb_open(&ctx.plumb)) != 0)
		die("plumb_open: %s", strerror(-r));
	if ((ctx.model = model_new()) == NULL || announce_init(&ctx) != 0)
		die("cannot assemble the plugin context: out of memory");
	records_schema(ctx.model, &schema);
	if (store_open(&ctx.store, state_dir, &schema, err, sizeof(err)) != 0 ||
	    store_load(ctx.store, err, sizeof(err)) != 0)
		die("cannot assemble the plugin context: %s", err);
	/* main.c's start_zapi, with the daemon's defaults. */
	ctx.zclient = zclient_start(0, 0);
	b.arg = ctx.zclient;
	if ((r = announce_attach(&ctx, &b)) != 0)
		die("announce_attach: %s", strerror(-r));
}

static void
plugin_close(void)
{
	char path[PATH_MAX + 32];

	zclient_free(ctx.zclient);
	ctx.zclient = NULL;
	announce_free(&ctx);
	store_close(ctx.store);
	ctx.store = NULL;
	model_free(ctx.model);
	ctx.model = NULL;
	plumb_close(ctx.plumb);
	snprintf(path, sizeof(path), "%s/%s", state_dir, STORE_FILE);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s.tmp", state_dir, STORE_FILE);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", state_dir, STORE_JOURNAL);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lock", state_dir);
	unlink(path);
	rmdir(state_dir);
}

/* One plugin request; returns the HTTP status. */
static int
net_call(const char *path, const char *body)
{
	char *out = NULL;
	int st;

	st = api_dispatch(&ctx, netdrv_routes, netdrv_nroutes, path, body,
	    strlen(body), &out);
	if (st != 200)
		fprintf(stderr, "zapi_bench: %s: %d %s\n", path, st,
		    out ? out : "");
	free(out);
	return st;
}

/* Endpoint id k of series s: the interface names come from its hex head. */
static void
ep_id(unsigned s, unsigned k, char id[65])
{
	snprintf(id, 65, "%02x%010x%052x", s & 0xff, k, 0u);
}

static void
create_endpoint(unsigned s, unsigned k, uint32_t addr, char host[IFNAMSIZ],
    char peer[IFNAMSIZ])
{
	char id[65], a[32], body[512];

	ep_id(s, k, id);
	ip4_fmt(addr, a, sizeof(a));
	snprintf(body, sizeof(body), "{\"NetworkID\":\"%s\",\"EndpointID\":"
	    "\"%s\",\"Interface\":{\"Address\":\"%s/16\",\"AddressIPv6\":\"\","
	    "\"MacAddress\":\"\"},\"Options\":{}}", NID, id, a);
	if (net_call("/NetworkDriver.CreateEndpoint", body) != 200)
		die("CreateEndpoint failed");
	model_ifnames(id, host, peer);
}

static void
join_body(unsigned s, unsigned k, char *body, size_t len)
{
	char id[65];

	ep_id(s, k, id);
	snprintf(body, len, "{\"NetworkID\":\"%s\",\"EndpointID\":\"%s\","
	    "\"SandboxKey\":\"/var/run/docker/netns/%012x\",\"Options\":{}}",
	    NID, id, k);
}

/* ---- zebra restarts ---- */

static void
zebra_ctl(const char *verb)
{
	char cmd[PATH_MAX + 32];
	int r;

	snprintf(cmd, sizeof(cmd), "%s %s", opt_zctl, verb);
	if ((r = system(cmd)) != 0)
		die("'%s' failed (%d)", cmd, r);
}

/* ---- scenario 1: lone route ---- */

#define LONE_PLUGIN_NET	"10.50.0.0"	/* 10.50.0.0/16: the network */
#define LONE_BARE_NET	"10.60.0.0"

static double
lone_bare(unsigned i, struct bare *b)
{
	char names[1][IFNAMSIZ];
	struct names nm = { names, 1 };
	char peer[IFNAMSIZ];
	uint8_t mem[128];
	struct buf wb;
	uint32_t addr = ip4(LONE_BARE_NET) + 1 + i;
	double t0;

	snprintf(names[0], IFNAMSIZ, "blh%04u", i);
	snprintf(peer, IFNAMSIZ, "blp%04u", i);
	nl_veth_add(names[0], peer);
	if (!run_until(all_operative, &nm, 5000))
		die("zebra never reported %s operative", names[0]);
	run_for(opt_settle_ms);
	tracker_arm(&tr_bare, addr, 1);
	t0 = now_ms();
	buf_init(&wb, mem, sizeof(mem));
	bare_encode(&wb, addr, ifs_index(names[0]));
	bare_write(b, buf_data(&wb), buf_len(&wb));
	if (!run_until(tracker_done, &tr_bare, 5000))
		die("lone bare route %u: no INSTALLED (%u FAIL_INSTALL)", i,
		    tr_bare.fails);
	return tr_bare.last - t0;
}

/* Join -> INSTALLED: *from_reply from api_dispatch's return, *join its time. */
static void
lone_plugin(unsigned i, double *from_reply, double *join)
{
	char names[1][IFNAMSIZ];
	struct names nm = { names, 1 };
	char peer[IFNAMSIZ], body[512];
	uint32_t addr = ip4(LONE_PLUGIN_NET) + 1 + i;
	double t_call, t_reply;

	create_endpoint(0xa1, i, addr, names[0], peer);
	nl_link_up(peer);
	if (!run_until(all_operative, &nm, 5000))
		die("zebra never reported %s operative", names[0]);
	run_for(opt_settle_ms);
	join_body(0xa1, i, body, sizeof(body));
	tracker_arm(&tr_plugin, addr, 1);
	t_call = now_ms();
	if (net_call("/NetworkDriver.Join", body) != 200)
		die("Join failed");
	t_reply = now_ms();
	if (!run_until(tracker_done, &tr_plugin, 5000))
		die("lone plugin route %u: no INSTALLED (%u FAIL_INSTALL)", i,
		    tr_plugin.fails);
	*from_reply = tr_plugin.last - t_reply;
	*join = t_reply - t_call;
}

static void
scenario_lone(struct bare *b)
{
	double *vb, *vp, *vj, *vd, *vc;
	double mb, pb, mp, pp, mj, pj, md, mc;
	unsigned i, n = opt_lone;

	vb = calloc(n, sizeof(double));
	vp = calloc(n, sizeof(double));
	vj = calloc(n, sizeof(double));
	vd = calloc(n, sizeof(double));
	vc = calloc(n, sizeof(double));
	if (!vb || !vp || !vj || !vd || !vc)
		die("out of memory");
	for (i = 0; i < n; i++) {
		/* Alternate which goes first. */
		if (i % 2 == 0) {
			vb[i] = lone_bare(i, b);
			lone_plugin(i, &vp[i], &vj[i]);
		} else {
			lone_plugin(i, &vp[i], &vj[i]);
			vb[i] = lone_bare(i, b);
		}
		vd[i] = vp[i] - vb[i];
		vc[i] = vp[i] + vj[i];
		note("lone %u: bare %.3f ms, plugin %.3f ms (+ Join %.3f ms)", i,
		    vb[i], vp[i], vj[i]);
	}
	md = quantile(vd, n, 0.5);
	mc = quantile(vc, n, 0.5);
	mb = quantile(vb, n, 0.5);
	pb = quantile(vb, n, 0.9);
	mp = quantile(vp, n, 0.5);
	pp = quantile(vp, n, 0.9);
	mj = quantile(vj, n, 0.5);
	pj = quantile(vj, n, 0.9);
	printf("lone route: zebra alone median %.2f ms p90 %.2f; plugin median "
	    "%.2f ms p90 %.2f; plugin adds %+.2f ms\n", mb, pb, mp, pp, mp - mb);
	printf("  (%u pairs, alternating; plugin timed from Join's reply to "
	    "INSTALLED at its zclient;\n   median of paired differences %.2f ms;"
	    " the Join call itself median %.2f ms p90 %.2f,\n   so from Join's "
	    "request median %.2f ms)\n", n, md, mj, pj, mc);
	fflush(stdout);
	free(vb);
	free(vp);
	free(vj);
	free(vd);
	free(vc);
}

/* ---- scenario 2: N endpoints ---- */

#define BATCH_PLUGIN_NET	"10.50.16.0"	/* inside the network's /16 */
#define BATCH_BARE_NET		"10.60.16.0"
#define BATCH_ZC_NET		"10.61.16.0"
#define BATCH_BURST_NET		"10.62.16.0"

static void
scenario_batch(struct bare *b)
{
	unsigned i, n = opt_batch;
	char (*bh)[IFNAMSIZ], (*ph)[IFNAMSIZ], peer[IFNAMSIZ], body[512];
	struct names nm;
	struct buf wb;
	uint8_t *mem;
	uint32_t bnet = ip4(BATCH_BARE_NET), pnet = ip4(BATCH_PLUGIN_NET);
	uint32_t znet = ip4(BATCH_ZC_NET), bbnet = ip4(BATCH_BURST_NET);
	double t0, t1, bare_ms, burst_ms, zc_ms, plugin_ms, joins_ms = 0, tj, t_lastjoin;
	struct route r;

	bh = calloc(n, IFNAMSIZ);
	ph = calloc(2 * (size_t)n, IFNAMSIZ);
	mem = malloc((size_t)n * 64);
	if (!bh || !ph || !mem)
		die("out of memory");

	/* Kernel work first, outside every measurement. */
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		snprintf(bh[i], IFNAMSIZ, "bbh%04u", i);
		snprintf(peer, IFNAMSIZ, "bbp%04u", i);
		nl_veth_add(bh[i], peer);
		if (i % 64 == 0)
			event_base_loop(base, EVLOOP_NONBLOCK);
	}
	t1 = now_ms();
	for (i = 0; i < n; i++) {
		create_endpoint(0xb2, i, pnet + i, ph[i], peer);
		nl_link_up(peer);
		if (i % 16 == 0)
			event_base_loop(base, EVLOOP_NONBLOCK);
	}
	note("%u bare veths in %.0f ms; %u CreateEndpoint + link up in %.0f ms",
	    n, t1 - t0, n, now_ms() - t1);
	printf("  (setup, not measured: %u veths by netlink %.0f ms; %u "
	    "CreateEndpoint %.0f ms, %.2f ms each)\n", n, t1 - t0, n,
	    now_ms() - t1, (now_ms() - t1) / n);
	for (i = 0; i < n; i++)
		memcpy(ph[n + i], bh[i], IFNAMSIZ);
	nm.v = ph;
	nm.n = 2 * (size_t)n;
	if (!run_until(all_operative, &nm, 60000))
		die("zebra did not report all %u veths operative", 2 * n);
	/* zebra keeps telling about them (addresses...): wait for silence. */
	{
		double quiet = 300;

		t0 = now_ms();
		if (!run_until(zebra_quiet, &quiet, 20000))
			printf("  (zebra never went quiet for 300 ms)\n");
		note("zebra quiet after %.0f ms", now_ms() - t0);
	}

	/*
	 * zebra alone, paced: 16 ROUTE_ADDs per write, the loop run between
	 * writes (as the zclient is fed by Joins).  zebra answers a paced
	 * stream much sooner than one burst, so this is the floor.
	 */
	tracker_arm(&tr_bare, bnet, n);
	t0 = now_ms();
	for (i = 0; i < n; i += 16) {
		unsigned j;

		buf_init(&wb, mem, (size_t)n * 64);
		for (j = i; j < n && j < i + 16; j++)
			bare_encode(&wb, bnet + j, ifs_index(bh[j]));
		bare_write(b, buf_data(&wb), buf_len(&wb));
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	if (!run_until(tracker_done, &tr_bare, 60000))
		printf("  bare: TIMEOUT, %zu of %u INSTALLED, %u FAIL_INSTALL\n",
		    tr_bare.got, n, tr_bare.fails);
	bare_ms = tr_bare.last - t0;
	tracker_profile("batch, bare paced", &tr_bare, t0);
	run_for(500);

	/* zebra alone, one burst of n ROUTE_ADDs in one write. */
	tracker_arm(&tr_bare, bbnet, n);
	t0 = now_ms();
	buf_init(&wb, mem, (size_t)n * 64);
	for (i = 0; i < n; i++)
		bare_encode(&wb, bbnet + i, ifs_index(bh[i]));
	bare_write(b, buf_data(&wb), buf_len(&wb));
	if (!run_until(tracker_done, &tr_bare, 60000))
		printf("  bare burst: TIMEOUT, %zu of %u INSTALLED\n",
		    tr_bare.got, n);
	burst_ms = tr_bare.last - t0;
	tracker_profile("batch, bare burst", &tr_bare, t0);
	run_for(500);

	/* The zclient alone: the same routes, no Docker API. */
	tracker_arm(&tr_plugin, znet, n);
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		r.prefix.addr.family = AF_INET;
		r.prefix.plen = 32;
		{
			uint32_t a = htonl(znet + i);
			memcpy(r.prefix.addr.bytes, &a, 4);
		}
		r.kind = ROUTE_HOST;
		snprintf(r.ifname, sizeof(r.ifname), "%s", bh[i]);
		r.tag = TAG;
		if (zclient_route_add(ctx.zclient, &r) != 0)
			die("zclient_route_add");
		if (i % 16 == 15)
			event_base_loop(base, EVLOOP_NONBLOCK);
	}
	if (!run_until(tracker_done, &tr_plugin, 60000))
		printf("  zclient: TIMEOUT, %zu of %u INSTALLED, %u "
		    "FAIL_INSTALL\n", tr_plugin.got, n, tr_plugin.fails);
	zc_ms = tr_plugin.last - t0;
	tracker_profile("batch, zclient alone", &tr_plugin, t0);
	run_for(500);

	/* The plugin: Joins as Docker would send them, one by one. */
	tracker_arm(&tr_plugin, pnet, n);
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		join_body(0xb2, i, body, sizeof(body));
		tj = now_ms();
		if (net_call("/NetworkDriver.Join", body) != 200)
			die("Join failed");
		joins_ms += now_ms() - tj;
		/* The daemon returns to its loop between requests. */
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	t_lastjoin = now_ms();
	if (!run_until(tracker_done, &tr_plugin, 60000))
		printf("  plugin: TIMEOUT, %zu of %u INSTALLED, %u "
		    "FAIL_INSTALL\n", tr_plugin.got, n, tr_plugin.fails);
	plugin_ms = tr_plugin.last - t0;
	tracker_profile("batch, plugin", &tr_plugin, t0);

	printf("%u endpoints: zebra alone %.1f ms; plugin %.1f ms; ratio %.2f\n",
	    n, bare_ms, plugin_ms, plugin_ms / bare_ms);
	printf("  (zebra alone: %u bare ROUTE_ADDs written 16 at a time; the same "
	    "routes in one burst, over\n   veths whose nexthop groups zebra "
	    "then had already made: %.1f ms;\n   plugin: first Join request to last "
	    "INSTALLED; the %u Joins spent %.1f ms in api_dispatch\n   (%.2f ms "
	    "each), last INSTALLED %.1f ms after the last Join returned;\n   "
	    "zclient alone (%u zclient_route_add, no Docker API, same reused veths): "
	    "%.1f ms, ratio %.2f;\n   FAIL_INSTALL: %u)\n", n, burst_ms, n, joins_ms, joins_ms / n,
	    tr_plugin.last - t_lastjoin, n, zc_ms, zc_ms / bare_ms,
	    tr_bare.fails + tr_plugin.fails);
	fflush(stdout);
	free(bh);
	free(ph);
	free(mem);
}

/* ---- scenario 3: resync after a zebra restart ---- */

#define RESYNC_NET	"10.70.0.0"
#define RESYNC_SETTLE_MS 1000	/* after zebra's start, before either client */

static double
resync_bare(unsigned n)
{
	struct bare *b;
	struct buf wb;
	uint8_t *mem;
	uint32_t net = ip4(RESYNC_NET);
	double t0, ms;
	unsigned i;

	if ((mem = malloc((size_t)n * 64)) == NULL)
		die("out of memory");
	zebra_ctl("restart");
	usleep(RESYNC_SETTLE_MS * 1000);	/* zebra's own start-up work */
	tracker_arm(&tr_bare, net, n);
	b = bare_open(10000, &t0);
	buf_init(&wb, mem, (size_t)n * 64);
	for (i = 0; i < n; i++)
		bare_encode(&wb, net + i, 0);
	bare_write(b, buf_data(&wb), buf_len(&wb));
	if (!run_until(tracker_done, &tr_bare, 60000))
		printf("  bare resync: TIMEOUT, %zu of %u INSTALLED\n",
		    tr_bare.got, n);
	ms = tr_bare.last - t0;
	tracker_profile("resync, bare", &tr_bare, t0);
	note("bare: %u blackholes from connect to last INSTALLED in %.1f ms",
	    n, ms);
	tr_bare.active = false;
	bare_close(b);
	free(mem);
	return ms;
}

/*
 * A zclient with n routes installed; zebra restarted under it.  *fill is
 * how long the first install took, *from_start from the end of the
 * restart command (zebra's socket is there) to the last INSTALLED.
 */
static double
resync_plugin(unsigned n, double *fill, double *from_start)
{
	struct zclient *z;
	struct route r;
	uint32_t net = ip4(RESYNC_NET), a;
	double t0, t_started, ms;
	unsigned i;

	zebra_ctl("restart");
	/* Reconnect quickly: the restart itself is not what is measured. */
	z = zclient_start(5, 50);
	if (!run_until(zc_is_connected, z, 10000))
		die("the zclient did not connect");
	run_for(100);
	tracker_arm(&tr_plugin, net, n);
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		r.prefix.addr.family = AF_INET;
		r.prefix.plen = 32;
		a = htonl(net + i);
		memcpy(r.prefix.addr.bytes, &a, 4);
		r.kind = ROUTE_AGGREGATE;
		r.tag = TAG;
		if (zclient_route_add(z, &r) != 0)
			die("zclient_route_add");
	}
	if (!run_until(tracker_done, &tr_plugin, 60000))
		printf("  plugin fill: TIMEOUT, %zu of %u INSTALLED\n",
		    tr_plugin.got, n);
	*fill = tr_plugin.last - t0;
	tracker_profile("fill, zclient", &tr_plugin, t0);
	run_for(300);

	zebra_ctl("stop");
	zebra_ctl("start");
	t_started = now_ms();
	/*
	 * The loop does not run meanwhile: the zclient sees the old session
	 * close only afterwards and reconnects 5 to 6 ms later.
	 */
	usleep(RESYNC_SETTLE_MS * 1000);
	tracker_arm(&tr_plugin, net, n);
	zc_connect_ms = 0;
	if (!run_until(tracker_done, &tr_plugin, 60000))
		printf("  plugin resync: TIMEOUT, %zu of %u INSTALLED\n",
		    tr_plugin.got, n);
	ms = tr_plugin.last - zc_connect_ms;
	tracker_profile("resync, plugin", &tr_plugin, zc_connect_ms);
	*from_start = tr_plugin.last - t_started;
	note("plugin: fill %.1f ms; resync %.1f ms from connect, %.1f ms from "
	    "zebra start (connect %.1f ms after it)", *fill, ms, *from_start,
	    zc_connect_ms - t_started);
	tr_plugin.active = false;
	zclient_free(z);
	return ms;
}

static void
scenario_resync(void)
{
	unsigned k, n = opt_resync, rounds = opt_resync_rounds;
	double vb[16], vp[16], vf[16], vs[16], mb, mp;

	if (rounds > 16)
		rounds = 16;
	for (k = 0; k < rounds; k++) {
		vb[k] = resync_bare(n);
		vp[k] = resync_plugin(n, &vf[k], &vs[k]);
	}
	mb = quantile(vb, rounds, 0.5);
	mp = quantile(vp, rounds, 0.5);
	printf("resync %u routes: zebra alone %.1f ms; plugin %.1f ms; ratio "
	    "%.2f\n", n, mb, mp, mp / mb);
	printf("  (median of %u rounds; both timed from their connect() to the "
	    "last INSTALLED, on a zebra\n   started %u ms earlier; the plugin's "
	    "zclient reconnects with reconnect_min_ms 5 / max 50,\n   its "
	    "connect() timed by a wrapper; from zebra's socket being ready it "
	    "took %.1f ms;\n   first install of the %u routes by "
	    "zclient_route_add while connected: %.1f ms)\n", rounds,
	    RESYNC_SETTLE_MS, quantile(vs, rounds, 0.5), n,
	    quantile(vf, rounds, 0.5));
	fflush(stdout);
}

/* ---- main ---- */

static void
usage(void)
{
	fprintf(stderr,
"usage: zapi_bench --zebra-socket PATH --zebra-ctl CMD [options]\n"
"  --zebra-ctl CMD     'CMD stop|start|restart' controls zebra (run.sh's)\n"
"  --state-dir DIR     where the plugin's state file goes (default /tmp)\n"
"  --lone N            lone-route pairs (default 50)\n"
"  --batch N           endpoints in the batch (default 1000)\n"
"  --resync N          routes in the resync (default 10000, 0 skips)\n"
"  --resync-rounds N   (default 3)\n"
"  --only LIST         lone,batch,resync (default all)\n"
"  --bare-preamble     the bare client also sends the zclient's GR\n"
"                      capability and REDISTRIBUTE_ADDs (zebra's share)\n"
"  --verbose           progress and profiles on stderr (slows the plugin)\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "zebra-socket", required_argument, NULL, 'z' },
		{ "zebra-ctl", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "lone", required_argument, NULL, 'l' },
		{ "batch", required_argument, NULL, 'b' },
		{ "resync", required_argument, NULL, 'r' },
		{ "resync-rounds", required_argument, NULL, 'R' },
		{ "only", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "bare-preamble", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	const char *only = "lone,batch,resync";
	struct event *tick;
	struct timeval tv = { 0, 10 * 1000 };
	struct bare *b;
	double t;
	char body[512];
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'z': opt_zsock = optarg; break;
		case 'c': opt_zctl = optarg; break;
		case 's': opt_state_dir = optarg; break;
		case 'l': opt_lone = (unsigned)atoi(optarg); break;
		case 'b': opt_batch = (unsigned)atoi(optarg); break;
		case 'r': opt_resync = (unsigned)atoi(optarg); break;
		case 'R': opt_resync_rounds = (unsigned)atoi(optarg); break;
		case 'o': only = optarg; break;
		case 'v': opt_verbose = true; break;
		case 'P': opt_bare_preamble = true; break;
		default: usage();
		}
	}
	if (opt_zsock == NULL || opt_zctl == NULL || optind != argc)
		usage();
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	/*
	 * As the daemon logs: info and warnings to stderr (run.sh keeps them
	 * in bench.log), debug skipped.  A log hook would format every debug
	 * message, which the daemon never does: only --verbose sets one.
	 */
	log_init("zapi_bench", false, false);
	if (opt_verbose)
		log_set_hook(log_quiet, NULL);
	if ((base = event_base_new()) == NULL || (ifs = hmap_new()) == NULL)
		die("out of memory");
	tick = event_new(base, -1, EV_PERSIST, tick_cb, NULL);
	if (tick == NULL || event_add(tick, &tv) != 0)
		die("event_new");
	nl_open();

	/* Scenarios 1 and 2 share one zebra, one plugin and one bare client. */
	if (strstr(only, "lone") != NULL || strstr(only, "batch") != NULL) {
		b = bare_open(10000, &t);
		plugin_open();
		if (!run_until(zc_is_connected, ctx.zclient, 10000))
			die("the plugin's zclient did not connect to %s",
			    opt_zsock);
		snprintf(body, sizeof(body), "{\"NetworkID\":\"%s\",\"Options\":"
		    "{\"com.docker.network.enable_ipv6\":false,\"com.docker."
		    "network.generic\":{}},\"IPv4Data\":[{\"AddressSpace\":"
		    "\"RoutedLocal\",\"Gateway\":\"169.254.1.1/32\",\"Pool\":"
		    "\"10.50.0.0/16\"}],\"IPv6Data\":[]}", NID);
		if (net_call("/NetworkDriver.CreateNetwork", body) != 200)
			die("CreateNetwork failed");
		run_for(300);
		if (strstr(only, "lone") != NULL && opt_lone > 0)
			scenario_lone(b);
		if (strstr(only, "batch") != NULL && opt_batch > 0)
			scenario_batch(b);
		plugin_close();
		bare_close(b);
	}
	if (strstr(only, "resync") != NULL && opt_resync > 0)
		scenario_resync();

	event_free(tick);
	event_base_free(base);
	nl_socket_free(nls);
	return 0;
}
