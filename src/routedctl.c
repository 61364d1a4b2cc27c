/* SPDX-License-Identifier: MIT */
/*
 * routedctl.c: the operator's console: asks routed-plugin (or
 * routed-zebra-helper) over its control socket and prints the answer as
 * text, or as JSON with -j.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "ctlproto.h"
#include "ctx.h"

#define EXIT_DIFFERS	1	/* check: the states disagree */
#define EXIT_USAGE	2
#define EXIT_FAIL	3	/* no answer, or the daemon refused */
#define TIMEOUT_MS	10000

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: routedctl [OPTION]... COMMAND\n"
"Ask routed-plugin (or routed-zebra-helper) what it holds, over its control\n"
"socket.\n"
"\n"
"Commands:\n"
"  status         version, uptime, announce backends, zebra session, graceful\n"
"                 restart, counts, last error\n"
"  networks       the networks and their settings\n"
"  endpoints      every endpoint: addresses, interfaces, network, join state\n"
"  routes         the announced routes and their state in zebra (pending,\n"
"                 installed, failed, rejected) and why\n"
"  metrics        the metrics in the Prometheus text format\n"
"  check          compare the plugin's state with the kernel's links and host\n"
"                 routes, its announce table and zebra; exit 1 with the list\n"
"                 of differences, 0 when all agree\n"
"  repair         redo the host side of every endpoint and announce every\n"
"                 route again, as a start does (root only)\n"
"  withdraw-all   withdraw every announced route (root only)\n"
"  help           the commands the daemon serves\n"
"\n"
"Options:\n"
"  -j, --json          print the daemon's JSON answer\n"
"  -s, --socket PATH   the control socket (default %s/%s)\n"
"  -H, --helper        routed-zebra-helper's socket (%s/%s)\n"
"      --run-dir DIR   the daemon's --run-dir (default %s)\n"
"  -V, --version       print the version and exit\n"
"  -h, --help          print this help and exit\n"
"\n"
"Exit status: 0 done, 1 check found differences, 2 bad usage, 3 no answer\n"
"or the daemon refused.\n",
	    RP_RUN_DIR, CTL_SOCKET, RP_RUN_DIR, CTL_HELPER_SOCKET, RP_RUN_DIR);
}

/* Wait for fd to be ready for ev; -ETIMEDOUT after the deadline. */
static int
wait_fd(int fd, short ev, const struct timespec *deadline)
{
	struct pollfd p = { fd, ev, 0 };
	struct timespec now;
	long ms;
	int r;

	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (deadline->tv_sec - now.tv_sec) * 1000 +
		    (deadline->tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0)
			return -ETIMEDOUT;
		if ((r = poll(&p, 1, (int)ms)) > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

/*
 * Send command to the socket at path and read the one reply line.  0 and
 * *result; -EREMOTEIO (refused, message in err) or -errno with err set.
 */
static int
ask(const char *path, const char *command, cJSON **result, char *err,
    size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timespec deadline;
	char *req = NULL, *buf = NULL, *nl = NULL;
	size_t len = 0, cap = 0, off = 0, n;
	ssize_t k;
	int fd = -1, r;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((req = ctlproto_request_encode(command)) == NULL) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", command, r == -EINVAL ?
		    "not a command name" : strerror(-r));
		return r;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += TIMEOUT_MS / 1000;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		r = -errno;
		snprintf(err, errlen, "cannot connect to %s: %s%s", path,
		    strerror(errno), errno == EACCES ? " (not in the socket's "
		    "group?)" : errno == ENOENT || errno == ECONNREFUSED ?
		    " (is the daemon running?)" : "");
		goto out;
	}
	n = strlen(req);
	while (off < n) {
		if ((r = wait_fd(fd, POLLOUT, &deadline)) != 0)
			goto ioerr;
		if ((k = send(fd, req + off, n - off, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto ioerr;
		}
		off += (size_t)k;
	}
	while (nl == NULL) {
		if (len + 1 >= cap) {
			char *p;

			cap = cap ? cap * 2 : 65536;
			if (cap > CTL_REPLY_MAX + 1 ||
			    (p = realloc(buf, cap)) == NULL) {
				r = -EMSGSIZE;
				goto ioerr;
			}
			buf = p;
		}
		if ((r = wait_fd(fd, POLLIN, &deadline)) != 0)
			goto ioerr;
		if ((k = recv(fd, buf + len, cap - len - 1, 0)) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto ioerr;
		}
		if (k == 0) {
			r = -ECONNRESET;
			goto ioerr;
		}
		nl = memchr(buf + len, '\n', (size_t)k);
		len += (size_t)k;
	}
	r = ctlproto_reply_decode(buf, (size_t)(nl - buf) + 1, result, err,
	    errlen);
	goto out;
ioerr:
	snprintf(err, errlen, "%s: no answer: %s", path, strerror(-r));
out:
	if (fd >= 0)
		close(fd);
	free(req);
	free(buf);
	return r;
}

static const char *
str(const cJSON *o, const char *name)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(j) ? j->valuestring : NULL;
}

static const char *
str_or(const cJSON *o, const char *name, const char *dflt)
{
	const char *s = str(o, name);

	return s ? s : dflt;
}

static double
num(const cJSON *o, const char *name)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsNumber(j) ? j->valuedouble : 0;
}

static const cJSON *
obj(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* Every member of o as "name: value", nested objects indented. */
static void
print_tree(const cJSON *o, int depth)
{
	const cJSON *j;
	char *s;

	cJSON_ArrayForEach(j, o) {
		printf("%*s%s:", depth * 2, "", j->string ? j->string : "-");
		if (cJSON_IsObject(j)) {
			printf("\n");
			print_tree(j, depth + 1);
			continue;
		}
		if (cJSON_IsString(j))
			printf(" %s\n", j->valuestring);
		else if ((s = cJSON_PrintUnformatted(j)) != NULL) {
			printf(" %s\n", s);
			free(s);
		} else
			printf("\n");
	}
}

static void
print_status(const cJSON *r)
{
	const cJSON *z = obj(r, "zebra"), *gr = obj(z, "graceful_restart");
	const cJSON *cnt = obj(r, "counts"), *le = obj(r, "last_error"), *j;
	double up = num(r, "uptime_seconds");

	printf("%s %s, pid %.0f, up %.0fd %02.0f:%02.0f:%02.0f\n",
	    str_or(r, "program", "?"), str_or(r, "version", "?"),
	    num(r, "pid"), (double)((long)up / 86400),
	    (double)((long)up % 86400 / 3600), (double)((long)up % 3600 / 60),
	    (double)((long)up % 60));
	if (obj(r, "announce") != NULL) {
		printf("announce:  ");
		cJSON_ArrayForEach(j, obj(r, "announce"))
			printf(" %s", cJSON_IsString(j) ? j->valuestring : "?");
		printf(cJSON_GetArraySize(obj(r, "announce")) ? "\n" : " none\n");
	}
	if (z != NULL) {
		printf("zebra:      session %s", str_or(z, "session", "?"));
		if (str(z, "socket"))
			printf(" (%s, dialect %s, as %s instance %.0f, %.0f "
			    "sessions)", str(z, "socket"),
			    str_or(z, "dialect", "?"),
			    str_or(z, "route_type", "?"), num(z, "instance"),
			    num(z, "sessions"));
		printf("\n");
		if (gr != NULL)
			printf("graceful restart: %s, stale time %.0f s\n",
			    str_or(gr, "state", "?"),
			    num(gr, "stale_time_seconds"));
	}
	if (obj(r, "stream") != NULL) {
		printf("stream:\n");
		print_tree(obj(r, "stream"), 1);
	}
	if (cnt != NULL) {
		printf("counts:\n");
		print_tree(cnt, 1);
	}
	if (obj(r, "docker_networks") != NULL) {
		printf("docker networks (labelled):\n");
		print_tree(obj(r, "docker_networks"), 1);
	}
	if (str(le, "message"))
		printf("last error: %s (%.0f s ago)\n", str(le, "message"),
		    num(le, "age_seconds"));
	else
		printf("last error: none\n");
}

static void
print_networks(const cJSON *r)
{
	const cJSON *n;

	printf("%-16s %-18s %-26s %5s %-9s %s\n", "NETWORK", "IPV4", "IPV6",
	    "MTU", "ANNOUNCE", "ENDPOINTS");
	cJSON_ArrayForEach(n, r)
		printf("%-16.12s %-18s %-26s %5.0f %-9s %.0f%s\n",
		    str_or(n, "id", "?"), str_or(n, "subnet4", "-"),
		    str_or(n, "subnet6", "-"), num(n, "mtu"),
		    str_or(n, "announce", "?"), num(n, "endpoints"),
		    cJSON_IsTrue(obj(n, "internal")) ? " internal" : "");
}

static void
print_endpoints(const cJSON *r)
{
	const cJSON *e, *a;

	printf("%-16s %-16s %-16s %-8s %s\n", "ENDPOINT", "NETWORK", "HOST IF",
	    "STATE", "ADDRESSES");
	cJSON_ArrayForEach(e, r) {
		printf("%-16.12s %-16.12s %-16s %-8s", str_or(e, "id", "?"),
		    str_or(e, "network", "?"), str_or(e, "host_interface", "?"),
		    str_or(e, "state", "?"));
		cJSON_ArrayForEach(a, obj(e, "addresses"))
			printf(" %s", cJSON_IsString(a) ? a->valuestring : "?");
		printf("\n");
	}
}

static void
print_routes(const cJSON *r)
{
	const cJSON *e;

	printf("%-28s %-9s %-16s %-10s %s\n", "PREFIX", "KIND", "VIA", "ZEBRA",
	    "WHY");
	cJSON_ArrayForEach(e, r)
		printf("%-28s %-9s %-16s %-10s %s\n", str_or(e, "prefix", "?"),
		    str_or(e, "kind", "?"), str_or(e, "interface", "blackhole"),
		    str_or(e, "zebra", "-"), str_or(e, "zebra_reason", ""));
}

static void
print_help(const cJSON *r)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, r)
		printf("  %-14s %s\n", str_or(e, "command", "?"),
		    str_or(e, "help", ""));
}

/* 0 when r says all agree, else EXIT_DIFFERS. */
static int
check_status(const cJSON *r)
{
	return cJSON_IsTrue(obj(r, "agree")) ? 0 : EXIT_DIFFERS;
}

static void
print_check(const cJSON *r)
{
	const cJSON *d;

	if (check_status(r) == 0) {
		printf("ok: the kernel, the announce table and zebra agree with "
		    "the plugin\n");
		return;
	}
	printf("%d differences:\n", cJSON_GetArraySize(obj(r,
	    "differences")));
	cJSON_ArrayForEach(d, obj(r, "differences"))
		printf("%-8s %s: %s\n         fix: %s\n", str_or(d, "where", "?"),
		    str_or(d, "object", "?"), str_or(d, "problem", "?"),
		    str_or(d, "fix", "?"));
}

static void
print_text(const char *command, const cJSON *r)
{
	if (strcmp(command, "status") == 0)
		print_status(r);
	else if (strcmp(command, "networks") == 0)
		print_networks(r);
	else if (strcmp(command, "endpoints") == 0)
		print_endpoints(r);
	else if (strcmp(command, "routes") == 0)
		print_routes(r);
	else if (strcmp(command, "help") == 0)
		print_help(r);
	else if (strcmp(command, "check") == 0)
		print_check(r);
	else if (strcmp(command, "metrics") == 0 && str(r, "text") != NULL)
		fputs(str(r, "text"), stdout);
	else if (strcmp(command, "repair") == 0)
		printf("repaired; run 'routedctl check' again\n");
	else if (strcmp(command, "withdraw-all") == 0)
		printf("withdrew %.0f routes\n", num(r, "withdrawn"));
	else if (cJSON_IsObject(r))
		print_tree(r, 0);
	else {
		char *s = cJSON_Print(r);

		printf("%s\n", s ? s : "?");
		free(s);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "helper", no_argument, NULL, 'H' },
		{ "run-dir", required_argument, NULL, 'R' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *socket = NULL, *run_dir = RP_RUN_DIR, *command;
	char path[PATH_MAX], err[512];
	bool json = false, helper = false;
	cJSON *result = NULL;
	int ch, r;

	while ((ch = getopt_long(argc, argv, "js:HVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = true;
			break;
		case 's':
			socket = optarg;
			break;
		case 'H':
			helper = true;
			break;
		case 'R':
			run_dir = optarg;
			break;
		case 'V':
			printf("routedctl %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'routedctl --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "routedctl: %s\nTry 'routedctl --help'.\n",
		    optind < argc ? "one command at a time" : "no command");
		return EXIT_USAGE;
	}
	command = argv[optind];
	if (socket == NULL) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", run_dir, helper ?
		    CTL_HELPER_SOCKET : CTL_SOCKET) >= sizeof(path)) {
			fprintf(stderr, "routedctl: --run-dir too long\n");
			return EXIT_USAGE;
		}
		socket = path;
	}
	if ((r = ask(socket, command, &result, err, sizeof(err))) != 0) {
		fprintf(stderr, "routedctl: %s\n", err);
		return r == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	if (json) {
		char *s = cJSON_PrintUnformatted(result);

		if (s == NULL) {
			fprintf(stderr, "routedctl: out of memory\n");
			cJSON_Delete(result);
			return EXIT_FAIL;
		}
		printf("%s\n", s);
		free(s);
	} else
		print_text(command, result);
	r = strcmp(command, "check") == 0 ? check_status(result) : 0;
	cJSON_Delete(result);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "routedctl: cannot write the answer\n");
		return EXIT_FAIL;
	}
	return r;
}
