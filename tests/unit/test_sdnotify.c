/* SPDX-License-Identifier: MIT */
/*
 * test_sdnotify.c: the notify protocol against a datagram socket standing
 * in for systemd, recording what arrives: READY=1 and STATUS=, the
 * watchdog fed from the event loop (and only while the loop turns),
 * WATCHDOG_PID of another process, abstract sockets, bad variables.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "sdnotify.h"

struct tsn {
	struct event_base *base;
	int fd;			/* systemd's end */
	char dir[64], path[100];
	int status_calls;
	char status[64];
};

static int
setup(void **state)
{
	struct tsn *t = calloc(1, sizeof(*t));
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(t->dir, sizeof(t->dir), "/tmp/test_sdnotify.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/notify", t->dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", t->path);
	assert_true((t->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0))
	    >= 0);
	assert_int_equal(bind(t->fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_non_null(t->base = event_base_new());
	setenv("NOTIFY_SOCKET", t->path, 1);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	snprintf(t->status, sizeof(t->status), "3 endpoints");
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct tsn *t = *state;

	close(t->fd);
	unlink(t->path);
	rmdir(t->dir);
	event_base_free(t->base);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	free(t);
	return 0;
}

static void
status_fn(void *arg, char *buf, size_t len)
{
	struct tsn *t = arg;

	t->status_calls++;
	snprintf(buf, len, "%s", t->status);
}

/* The next datagram, or "" when none waits. */
static const char *
recv_dgram(struct tsn *t)
{
	static char buf[512];
	ssize_t n = recv(t->fd, buf, sizeof(buf) - 1, 0);

	if (n < 0) {
		assert_true(errno == EAGAIN);
		n = 0;
	}
	buf[n] = '\0';
	return buf;
}

/* Run the loop until a datagram arrives; it. */
static const char *
next_dgram(struct tsn *t)
{
	const char *s;

	while ((s = recv_dgram(t))[0] == '\0')
		event_base_loop(t->base, EVLOOP_ONCE);
	return s;
}

static void
test_absent_is_noop(void **state)
{
	struct tsn *t = *state;
	struct sdnotify *sn = (void *)1;

	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sdnotify_open(t->base, status_fn, t, &sn), 0);
	assert_null(sn);
	assert_int_equal(sdnotify_ready(sn), 0);
	assert_int_equal(sdnotify_stopping(sn), 0);
	assert_int_equal(sdnotify_watchdog_usec(sn), 0);
	sdnotify_free(sn);
	assert_string_equal(recv_dgram(t), "");
}

static void
test_ready_status_stopping(void **state)
{
	struct tsn *t = *state;
	struct sdnotify *sn;

	assert_int_equal(sdnotify_open(t->base, status_fn, t, &sn), 0);
	assert_non_null(sn);
	assert_int_equal(sdnotify_watchdog_usec(sn), 0);
	assert_string_equal(recv_dgram(t), "");	/* nothing before ready */
	assert_int_equal(sdnotify_ready(sn), 0);
	assert_string_equal(recv_dgram(t), "READY=1");
	assert_string_equal(recv_dgram(t), "STATUS=3 endpoints");
	/* an unchanged state is not sent again */
	assert_int_equal(sdnotify_ready(sn), 0);
	assert_string_equal(recv_dgram(t), "READY=1");
	assert_string_equal(recv_dgram(t), "");
	assert_int_equal(sdnotify_stopping(sn), 0);
	assert_string_equal(recv_dgram(t), "STOPPING=1");
	sdnotify_free(sn);
}

static void
test_watchdog_fed_by_loop(void **state)
{
	struct tsn *t = *state;
	struct sdnotify *sn;
	int i;

	setenv("WATCHDOG_USEC", "20000", 1);	/* fed every 10 ms */
	assert_int_equal(sdnotify_open(t->base, status_fn, t, &sn), 0);
	assert_int_equal(sdnotify_watchdog_usec(sn), 20000);
	assert_int_equal(sdnotify_ready(sn), 0);
	assert_string_equal(recv_dgram(t), "READY=1");
	assert_string_equal(recv_dgram(t), "STATUS=3 endpoints");
	/* Only a turning loop feeds it: nothing without one. */
	usleep(50000);
	assert_string_equal(recv_dgram(t), "");
	for (i = 0; i < 3; i++)
		assert_string_equal(next_dgram(t), "WATCHDOG=1");
	/* A state change goes out with the next tick. */
	snprintf(t->status, sizeof(t->status), "4 endpoints\nsecond line");
	assert_string_equal(next_dgram(t), "WATCHDOG=1");
	assert_string_equal(recv_dgram(t), "STATUS=4 endpoints");
	sdnotify_free(sn);
}

static void
test_watchdog_of_another_pid(void **state)
{
	struct tsn *t = *state;
	struct sdnotify *sn;
	char pid[32];

	setenv("WATCHDOG_USEC", "20000", 1);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(sdnotify_open(t->base, status_fn, t, &sn), 0);
	assert_int_equal(sdnotify_watchdog_usec(sn), 0);
	sdnotify_free(sn);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(sdnotify_open(t->base, status_fn, t, &sn), 0);
	assert_int_equal(sdnotify_watchdog_usec(sn), 20000);
	sdnotify_free(sn);
}

static void
test_abstract_socket(void **state)
{
	struct tsn *t = *state;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sdnotify *sn;
	char name[64], buf[64];
	socklen_t len;
	ssize_t n;
	int fd;

	snprintf(name, sizeof(name), "@test_sdnotify.%ld", (long)getpid());
	memcpy(sun.sun_path + 1, name + 1, strlen(name) - 1);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(name));
	assert_true((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0)) >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, len), 0);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(sdnotify_open(t->base, NULL, NULL, &sn), 0);
	assert_int_equal(sdnotify_ready(sn), 0);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_int_equal(n, 7);
	buf[n] = '\0';
	assert_string_equal(buf, "READY=1");
	sdnotify_free(sn);
	close(fd);
}

static void
test_bad_variables(void **state)
{
	struct tsn *t = *state;
	struct sdnotify *sn;

	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(sdnotify_open(t->base, NULL, NULL, &sn), -EINVAL);
	assert_null(sn);
	setenv("NOTIFY_SOCKET", t->path, 1);
	setenv("WATCHDOG_USEC", "12x", 1);
	assert_int_equal(sdnotify_open(t->base, NULL, NULL, &sn), -EINVAL);
	setenv("WATCHDOG_USEC", "-5", 1);
	assert_int_equal(sdnotify_open(t->base, NULL, NULL, &sn), -EINVAL);
	/* systemd gone: sending fails, the daemon goes on */
	unsetenv("WATCHDOG_USEC");
	assert_int_equal(sdnotify_open(t->base, NULL, NULL, &sn), 0);
	close(t->fd);
	unlink(t->path);
	t->fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(sdnotify_ready(sn) < 0);
	sdnotify_free(sn);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_absent_is_noop, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ready_status_stopping,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchdog_fed_by_loop,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchdog_of_another_pid,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_abstract_socket, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_variables, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
