/* SPDX-License-Identifier: MIT */
/*
 * metrics.h: counters of Docker calls (by method and outcome, with latency
 * histograms) and the Prometheus text format (0.0.4) writers.  Names follow
 * Prometheus' conventions: a routed_plugin_ prefix, base units (seconds,
 * bytes), _total for counters, the client libraries' process_* names.
 * scrape.c puts the whole exposition together.
 */
#ifndef RP_METRICS_H
#define RP_METRICS_H

#include <stdio.h>
#include <time.h>

struct metrics;

/* New counters, or NULL (ENOMEM). */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/*
 * One Docker call: method is the route's path ("/NetworkDriver.Join"), or
 * NULL for an unknown path (counted as "unknown": a client never makes a
 * label of its own); status its HTTP status; start when it began
 * (CLOCK_MONOTONIC).  m may be NULL: nothing is counted.
 */
void metrics_api_observe(struct metrics *m, const char *method, int status,
    const struct timespec *start);

/* The Docker call counters and histograms, and process_* gauges. */
void metrics_write_api(FILE *f, const struct metrics *m);
void metrics_write_process(FILE *f, const struct metrics *m);

/* One metric's # HELP and # TYPE lines; a whole one-sample metric. */
void metrics_head(FILE *f, const char *name, const char *type,
    const char *help);
void metrics_gauge(FILE *f, const char *name, const char *help, double v);
void metrics_counter(FILE *f, const char *name, const char *help, double v);

#endif
