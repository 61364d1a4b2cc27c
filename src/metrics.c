/* SPDX-License-Identifier: MIT */
/*
 * metrics.c: see metrics.h.  Names follow Prometheus' conventions: a
 * routed_plugin_ prefix, base units (seconds, bytes), _total for counters,
 * and the client libraries' standard process_* names.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"

#define METHODS_MAX	40	/* both drivers' methods fit */

/* Latency buckets, seconds: Docker calls take 0.1 ms to a disk flush. */
static const double buckets[] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 2.5, 5,
};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

enum outcome { OUT_OK, OUT_ERROR, OUT_NOT_FOUND, NOUTCOMES };
static const char *const outcome_names[NOUTCOMES] = {
	"ok", "error", "not_found",
};

struct method {
	char name[64];			/* the path without its "/" */
	unsigned long long calls[NOUTCOMES];
	unsigned long long le[NBUCKETS];	/* cumulative at render */
	unsigned long long count;
	double sum;
};

struct metrics {
	struct method methods[METHODS_MAX];
	size_t nmethods;
	struct timespec start_real;
};

struct metrics *
metrics_new(void)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (m != NULL)
		clock_gettime(CLOCK_REALTIME, &m->start_real);
	return m;
}

void
metrics_free(struct metrics *m)
{
	free(m);
}

/* The entry of name; unknown or past the table: "unknown". */
static struct method *
method_find(struct metrics *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nmethods; i++)
		if (strcmp(m->methods[i].name, name) == 0)
			return &m->methods[i];
	if (m->nmethods == METHODS_MAX)
		return method_find(m, "unknown");	/* made first */
	snprintf(m->methods[m->nmethods].name, sizeof(m->methods[0].name), "%s",
	    name);
	return &m->methods[m->nmethods++];
}

void
metrics_api_observe(struct metrics *m, const char *method, int status,
    const struct timespec *start)
{
	struct timespec now;
	struct method *e;
	double d;
	size_t i;

	if (m == NULL)
		return;
	if (m->nmethods == 0)
		method_find(m, "unknown");	/* always slot 0 */
	clock_gettime(CLOCK_MONOTONIC, &now);
	d = (double)(now.tv_sec - start->tv_sec) +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e9;
	/* Unknown paths come from the client: never a label of their own. */
	e = method_find(m, method == NULL || status == 404 ? "unknown" :
	    method[0] == '/' ? method + 1 : method);
	e->calls[status == 200 ? OUT_OK : status == 404 ? OUT_NOT_FOUND :
	    OUT_ERROR]++;
	for (i = 0; i < NBUCKETS; i++)
		if (d <= buckets[i]) {
			e->le[i]++;
			break;
		}
	e->count++;
	e->sum += d;
}

void
metrics_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
metrics_gauge(FILE *f, const char *name, const char *help, double v)
{
	metrics_head(f, name, "gauge", help);
	fprintf(f, "%s %.17g\n", name, v);
}

void
metrics_counter(FILE *f, const char *name, const char *help, double v)
{
	metrics_head(f, name, "counter", help);
	fprintf(f, "%s %.17g\n", name, v);
}

void
metrics_write_api(FILE *f, const struct metrics *m)
{
	const struct method *e;
	unsigned long long cum;
	size_t i, k;

	metrics_head(f, "routed_plugin_docker_requests_total", "counter",
	    "Docker plugin API calls by method and outcome.");
	for (i = 0; i < m->nmethods; i++)
		for (k = 0; k < NOUTCOMES; k++) {
			e = &m->methods[i];
			if (e->calls[k] > 0)
				fprintf(f, "routed_plugin_docker_requests_total"
				    "{method=\"%s\",outcome=\"%s\"} %llu\n",
				    e->name, outcome_names[k], e->calls[k]);
		}
	metrics_head(f, "routed_plugin_docker_request_duration_seconds", "histogram",
	    "Time to serve a Docker plugin API call, from its body to its "
	    "reply.");
	for (i = 0; i < m->nmethods; i++) {
		e = &m->methods[i];
		if (e->count == 0)
			continue;
		for (k = 0, cum = 0; k < NBUCKETS; k++) {
			cum += e->le[k];
			fprintf(f, "routed_plugin_docker_request_duration_seconds_"
			    "bucket{method=\"%s\",le=\"%g\"} %llu\n", e->name,
			    buckets[k], cum);
		}
		fprintf(f, "routed_plugin_docker_request_duration_seconds_bucket"
		    "{method=\"%s\",le=\"+Inf\"} %llu\n", e->name, e->count);
		fprintf(f, "routed_plugin_docker_request_duration_seconds_sum"
		    "{method=\"%s\"} %.9f\n", e->name, e->sum);
		fprintf(f, "routed_plugin_docker_request_duration_seconds_count"
		    "{method=\"%s\"} %llu\n", e->name, e->count);
	}
}

void
metrics_write_process(FILE *f, const struct metrics *m)
{
	unsigned long long size = 0, res = 0;
	struct dirent *d;
	size_t fds = 0;
	FILE *s;
	DIR *dir;

	if ((s = fopen("/proc/self/statm", "re")) != NULL) {
		if (fscanf(s, "%llu %llu", &size, &res) != 2)
			res = 0;
		fclose(s);
		metrics_gauge(f, "process_resident_memory_bytes",
		    "Resident memory size in bytes.",
		    (double)res * (double)sysconf(_SC_PAGESIZE));
	}
	if ((dir = opendir("/proc/self/fd")) != NULL) {
		while ((d = readdir(dir)) != NULL)
			fds += d->d_name[0] != '.';
		closedir(dir);
		metrics_gauge(f, "process_open_fds", "Number of open file descriptors.",
		    (double)(fds > 0 ? fds - 1 : 0));	/* not opendir's own */
	}
	metrics_gauge(f, "process_start_time_seconds",
	    "Start time of the process since the Unix epoch in seconds.",
	    (double)m->start_real.tv_sec);
}

