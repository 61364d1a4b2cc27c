/* SPDX-License-Identifier: MIT */
/*
 * canon.c: the daemon's state in a canonical order (see canon.h).
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "canon.h"
#include "records.h"
#include "store.h"

struct sortable {
	char *key;
	cJSON *item;
};

static int
cmp_sortable(const void *a, const void *b)
{
	return strcmp(((const struct sortable *)a)->key,
	    ((const struct sortable *)b)->key);
}

void
canon(cJSON *j)
{
	struct sortable *v;
	cJSON *it;
	int n, i;

	if (!cJSON_IsObject(j) && !cJSON_IsArray(j))
		return;
	if ((n = cJSON_GetArraySize(j)) == 0)
		return;
	if ((v = calloc((size_t)n, sizeof(*v))) == NULL)
		abort();
	i = 0;
	cJSON_ArrayForEach(it, j) {
		v[i].item = it;
		v[i].key = cJSON_IsObject(j) ? strdup(it->string ? it->string :
		    "") : canon_text(it);
		if (v[i++].key == NULL)
			abort();
		if (cJSON_IsObject(j))
			canon(it);
	}
	qsort(v, (size_t)n, sizeof(*v), cmp_sortable);
	/* relink: cJSON keeps child->prev pointing at the last element */
	for (i = 0; i < n; i++) {
		v[i].item->next = i + 1 < n ? v[i + 1].item : NULL;
		v[i].item->prev = i > 0 ? v[i - 1].item : v[n - 1].item;
		free(v[i].key);
	}
	j->child = v[0].item;
	free(v);
}

char *
canon_text(cJSON *j)
{
	char *s;

	canon(j);
	if ((s = cJSON_PrintUnformatted(j)) == NULL)
		abort();
	return s;
}

static int
emit(void *arg, const char *kind, const char *key, cJSON *value)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || value == NULL || !cJSON_AddStringToObject(o, "kind",
	    kind) || !cJSON_AddStringToObject(o, "key", key))
		abort();
	cJSON_AddItemToObject(o, "value", value);
	cJSON_AddItemToArray(arg, o);
	return 0;
}

cJSON *
canon_state(struct rp_ctx *c)
{
	struct store_schema s;
	cJSON *j = cJSON_CreateArray();

	if (j == NULL)
		abort();
	records_schema(c->model, &s);
	if (s.walk(s.arg, emit, j) != 0)
		abort();
	canon(j);
	return j;
}
