/*
 * log.h: levelled logging to stderr or syslog.
 */
#ifndef RP_LOG_H
#define RP_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/*
 * Start logging as ident: to syslog when use_syslog, else to stderr with a
 * timestamp.  Debug messages are dropped unless debug is set.
 */
void log_init(const char *ident, bool use_syslog, bool debug);
bool log_debug_enabled(void);
/* Tests capture log lines with a hook (NULL restores the default). */
void log_set_hook(void (*hook)(enum log_level, const char *msg, void *arg), void *arg);

/* log_warn appends ": strerror(errno)". */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Start-up errors only: log and exit(1).  fatal appends strerror(errno). */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
