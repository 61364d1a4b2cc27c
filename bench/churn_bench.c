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
 *  4. the kernel floor, measured beside it: one `ip -batch` that adds a
 *     veth pair, sets it up and adds a /32 route per endpoint, then one
 *     that deletes them one by one; per endpoint, and lifecycles/s.
 *
 * Nothing is asserted: the figures are for people (bench/README.md).
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POOL	"10.200.0.0/16"
#define NID	"c4ba5e0f1d2e3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccd"
#define OPTS	"\"Options\":{\"com.docker.network.endpoint.exposedports\":[]," \
		"\"com.docker.network.portmap\":[]}"

enum call { C_REQADDR, C_CREATE, C_JOIN, C_LEAVE, C_DELETE, C_RELEASE, C_N };
static const char *const call_names[C_N] = {
	"RequestAddress", "CreateEndpoint", "Join", "Leave", "DeleteEndpoint",
	"ReleaseAddress",
};

static const char *sock_dir;
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
	timed(&cl->ipam, C_REQADDR, "{\"PoolID\":\"" POOL "\",\"Address\":\"\","
	    "\"Options\":null}\n", reply, sizeof(reply), t);
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
	snprintf(body, sizeof(body), "{\"PoolID\":\"" POOL "\",\"Address\":"
	    "\"%s\"}\n", ep->addr);
	timed(&cl->ipam, C_RELEASE, body, reply, sizeof(reply), t);
}

static void
network_up(struct client *cl)
{
	char reply[1024];

	must(conn_call(&cl->ipam, "/IpamDriver.RequestPool", "{\"AddressSpace\":"
	    "\"RoutedLocal\",\"Pool\":\"" POOL "\",\"SubPool\":\"\",\"Options\":"
	    "{},\"V6\":false}\n", reply, sizeof(reply)), "RequestPool", reply);
	must(conn_call(&cl->ipam, "/IpamDriver.RequestAddress", "{\"PoolID\":\""
	    POOL "\",\"Address\":\"\",\"Options\":{\"RequestAddressType\":"
	    "\"com.docker.network.gateway\"}}\n", reply, sizeof(reply)),
	    "RequestAddress (gateway)", reply);
	must(conn_call(&cl->net, "/NetworkDriver.CreateNetwork", "{\"NetworkID\":"
	    "\"" NID "\",\"Options\":{\"com.docker.network.enable_ipv6\":false,"
	    "\"com.docker.network.generic\":{}},\"IPv4Data\":[{\"AddressSpace\":"
	    "\"RoutedLocal\",\"Gateway\":\"10.200.0.1/32\",\"Pool\":\"" POOL
	    "\"}],\"IPv6Data\":[]}\n", reply, sizeof(reply)), "CreateNetwork",
	    reply);
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
		{ NULL, 0, NULL, 0 },
	};
	int live[8] = { 10, 1000, 5000 }, nlive = 3, rounds = 200, total = 400;
	int floor_n = 1000, o, i, j, c, alive = 0;
	double *t[C_N], lc[C_N], fadd, fdel, l1, l4, c1, c4, create1000 = 0,
	    delete1000 = 0, nadd, ndel, nfloor1000 = 0, cmed = 0;
	long rss1000 = -1;
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
		case 'l':
			for (nlive = 0, s = strtok(optarg, ","); s && nlive < 8;
			    s = strtok(NULL, ","))
				live[nlive++] = atoi(s);
			break;
		default:
			die("usage: churn_bench --socket-dir DIR --pid PID "
			    "[--rounds N] [--live 10,1000,5000] [--lifecycles N] "
			    "[--floor N]");
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);	/* progress shows as it goes */
	if (sock_dir == NULL || rounds < 2 || total < 4 || floor_n < 1)
		die("--socket-dir is required; --rounds >= 2, --lifecycles >= 4");
	for (c = 0; c < C_N; c++)
		if ((t[c] = calloc((size_t)rounds, sizeof(double))) == NULL)
			die("out of memory");
	if ((keep = calloc((size_t)live[nlive - 1] + 1, sizeof(*keep))) == NULL)
		die("out of memory");

	kernel_floor(floor_n, &fadd, &fdel);
	printf("kernel floor (ip -batch, %d endpoints): create %.3f ms/endpoint "
	    "(veth add + up + /32 route), delete %.3f ms/endpoint (one by one); "
	    "one-by-one lifecycles/s %.1f\n", floor_n, fadd, fdel,
	    1e3 / (fadd + fdel));

	/* the kernel finishes the floor's deletions in the background */
	sleep(3);
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
	    status_kb("VmHWM:") / 1024.0, "-", "-");

	/* leave nothing: every endpoint down, then the kernel clean */
	while (alive > 0)
		ep_down(&cl, &keep[--alive], NULL);
	client_close(&cl);
	for (i = 0; i < 5000 && count_links("rt") + count_links("rd") > 0; i++)
		usleep(1000);
	for (c = 0; c < C_N; c++)
		free(t[c]);
	free(keep);
	return 0;
}
