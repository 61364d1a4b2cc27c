/*
 * log.c: the only logging path of the daemon.
 *
 * This module holds the one piece of process-wide mutable state outside the
 * daemon context: where log lines go.  Logging must work before the context
 * exists and from every module, so it is deliberately global.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static struct {
	bool syslog;
	bool debug;
	const char *ident;
	void (*hook)(enum log_level, const char *, void *);
	void *hook_arg;
	char last[512];			/* the last warning or error */
	time_t last_when;
} logcfg = { false, false, "routed-plugin", NULL, NULL, "", 0 };

void
log_init(const char *ident, bool use_syslog, bool debug)
{
	logcfg.ident = ident;
	logcfg.syslog = use_syslog;
	logcfg.debug = debug;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

bool
log_debug_enabled(void)
{
	return logcfg.debug;
}

void
log_set_hook(void (*hook)(enum log_level, const char *, void *), void *arg)
{
	logcfg.hook = hook;
	logcfg.hook_arg = arg;
}

int
log_last_warning(char *buf, size_t len, time_t *when)
{
	if (logcfg.last[0] == '\0')
		return -ENOENT;
	snprintf(buf, len, "%s", logcfg.last);
	*when = logcfg.last_when;
	return 0;
}

static void __attribute__((format(printf, 3, 0)))
vlog(enum log_level lvl, int errnum, const char *fmt, va_list ap)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char msg[2048];
	int n;

	if (lvl == LOG_LVL_DEBUG && !logcfg.debug && logcfg.hook == NULL)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	if (errnum != 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(errnum));
	if (lvl <= LOG_LVL_WARN) {
		size_t k = strnlen(msg, sizeof(logcfg.last) - 1);

		memcpy(logcfg.last, msg, k);
		logcfg.last[k] = '\0';
		logcfg.last_when = time(NULL);
	}
	if (logcfg.hook != NULL) {
		logcfg.hook(lvl, msg, logcfg.hook_arg);
		return;
	}
	if (logcfg.syslog) {
		syslog(prio[lvl], "%s", msg);
	} else {
		struct timespec ts;
		struct tm tm;
		char when[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s[%s]: %s\n", when,
		    ts.tv_nsec / 1000000, logcfg.ident, names[lvl], msg);
	}
}

#define LOGFN(name, lvl, witherr)				\
void								\
name(const char *fmt, ...)					\
{								\
	int e = errno;						\
	va_list ap;						\
	va_start(ap, fmt);					\
	vlog(lvl, witherr ? e : 0, fmt, ap);			\
	va_end(ap);						\
	errno = e;						\
}

LOGFN(log_warn, LOG_LVL_WARN, 1)
LOGFN(log_warnx, LOG_LVL_WARN, 0)
LOGFN(log_info, LOG_LVL_INFO, 0)
LOGFN(log_debug, LOG_LVL_DEBUG, 0)

void
fatal(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

bool
log_rate_allow(struct log_rate *rl, const char *what)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec - rl->window >= LOG_RATE_WINDOW) {
		if (rl->suppressed > 0)
			log_warnx("%s: %u more dropped without a log line", what,
			    rl->suppressed);
		rl->window = ts.tv_sec;
		rl->lines = 0;
		rl->suppressed = 0;
	}
	if (rl->lines < LOG_RATE_LINES) {
		rl->lines++;
		return true;
	}
	rl->suppressed++;
	return false;
}
