/* SPDX-License-Identifier: MIT */
/*
 * vectors.c: see vectors.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vectors.h"

const struct vec_release vec_releases[] = {
	{ "frr-8.4.4.vec", "frr8.2", "frr8.2", 0 },
	{ "frr-9.0.5.vec", "frr8.2", "frr8.2", 0 },
	{ "frr-9.1.vec", "frr9.1", "frr9.1", 0 },
	{ "frr-10.1.vec", "frr10.1", "frr10.0", 1 },
	{ "frr-10.2.6.vec", "frr10.2", "frr10.2", 0 },
	{ "frr-10.3.4.vec", "frr10.3", "frr10.2", 0 },
	{ "frr-10.6.1.vec", "frr10.6", "frr10.6", 0 },
};
const size_t vec_nreleases = sizeof(vec_releases) / sizeof(vec_releases[0]);

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

void
vec_load(const char *name, struct vec_file *vf)
{
	const char *top = getenv("top_srcdir");
	char path[512], line[8192], hex[8000];
	struct vec_msg *m;
	size_t i, len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/unit/vectors/%s",
	    top != NULL ? top : ".", name);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	memset(vf, 0, sizeof(*vf));
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		vf->m = realloc(vf->m, (vf->n + 1) * sizeof(*vf->m));
		assert_non_null(vf->m);
		m = &vf->m[vf->n++];
		memset(m, 0, sizeof(*m));
		if (sscanf(line, "%c %47s %7999s", &m->dir, m->label, hex) != 3 ||
		    (m->dir != '<' && m->dir != '>'))
			fail_msg("%s: bad line: %s", path, line);
		len = strlen(hex);
		assert_true(len % 2 == 0 && len > 0);
		m->n = len / 2;
		assert_non_null(m->p = malloc(m->n));
		for (i = 0; i < m->n; i++) {
			assert_true(hexval(hex[2 * i]) >= 0 &&
			    hexval(hex[2 * i + 1]) >= 0);
			m->p[i] = (uint8_t)(hexval(hex[2 * i]) << 4 |
			    hexval(hex[2 * i + 1]));
		}
	}
	fclose(f);
	assert_true(vf->n > 0);
}

void
vec_free(struct vec_file *vf)
{
	size_t i;

	for (i = 0; i < vf->n; i++)
		free(vf->m[i].p);
	free(vf->m);
	memset(vf, 0, sizeof(*vf));
}

const struct vec_msg *
vec_next(const struct vec_file *vf, char dir, const char *label, size_t *from)
{
	size_t i;

	for (i = *from; i < vf->n; i++) {
		if (vf->m[i].dir == dir && strcmp(vf->m[i].label, label) == 0) {
			*from = i + 1;
			return &vf->m[i];
		}
	}
	return NULL;
}
