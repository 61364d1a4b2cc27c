/* SPDX-License-Identifier: MIT */
/*
 * ep_bench.c: what a container with four addresses costs, as Docker 20.10
 * asks for it, against four containers of one address each.
 *
 * It talks to a running routed-plugin (started with --extra-addresses) over
 * its two unix sockets, with the request bodies Docker 20.10 sends
 * (shared/docs/docker-plugin-api.md section 8), one keep-alive connection
 * per socket as the engine keeps them.  Per round:
 *   one:  RequestAddress, CreateEndpoint with routed.ip-count=3
 *   four: 4 x (RequestAddress, CreateEndpoint)
 * timed from the first request to the last reply, then undone (untimed):
 * DeleteEndpoint, ReleaseAddress.  The two kinds alternate, so that both see
 * the same kernel.  It prints the medians and p90s.  See bench/README.md.
 *
 *   ep_bench SOCKET_DIR [ROUNDS]
 */
#define _GNU_SOURCE			/* strcasestr() */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define NID	"e9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0"
#define POOL	"10.77.0.0/16"

static int net_fd = -1, ipam_fd = -1;

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "ep_bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static int
dial(const char *dir, const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir,
	    name) >= sizeof(sa.sun_path))
		die("socket path too long");
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		die("cannot connect to %s: %s", sa.sun_path, strerror(errno));
	return fd;
}

static void
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			die("write: %s", strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
}

/* One request, its reply's body in out; dies unless the status is 200. */
static void
call(int fd, const char *path, const char *body, char *out, size_t outlen)
{
	char req[8192], buf[65536], *hdr_end, *cl;
	size_t have = 0, need;
	int n;
	ssize_t r;

	n = snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: "
	    "plugin.moby.localhost\r\nUser-Agent: Go-http-client/1.1\r\n"
	    "Content-Length: %zu\r\nAccept: application/vnd.docker.plugins."
	    "v1.2+json\r\nContent-Type: application/json\r\nAccept-Encoding: "
	    "gzip\r\n\r\n%s", path, strlen(body), body);
	if (n < 0 || (size_t)n >= sizeof(req))
		die("request too long");
	write_all(fd, req, (size_t)n);
	for (;;) {
		if ((r = read(fd, buf + have, sizeof(buf) - 1 - have)) <= 0)
			die("%s: connection closed", path);
		have += (size_t)r;
		buf[have] = '\0';
		if ((hdr_end = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		if ((cl = strcasestr(buf, "\r\nContent-Length:")) == NULL ||
		    cl > hdr_end)
			die("%s: no Content-Length", path);
		need = (size_t)(hdr_end + 4 - buf) + strtoul(cl + 17, NULL, 10);
		if (have >= need)
			break;
	}
	if (strncmp(buf, "HTTP/1.1 200", 12) != 0)
		die("%s: %.300s", path, hdr_end + 4);
	snprintf(out, outlen, "%.*s", (int)(need - (size_t)(hdr_end + 4 - buf)),
	    hdr_end + 4);
}

/* The address RequestAddress gave, without its /32. */
static void
request_address(char *addr, size_t len)
{
	char reply[512], *p, *q;

	call(ipam_fd, "/IpamDriver.RequestAddress", "{\"PoolID\":\"" POOL "\","
	    "\"Address\":\"\",\"Options\":null}", reply, sizeof(reply));
	if ((p = strstr(reply, "\"Address\":\"")) == NULL ||
	    (q = strchr(p + 11, '/')) == NULL)
		die("RequestAddress: %s", reply);
	snprintf(addr, len, "%.*s", (int)(q - p - 11), p + 11);
}

static void
create_endpoint(const char *eid, const char *addr, const char *opts)
{
	char body[2048], reply[512];

	snprintf(body, sizeof(body), "{\"NetworkID\":\"" NID "\",\"EndpointID\":"
	    "\"%s\",\"Interface\":{\"Address\":\"%s/32\",\"AddressIPv6\":\"\","
	    "\"MacAddress\":\"\"},\"Options\":{\"com.docker.network.endpoint."
	    "exposedports\":[],\"com.docker.network.portmap\":[]%s}}", eid, addr,
	    opts);
	call(net_fd, "/NetworkDriver.CreateEndpoint", body, reply, sizeof(reply));
}

static void
delete_endpoint(const char *eid, const char *addr)
{
	char body[512], reply[512];

	snprintf(body, sizeof(body), "{\"NetworkID\":\"" NID "\",\"EndpointID\":"
	    "\"%s\"}", eid);
	call(net_fd, "/NetworkDriver.DeleteEndpoint", body, reply, sizeof(reply));
	snprintf(body, sizeof(body), "{\"PoolID\":\"" POOL "\",\"Address\":"
	    "\"%s\"}", addr);
	call(ipam_fd, "/IpamDriver.ReleaseAddress", body, reply, sizeof(reply));
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* A 64-hex endpoint ID from a number. */
static void
eid_of(unsigned n, char out[65])
{
	snprintf(out, 65, "%08x%056x", n, 0);
}

/* One container with four addresses; microseconds. */
static double
one_of_four(unsigned round)
{
	char eid[65], addr[64];
	double t0, t;

	eid_of(round * 8, eid);
	t0 = now_us();
	request_address(addr, sizeof(addr));
	create_endpoint(eid, addr, ",\"routed.ip-count\":\"3\"");
	t = now_us() - t0;
	delete_endpoint(eid, addr);
	return t;
}

/* Four containers with one address each; microseconds. */
static double
four_of_one(unsigned round)
{
	char eid[4][65], addr[4][64];
	double t0, t;
	int i;

	t0 = now_us();
	for (i = 0; i < 4; i++) {
		eid_of(round * 8 + 1 + (unsigned)i, eid[i]);
		request_address(addr[i], sizeof(addr[i]));
		create_endpoint(eid[i], addr[i], "");
	}
	t = now_us() - t0;
	for (i = 0; i < 4; i++)
		delete_endpoint(eid[i], addr[i]);
	return t;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp);
	printf("%-44s median %8.0f us   p90 %8.0f us   (%u rounds)\n", what,
	    v[n / 2], v[n * 9 / 10], n);
}

int
main(int argc, char **argv)
{
	unsigned rounds = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 200;
	double *one, *four, m1, m4;
	char reply[512];
	unsigned i;

	if (argc < 2 || rounds == 0)
		die("usage: ep_bench SOCKET_DIR [ROUNDS]");
	net_fd = dial(argv[1], "net-routed.sock");
	ipam_fd = dial(argv[1], "ipam-routed.sock");
	/* docker network create -d net-routed --ipam-driver ipam-routed
	 * --subnet 10.77.0.0/16 */
	call(ipam_fd, "/IpamDriver.RequestPool", "{\"AddressSpace\":"
	    "\"RoutedLocal\",\"Pool\":\"" POOL "\",\"SubPool\":\"\",\"Options\":"
	    "{},\"V6\":false}", reply, sizeof(reply));
	call(ipam_fd, "/IpamDriver.RequestAddress", "{\"PoolID\":\"" POOL "\","
	    "\"Address\":\"\",\"Options\":{\"RequestAddressType\":\"com.docker."
	    "network.gateway\"}}", reply, sizeof(reply));
	call(net_fd, "/NetworkDriver.CreateNetwork", "{\"NetworkID\":\"" NID "\","
	    "\"Options\":{\"com.docker.network.enable_ipv6\":false,\"com.docker."
	    "network.generic\":{}},\"IPv4Data\":[{\"AddressSpace\":\"RoutedLocal\","
	    "\"Gateway\":\"169.254.1.1/32\",\"Pool\":\"" POOL "\"}],\"IPv6Data\":"
	    "[]}", reply, sizeof(reply));
	if ((one = calloc(rounds, sizeof(*one))) == NULL ||
	    (four = calloc(rounds, sizeof(*four))) == NULL)
		die("out of memory");
	for (i = 0; i < rounds; i++) {
		if (i % 2 == 0) {
			one[i] = one_of_four(i);
			four[i] = four_of_one(i);
		} else {
			four[i] = four_of_one(i);
			one[i] = one_of_four(i);
		}
	}
	report("1 CreateEndpoint with 4 addresses", one, rounds);
	report("4 CreateEndpoints with 1 address each", four, rounds);
	m1 = one[rounds / 2];
	m4 = four[rounds / 2];
	printf("ratio of the medians (4 x 1 / 1 x 4): %.2f\n", m1 > 0 ? m4 / m1 :
	    0.0);
	call(ipam_fd, "/IpamDriver.ReleasePool", "{\"PoolID\":\"" POOL "\"}",
	    reply, sizeof(reply));
	call(net_fd, "/NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" NID
	    "\"}", reply, sizeof(reply));
	free(one);
	free(four);
	return 0;
}
