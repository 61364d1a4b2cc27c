/*
 * log.h: levelled logging to stderr or syslog.
 */
#ifndef RP_LOG_H
#define RP_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/*
 * Start logging as ident: to syslog when use_syslog, else to stderr with a
 * timestamp.  Debug messages are dropped unless debug is set.
 */
void log_init(const char *ident, bool use_syslog, bool debug);
bool log_debug_enabled(void);
/* Tests capture log lines with a hook (NULL restores the default). */
void log_set_hook(void (*hook)(enum log_level, const char *msg, void *arg), void *arg);

/*
 * The last warning or error logged (for status queries): 0 with its text
 * (truncated to len) and wall-clock time, or -ENOENT when none was.
 */
int log_last_warning(char *buf, size_t len, time_t *when);

/* log_warn appends ": strerror(errno)". */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Start-up errors only: log and exit(1).  fatal appends strerror(errno). */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * At most LOG_RATE_LINES lines per LOG_RATE_WINDOW seconds for one kind of
 * message (bad input from a peer, say): log_rate_allow() says whether this
 * one may be logged, and reports how many were suppressed when a new window
 * opens.  Zero-initialise the struct.
 */
#define LOG_RATE_WINDOW	10
#define LOG_RATE_LINES	10
struct log_rate {
	long window;
	unsigned lines;
	unsigned suppressed;
};
bool log_rate_allow(struct log_rate *rl, const char *what);

#endif
