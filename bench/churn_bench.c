/* SPDX-License-Identifier: MIT */
/*
 * churn_bench.c: container churn through the daemon's two sockets, against
 * the kernel's floor, in one run (bench/churn.sh starts the daemon in a
 * network namespace of its own and runs this inside it).
 *
 * It speaks to a running routed-plugin as Docker 20.10 does: HTTP/1.1 over
 * the unix sockets, keep-alive connections (one per driver and client), the
 * engine's headers and its exact request bodies (Go's json.Encoder: a
 * trailing newline; CreateEndpoint and Join carry the two option arrays,
 * empty without -p).  A lifecycle is Docker's docker run + docker rm -f:
 * RequestAddress, CreateEndpoint, Join, Leave, DeleteEndpoint,
 * ReleaseAddress.
 *
 *  1. per call, median and p99, over --rounds lifecycles one after the
 *     other with N endpoints alive (N = 10, 1000, 5000 by default);
 *  2. lifecycles per second with 1 and with 4 clients (each its own pair
 *     of connections), from the first request to the last reply, and to
 *     the moment the last veth is gone from the kernel;
 *  3. the daemon's peak RSS (VmHWM of --pid);
 *  4. the kernel floor, in the same namespace once the plugin's endpoints
 *     are gone: one `ip -batch` that adds a veth pair, sets it up and adds
 *     a /32 route per endpoint, then one that deletes them one by one; per
 *     endpoint, and lifecycles/s.  (Also 50 veths beside each N.)
 *
 * Two more modes for the two-host lab (bench/converge.sh), where another
 * host learns the routes (OSPF): they watch that host's kernel through a
 * netlink socket opened in its network namespace (--watch-netns).
 *
 *  --converge N: N containers' calls one after another (RequestAddress,
 *     CreateEndpoint, Join, then the container's side of the veth set up,
 *     in this namespace, as Docker does after Join), from the first Join
 *     until every /32 of the pool is in the other kernel; then N removals (Leave, DeleteEndpoint,
 *     ReleaseAddress) until none is left; and, per endpoint, its Join's
 *     reply to its /32 in the other kernel.
 *  --watch: print "<CLOCK_REALTIME seconds> add|del <address>" for each /32
 *     of the pool that comes or goes in the other kernel, until SIGTERM.
 *
 * Nothing is asserted: the figures are for people (bench/README.md).
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NID	"c4ba5e0f1d2e3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccd"
#define OPTS	"\"Options\":{\"com.docker.network.endpoint.exposedports\":[]," \
		"\"com.docker.network.portmap\":[]}"

enum call { C_REQADDR, C_CREATE, C_JOIN, C_LEAVE, C_DELETE, C_RELEASE, C_N };
static const char *const call_names[C_N] = {
	"RequestAddress", "CreateEndpoint", "Join", "Leave", "DeleteEndpoint",
	"ReleaseAddress",
};

static const char *sock_dir;
static const char *pool = "10.200.0.0/16";
static pid_t daemon_pid;

static void die(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "churn_bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---------------------------------------------------------------- HTTP */

struct conn {
	int fd;
	char buf[65536];
	size_t len;		/* bytes in buf not yet consumed */
};

static void
conn_open(struct conn *c, const char *name)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s", sock_dir, name);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		die("connect %s: %s", sun.sun_path, strerror(errno));
	c->len = 0;
}

/*
 * One request as dockerd 20.10 writes it; the reply body (NUL-terminated)
 * into out.  Returns the HTTP status.
 */
static int
conn_call(struct conn *c, const char *path, const char *body, char *out,
    size_t outlen)
{
	char req[4096], *hend, *cl;
	size_t blen = strlen(body), need;
	int n, status;
	ssize_t k;

	n = snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: \r\n"
	    "User-Agent: Go-http-client/1.1\r\nContent-Length: %zu\r\n"
	    "Accept: application/vnd.docker.plugins.v1.2+json\r\n"
	    "Accept-Encoding: gzip\r\n\r\n%s", path, blen, body);
	if (n < 0 || (size_t)n >= sizeof(req))
		die("request too long");
	for (size_t off = 0; off < (size_t)n; off += (size_t)k)
		if ((k = write(c->fd, req + off, (size_t)n - off)) <= 0)
			die("write %s: %s", path, strerror(errno));
	for (;;) {
		c->buf[c->len] = '\0';
		if ((hend = strstr(c->buf, "\r\n\r\n")) != NULL) {
			if ((cl = strcasestr(c->buf, "Content-Length:")) == NULL ||
			    cl > hend)
				die("%s: reply without Content-Length", path);
			need = (size_t)(hend + 4 - c->buf) + strtoul(cl + 15,
			    NULL, 10);
			if (c->len >= need)
				break;
		}
		if (c->len + 1 >= sizeof(c->buf))
			die("%s: reply too long", path);
		if ((k = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 -
		    c->len)) <= 0)
			die("read %s: %s", path, k ? strerror(errno) : "EOF");
		c->len += (size_t)k;
	}
	status = atoi(c->buf + 9);
	snprintf(out, outlen, "%.*s", (int)(need - (size_t)(hend + 4 - c->buf)),
	    hend + 4);
	memmove(c->buf, c->buf + need, c->len - need);
	c->len -= need;
	return status;
}

/* ---------------------------------------------------------------- Docker */

struct client {
	struct conn net, ipam;
	unsigned seed;
};

struct ep {
	char id[65];
	char addr[32];		/* without the prefix length */
};

static void
client_open(struct client *cl, unsigned seed)
{
	conn_open(&cl->net, "net-routed.sock");
	conn_open(&cl->ipam, "ipam-routed.sock");
	cl->seed = seed;
}

static void
client_close(struct client *cl)
{
	close(cl->net.fd);
	close(cl->ipam.fd);
}

static void
hex(struct client *cl, char *out, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = digits[rand_r(&cl->seed) & 15];
	out[n] = '\0';
}

static void
must(int status, const char *what, const char *reply)
{
	if (status != 200 || strstr(reply, "\"Err") != NULL)
		die("%s: %d %s", what, status, reply);
}

/* One call of a lifecycle: timed into t[k] when t is not NULL; must succeed. */
static void
timed(struct conn *c, enum call k, const char *body, char *reply,
    size_t len, double *t)
{
	static const char *const paths[C_N] = {
		"/IpamDriver.RequestAddress", "/NetworkDriver.CreateEndpoint",
		"/NetworkDriver.Join", "/NetworkDriver.Leave",
		"/NetworkDriver.DeleteEndpoint", "/IpamDriver.ReleaseAddress",
	};
	double t0 = now_ms();
	int st = conn_call(c, paths[k], body, reply, len);

	if (t != NULL)
		t[k] = now_ms() - t0;
	must(st, call_names[k], reply);
}

/* Docker's calls of docker run; t[] gets each call's time (ms) if not NULL. */
static void
ep_up(struct client *cl, struct ep *ep, double *t)
{
	char body[1024], reply[1024], sb[13], *p;

	hex(cl, ep->id, 64);
	snprintf(body, sizeof(body), "{\"PoolID\":\"%s\",\"Address\":\"\","
	    "\"Options\":null}\n", pool);
	timed(&cl->ipam, C_REQADDR, body, reply, sizeof(reply), t);
	if ((p = strstr(reply, "\"Address\":\"")) == NULL)
		die("RequestAddress: %s", reply);
	snprintf(ep->addr, sizeof(ep->addr), "%s", p + 11);
	if ((p = strchr(ep->addr, '/')) == NULL)
		die("RequestAddress: %s", reply);
	*p = '\0';
	snprintf(body, sizeof(body), "{\"NetworkID\":\"" NID "\",\"EndpointID\":"
	    "\"%s\",\"Interface\":{\"Address\":\"%s/32\",\"AddressIPv6\":\"\","
	    "\"MacAddress\":\"\"}," OPTS "}\n", ep->id, ep->addr);
	timed(&cl->net, C_CREATE, body, reply, sizeof(reply), t);
	hex(cl, sb, 12);
	snprintf(body, sizeof(body), "{\"NetworkID\":\"" NID "\",\"EndpointID\":"
	    "\"%s\",\"SandboxKey\":\"/var/run/docker/netns/%s\"," OPTS "}\n",
	    ep->id, sb);
	timed(&cl->net, C_JOIN, body, reply, sizeof(reply), t);
}

/* Docker's calls of docker rm -f (its container gone). */
static void
ep_down(struct client *cl, const struct ep *ep, double *t)
{
	char body[1024], reply[1024];

	snprintf(body, sizeof(body), "{\"NetworkID\":\"" NID "\",\"EndpointID\":"
	    "\"%s\"}\n", ep->id);
	timed(&cl->net, C_LEAVE, body, reply, sizeof(reply), t);
	timed(&cl->net, C_DELETE, body, reply, sizeof(reply), t);
	snprintf(body, sizeof(body), "{\"PoolID\":\"%s\",\"Address\":"
	    "\"%s\"}\n", pool, ep->addr);
	timed(&cl->ipam, C_RELEASE, body, reply, sizeof(reply), t);
}

static void
network_up(struct client *cl)
{
	char body[1024], reply[1024], gw[64], *p;

	snprintf(body, sizeof(body), "{\"AddressSpace\":\"RoutedLocal\","
	    "\"Pool\":\"%s\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}\n",
	    pool);
	must(conn_call(&cl->ipam, "/IpamDriver.RequestPool", body, reply,
	    sizeof(reply)), "RequestPool", reply);
	snprintf(body, sizeof(body), "{\"PoolID\":\"%s\",\"Address\":\"\","
	    "\"Options\":{\"RequestAddressType\":\"com.docker.network."
	    "gateway\"}}\n", pool);
	must(conn_call(&cl->ipam, "/IpamDriver.RequestAddress", body, reply,
	    sizeof(reply)), "RequestAddress (gateway)", reply);
	if ((p = strstr(reply, "\"Address\":\"")) == NULL)
		die("RequestAddress (gateway): %s", reply);
	snprintf(gw, sizeof(gw), "%s", p + 11);
	if ((p = strchr(gw, '"')) == NULL)
		die("RequestAddress (gateway): %s", reply);
	*p = '\0';
	snprintf(body, sizeof(body), "{\"NetworkID\":\"" NID "\",\"Options\":"
	    "{\"com.docker.network.enable_ipv6\":false,\"com.docker.network."
	    "generic\":{}},\"IPv4Data\":[{\"AddressSpace\":\"RoutedLocal\","
	    "\"Gateway\":\"%s\",\"Pool\":\"%s\"}],\"IPv6Data\":[]}\n", gw,
	    pool);
	must(conn_call(&cl->net, "/NetworkDriver.CreateNetwork", body, reply,
	    sizeof(reply)), "CreateNetwork", reply);
}

/* ---------------------------------------------------------------- kernel */

/* Links of ours in this namespace (the daemon's veths and the floor's). */
static int
count_links(const char *prefix)
{
	char line[512];
	FILE *f;
	int n = 0;

	if ((f = popen("ip -o link show", "r")) == NULL)
		die("ip: %s", strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *name = strchr(line, ' ');
		if (name != NULL && strncmp(name + 1, prefix, strlen(prefix)) == 0)
			n++;
	}
	pclose(f);
	return n;
}

/* Run `ip -batch file`; its wall time in ms. */
static double
ip_batch(const char *file)
{
	double t0 = now_ms();
	pid_t pid;
	int st;

	if ((pid = fork()) == 0) {
		execlp("ip", "ip", "-batch", file, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		die("ip -batch %s failed", file);
	return now_ms() - t0;
}

/* The floor: n endpoints made, then deleted, one by one, by ip(8). */
static void
kernel_floor(int n, double *add_ms, double *del_ms)
{
	char path[] = "/tmp/churn-floor-XXXXXX";
	FILE *f;
	int fd, i;

	if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "w")) == NULL)
		die("mkstemp: %s", strerror(errno));
	for (i = 0; i < n; i++)
		fprintf(f, "link add fh%d mtu 1500 type veth peer name fc%d mtu 1500\n"
		    "link set fh%d up\nroute add 10.201.%d.%d/32 dev fh%d scope link\n",
		    i, i, i, i / 250, i % 250 + 1, i);
	fclose(f);
	*add_ms = ip_batch(path) / n;
	if ((f = fopen(path, "w")) == NULL)
		die("%s: %s", path, strerror(errno));
	for (i = 0; i < n; i++)
		fprintf(f, "link del fh%d\n", i);
	fclose(f);
	*del_ms = ip_batch(path) / n;
	unlink(path);
}

/* A line of the daemon's /proc status, in kB (VmHWM: peak RSS). */
static long
status_kb(const char *key)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)daemon_pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0)
			kb = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	return kb;
}

/* ---------------------------------------------------------------- watch */

/*
 * The /32s of the pool in another namespace's kernel (main table), as its
 * route notifications tell them; a full dump again when the socket
 * overflowed (ENOBUFS).  One thread; the state under a mutex.
 */
struct watch {
	int mon, dump;			/* netlink sockets in the other netns */
	uint32_t base, mask;		/* the pool, host order */
	size_t size;			/* addresses in the pool */
	bool *present;
	double *added, *gone;		/* last time seen coming / going, ms */
	size_t count;			/* present */
	size_t resyncs;
	bool log;			/* --watch: print every change */
	pthread_mutex_t mu;
	pthread_t th;
};

static struct watch W = { .mu = PTHREAD_MUTEX_INITIALIZER };

static double
now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
parse_pool(const char *p, uint32_t *base, uint32_t *mask)
{
	char a[64], *sl;
	struct in_addr in;
	int len;

	snprintf(a, sizeof(a), "%s", p);
	if ((sl = strchr(a, '/')) == NULL)
		die("pool %s: no prefix length", p);
	*sl = '\0';
	len = atoi(sl + 1);
	if (inet_pton(AF_INET, a, &in) != 1 || len < 8 || len > 30)
		die("pool %s: an IPv4 prefix from /8 to /30, please", p);
	*mask = ~0u << (32 - len);
	*base = ntohl(in.s_addr) & *mask;
}

/* A netlink route socket in the namespace of path; groups as given. */
static int
netns_socket(const char *path, unsigned groups)
{
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK, .nl_groups = groups };
	int self, other, fd, sz = 16 << 20;

	if ((self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0 ||
	    (other = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		die("open %s: %s", path, strerror(errno));
	if (setns(other, CLONE_NEWNET) != 0)
		die("setns %s: %s", path, strerror(errno));
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (setns(self, CLONE_NEWNET) != 0)
		die("setns back: %s", strerror(errno));
	close(self);
	close(other);
	if (fd < 0 || bind(fd, (struct sockaddr *)&snl, sizeof(snl)) != 0)
		die("netlink: %s", strerror(errno));
	/* root: past rmem_max, so that a burst of routes does not overflow */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	return fd;
}

/* Record one /32 of the pool present (or not) at time t; W.mu held. */
static void
watch_set(uint32_t a, bool on, double t)
{
	size_t i = a - W.base;
	char s[INET_ADDRSTRLEN];
	struct in_addr in = { htonl(a) };

	if ((a & W.mask) != W.base || i >= W.size || W.present[i] == on)
		return;
	W.present[i] = on;
	if (on) {
		W.added[i] = t;
		W.count++;
	} else {
		W.gone[i] = t;
		W.count--;
	}
	if (W.log)
		printf("%.6f %s %s\n", now_real(), on ? "add" : "del",
		    inet_ntop(AF_INET, &in, s, sizeof(s)));
}

/* The /32 of a route message in the main table, or 0 (not one). */
static uint32_t
route_dst(struct nlmsghdr *h)
{
	struct rtmsg *rt = NLMSG_DATA(h);
	struct rtattr *a;
	int len = (int)RTM_PAYLOAD(h);
	uint32_t dst;

	if (rt->rtm_family != AF_INET || rt->rtm_dst_len != 32 ||
	    rt->rtm_table != RT_TABLE_MAIN)
		return 0;
	for (a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) == 4) {
			memcpy(&dst, RTA_DATA(a), 4);
			return ntohl(dst);
		}
	return 0;
}

/* Read one batch of messages from fd into the state; 0, or -errno. */
static int
watch_read(int fd, bool *seen, bool *done)
{
	static char buf[1 << 16];
	struct nlmsghdr *h;
	ssize_t n;
	double t;
	uint32_t a;

	if ((n = recv(fd, buf, sizeof(buf), 0)) < 0)
		return -errno;
	t = now_ms();
	pthread_mutex_lock(&W.mu);
	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
	    h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
			if (done != NULL)
				*done = true;
			continue;
		}
		if ((h->nlmsg_type != RTM_NEWROUTE && h->nlmsg_type !=
		    RTM_DELROUTE) || (a = route_dst(h)) == 0 ||
		    (a & W.mask) != W.base)
			continue;
		if (seen != NULL)
			seen[a - W.base] = true;
		else
			watch_set(a, h->nlmsg_type == RTM_NEWROUTE, t);
	}
	pthread_mutex_unlock(&W.mu);
	return 0;
}

/* Notifications were lost: what the kernel holds now, by a dump. */
static void
watch_resync(void)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg r;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETROUTE,
		    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.r = { .rtm_family = AF_INET },
	};
	bool *seen, done = false;
	double t;
	size_t i;

	if ((seen = calloc(W.size, sizeof(*seen))) == NULL)
		die("out of memory");
	if (send(W.dump, &req, sizeof(req), 0) < 0)
		die("netlink dump: %s", strerror(errno));
	while (!done)
		if (watch_read(W.dump, seen, &done) != 0)
			die("netlink dump: %s", strerror(errno));
	t = now_ms();
	pthread_mutex_lock(&W.mu);
	for (i = 0; i < W.size; i++)
		watch_set(W.base + (uint32_t)i, seen[i], t);
	W.resyncs++;
	pthread_mutex_unlock(&W.mu);
	free(seen);
}

static void *
watch_loop(void *arg)
{
	int r;

	for (;;) {
		if ((r = watch_read(W.mon, NULL, NULL)) == -ENOBUFS)
			watch_resync();
		else if (r != 0 && r != -EINTR)
			die("netlink: %s", strerror(-r));
	}
	return NULL;
}

/* Watch the pool's /32s in the namespace of path: a dump, then a thread. */
static void
watch_start(const char *path, bool log)
{
	uint32_t mask;

	parse_pool(pool, &W.base, &mask);
	W.mask = mask;
	W.size = (size_t)~mask + 1;
	W.log = log;
	if ((W.present = calloc(W.size, sizeof(*W.present))) == NULL ||
	    (W.added = calloc(W.size, sizeof(*W.added))) == NULL ||
	    (W.gone = calloc(W.size, sizeof(*W.gone))) == NULL)
		die("out of memory");
	W.mon = netns_socket(path, RTMGRP_IPV4_ROUTE);
	W.dump = netns_socket(path, 0);
	watch_resync();
	W.resyncs = 0;
	if (pthread_create(&W.th, NULL, watch_loop, NULL) != 0)
		die("pthread_create");
}

static size_t
watch_count(void)
{
	size_t n;

	pthread_mutex_lock(&W.mu);
	n = W.count;
	pthread_mutex_unlock(&W.mu);
	return n;
}

/* Wait until want /32s are present (at most secs); the time it happened. */
static double
watch_until(size_t want, double secs)
{
	double t0 = now_ms();

	while (watch_count() != want) {
		if (now_ms() - t0 > secs * 1e3)
			die("%zu of the pool's /32s in the other kernel after %.0f "
			    "s, not %zu", watch_count(), secs, want);
		usleep(500);
	}
	return now_ms();
}

/* ---------------------------------------------------------------- figures */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(double *v, size_t n, double p)
{
	size_t i;

	qsort(v, n, sizeof(*v), cmp_double);
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

struct mt {
	int n;
	unsigned seed;
	double ms;
};

static void *
lifecycles(void *arg)
{
	struct mt *m = arg;
	struct client cl;
	struct ep ep;
	int i;

	client_open(&cl, m->seed);
	for (i = 0; i < m->n; i++) {
		ep_up(&cl, &ep, NULL);
		ep_down(&cl, &ep, NULL);
	}
	client_close(&cl);
	return NULL;
}

/* total lifecycles over k clients: per second, to the replies and to a clean kernel */
static void
throughput(int k, int total, double *per_s, double *clean_s)
{
	pthread_t th[16];
	struct mt m[16];
	double t0, t1;
	int i, base = count_links("rt");

	t0 = now_ms();
	for (i = 0; i < k; i++) {
		m[i].n = total / k;
		m[i].seed = 1000u + (unsigned)i * 7919u + (unsigned)total;
		if (pthread_create(&th[i], NULL, lifecycles, &m[i]) != 0)
			die("pthread_create");
	}
	for (i = 0; i < k; i++)
		pthread_join(th[i], NULL);
	t1 = now_ms();
	/* the deferred teardown is work too: until the last veth is gone */
	while (count_links("rt") + count_links("rd") > base)
		usleep(1000);
	*per_s = (total / k * k) / ((t1 - t0) / 1e3);
	*clean_s = (total / k * k) / ((now_ms() - t0) / 1e3);
}

/*
 * Set link name of this namespace up, as Docker sets the container's side
 * up after Join (the host side has no carrier before: zebra installs no
 * route through it).
 */
static void
link_up(const char *name)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
		char attr[RTA_SPACE(IFNAMSIZ)];
	} req;
	struct rtattr *a;
	char buf[1024];
	struct nlmsgerr *e;
	ssize_t n;
	int fd;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.i)) + RTA_SPACE(IFNAMSIZ);
	req.h.nlmsg_type = RTM_NEWLINK;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.i.ifi_family = AF_UNSPEC;
	req.i.ifi_flags = req.i.ifi_change = IFF_UP;
	a = (struct rtattr *)req.attr;
	a->rta_type = IFLA_IFNAME;
	a->rta_len = RTA_LENGTH(IFNAMSIZ);
	snprintf(RTA_DATA(a), IFNAMSIZ, "%s", name);
	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) < 0 ||
	    send(fd, &req, req.h.nlmsg_len, 0) < 0 ||
	    (n = recv(fd, buf, sizeof(buf), 0)) < (ssize_t)NLMSG_LENGTH(sizeof(*e)))
		die("link set %s up: %s", name, strerror(errno));
	e = NLMSG_DATA((struct nlmsghdr *)buf);
	if (e->error != 0)
		die("link set %s up: %s", name, strerror(-e->error));
	close(fd);
}

/* The index of address a (text) in the pool. */
static size_t
pool_index(const char *a)
{
	struct in_addr in;

	if (inet_pton(AF_INET, a, &in) != 1)
		die("bad address %s", a);
	return ntohl(in.s_addr) - W.base;
}

/* Median and p90 of v[n] (sorted in place), and its largest, in a line. */
static void
print_spread(const char *what, double *v, size_t n)
{
	printf("  %s: median %.1f ms, p90 %.1f ms, max %.1f ms\n", what,
	    pct(v, n, 0.5), pct(v, n, 0.9), pct(v, n, 1.0));
}

/*
 * Once the watch saw all (or none) of eps[n]: lat[i], the time from ref[i]
 * to eps[i]'s /32 coming (or going) in the other kernel, from at[] (W.added
 * or W.gone); the time the last of them did.
 */
static double
latencies(const struct ep *eps, size_t n, const double *ref,
    const double *at, double *lat)
{
	double last = 0;
	size_t i, k;

	pthread_mutex_lock(&W.mu);
	for (i = 0; i < n; i++) {
		k = pool_index(eps[i].addr);
		lat[i] = at[k] - ref[i];
		if (at[k] > last)
			last = at[k];
	}
	pthread_mutex_unlock(&W.mu);
	return last;
}

/*
 * --converge: n containers' routes from the first Join to the last /32 in
 * the other kernel, and back.  One client, the calls one after another, as
 * a dockerd starting containers one by one.
 */
static void
converge(int n)
{
	struct client cl;
	struct ep *eps;
	char peer[IFNAMSIZ];
	double lc[C_N], *rep, *lat, t0, first, last, done;
	size_t i;

	if ((eps = calloc((size_t)n, sizeof(*eps))) == NULL ||
	    (rep = calloc((size_t)n, sizeof(*rep))) == NULL ||
	    (lat = calloc((size_t)n, sizeof(*lat))) == NULL)
		die("out of memory");
	client_open(&cl, 4242);
	network_up(&cl);
	if (watch_count() != 0)
		die("%zu /32s of %s are in the other kernel already", watch_count(),
		    pool);
	first = 0;
	for (i = 0; i < (size_t)n; i++) {
		t0 = now_ms();
		ep_up(&cl, &eps[i], lc);
		if (i == 0)
			first = t0 + lc[C_REQADDR] + lc[C_CREATE];
		rep[i] = now_ms();		/* Join's reply */
		snprintf(peer, sizeof(peer), "rc%.12s", eps[i].id);
		link_up(peer);
	}
	watch_until((size_t)n, 600);
	last = latencies(eps, (size_t)n, rep, W.added, lat);
	printf("%d containers (RequestAddress, CreateEndpoint, Join each, one "
	    "after another) on A:\n  first Join to last Join reply: %.1f ms\n"
	    "  first Join to all %d /32s in B's kernel: %.1f ms\n", n,
	    rep[n - 1] - first, n, last - first);
	print_spread("a Join's reply to its /32 in B's kernel", lat, (size_t)n);

	first = 0;
	for (i = 0; i < (size_t)n; i++) {
		t0 = now_ms();
		ep_down(&cl, &eps[i], lc);
		if (i == 0)
			first = t0;
		rep[i] = t0 + lc[C_LEAVE];	/* Leave's reply */
	}
	done = now_ms();
	watch_until(0, 600);
	last = latencies(eps, (size_t)n, rep, W.gone, lat);
	printf("%d removals (Leave, DeleteEndpoint, ReleaseAddress each):\n"
	    "  first Leave to last ReleaseAddress reply: %.1f ms\n"
	    "  first Leave to none of the /32s left in B's kernel: %.1f ms\n", n,
	    done - first, last - first);
	print_spread("a Leave's reply to its /32 gone from B's kernel", lat,
	    (size_t)n);
	if (W.resyncs > 0)
		printf("  (route notifications were lost %zu times: those routes "
		    "timed by a dump)\n", W.resyncs);
	client_close(&cl);
	free(eps);
	free(rep);
	free(lat);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket-dir", required_argument, NULL, 's' },
		{ "pid", required_argument, NULL, 'p' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "live", required_argument, NULL, 'l' },
		{ "lifecycles", required_argument, NULL, 'L' },
		{ "floor", required_argument, NULL, 'f' },
		{ "pool", required_argument, NULL, 'P' },
		{ "converge", required_argument, NULL, 'C' },
		{ "watch-netns", required_argument, NULL, 'n' },
		{ "watch", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	const char *netns = NULL;
	int conv_n = 0;
	bool watch_only = false;
	int live[8] = { 10, 1000, 5000 }, nlive = 3, rounds = 200, total = 400;
	int floor_n = 1000, o, i, j, c, alive = 0;
	double *t[C_N], lc[C_N], fadd, fdel, l1, l4, c1, c4, create1000 = 0,
	    delete1000 = 0, nadd, ndel, nfloor1000 = 0, cmed = 0;
	long rss1000 = -1, peak;
	struct ep *keep;
	struct client cl;
	char *s;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's': sock_dir = optarg; break;
		case 'p': daemon_pid = (pid_t)atoi(optarg); break;
		case 'r': rounds = atoi(optarg); break;
		case 'L': total = atoi(optarg); break;
		case 'f': floor_n = atoi(optarg); break;
		case 'P': pool = optarg; break;
		case 'C': conv_n = atoi(optarg); break;
		case 'n': netns = optarg; break;
		case 'w': watch_only = true; break;
		case 'l':
			for (nlive = 0, s = strtok(optarg, ","); s && nlive < 8;
			    s = strtok(NULL, ","))
				live[nlive++] = atoi(s);
			break;
		default:
			die("usage: churn_bench --socket-dir DIR --pid PID "
			    "[--rounds N] [--live 10,1000,5000] [--lifecycles N] "
			    "[--floor N] [--pool P]\n       churn_bench --socket-dir "
			    "DIR --converge N --watch-netns PATH [--pool P]\n"
			    "       churn_bench --watch --watch-netns PATH [--pool P]");
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);	/* progress shows as it goes */
	if (watch_only || conv_n > 0) {
		if (netns == NULL || (conv_n > 0 && sock_dir == NULL))
			die("--watch and --converge need --watch-netns (and "
			    "--converge --socket-dir)");
		watch_start(netns, watch_only);
		if (watch_only)
			for (;;)
				pause();
		converge(conv_n);
		return 0;
	}
	if (sock_dir == NULL || rounds < 2 || total < 4 || floor_n < 1)
		die("--socket-dir is required; --rounds >= 2, --lifecycles >= 4");
	for (c = 0; c < C_N; c++)
		if ((t[c] = calloc((size_t)rounds, sizeof(double))) == NULL)
			die("out of memory");
	if ((keep = calloc((size_t)live[nlive - 1] + 1, sizeof(*keep))) == NULL)
		die("out of memory");

	client_open(&cl, 42);
	network_up(&cl);
	throughput(1, total, &l1, &c1);
	throughput(4, total, &l4, &c4);
	printf("lifecycles/s (%d, 10 or fewer alive): 1 client %.1f (%.1f until "
	    "the kernel is clean), 4 clients %.1f (%.1f)\n", total, l1, c1, l4, c4);

	for (i = 0; i < nlive; i++) {
		while (alive < live[i])
			ep_up(&cl, &keep[alive++], NULL);
		/* let the batches of the fill go first */
		while (count_links("rd") > 0)
			usleep(1000);
		for (j = 0; j < rounds; j++) {
			struct ep ep;

			ep_up(&cl, &ep, lc);
			ep_down(&cl, &ep, lc);
			for (c = 0; c < C_N; c++)
				t[c][j] = lc[c];
		}
		printf("%d alive:", alive);
		for (c = 0; c < C_N; c++) {
			double med = pct(t[c], (size_t)rounds, 0.5);
			printf(" %s %.3f/%.3f", call_names[c], med,
			    pct(t[c], (size_t)rounds, 0.99));
			if (c == C_CREATE && live[i] == 1000)
				create1000 = med;
			if (c == C_DELETE && live[i] == 1000)
				delete1000 = med;
			if (c == C_CREATE)
				cmed = med;
		}
		printf(" (ms, median/p99 of %d)\n", rounds);
		/* the floor beside N live veths: the kernel's cost grows too */
		kernel_floor(50, &nadd, &ndel);
		printf("%d alive: kernel floor create %.3f ms/endpoint (50 more "
		    "by ip -batch), CreateEndpoint/floor %.2fx; daemon RSS %.1f MB, "
		    "peak %.1f MB\n", alive, nadd, cmed / nadd,
		    status_kb("VmRSS:") / 1024.0, status_kb("VmHWM:") / 1024.0);
		if (live[i] == 1000) {
			nfloor1000 = nadd;
			rss1000 = status_kb("VmHWM:");
		}
	}

	peak = status_kb("VmHWM:");
	/*
	 * The floor last, with nothing of the plugin's left: one-by-one veth
	 * deletions leave the kernel busy for seconds after them, which must
	 * not slow the plugin's figures.
	 */
	while (alive > 0)
		ep_down(&cl, &keep[--alive], NULL);
	client_close(&cl);
	for (i = 0; i < 5000 && count_links("rt") + count_links("rd") > 0; i++)
		usleep(1000);
	kernel_floor(floor_n, &fadd, &fdel);
	printf("kernel floor (ip -batch, %d endpoints): create %.3f ms/endpoint "
	    "(veth add + up + /32 route), delete %.3f ms/endpoint (one by one); "
	    "one-by-one lifecycles/s %.1f\n", floor_n, fadd, fdel,
	    1e3 / (fadd + fdel));

	printf("\n%-44s %12s %12s %12s\n", "figure", "plugin", "floor", "ratio");
	if (create1000 > 0)
		printf("%-44s %9.3f ms %9.3f ms %11.2fx  (target <= 1.5x)\n",
		    "CreateEndpoint median, 1000 alive", create1000, nfloor1000,
		    create1000 / nfloor1000);
	if (delete1000 > 0)
		printf("%-44s %9.3f ms %9.3f ms %11.2fx  (target <= 2 ms)\n",
		    "DeleteEndpoint reply median, 1000 alive", delete1000, fdel,
		    delete1000 / fdel);
	printf("%-44s %12.1f %12.1f %11.2fx  (target >= 3x)\n",
	    "lifecycles/s, 4 clients (replies)", l4, 1e3 / (fadd + fdel),
	    l4 * (fadd + fdel) / 1e3);
	printf("%-44s %12.1f %12.1f %11.2fx\n",
	    "lifecycles/s, 4 clients (kernel clean)", c4, 1e3 / (fadd + fdel),
	    c4 * (fadd + fdel) / 1e3);
	if (rss1000 >= 0)
		printf("%-44s %9.1f MB %12s %12s  (target <= 8 MB)\n",
		    "peak RSS, up to 1000 alive", rss1000 / 1024.0, "-", "-");
	printf("%-44s %9.1f MB %12s %12s\n", "peak RSS, whole run",
	    peak / 1024.0, "-", "-");
	for (c = 0; c < C_N; c++)
		free(t[c]);
	free(keep);
	return 0;
}
