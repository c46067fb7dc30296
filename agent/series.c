#include "series.h"
#include "buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct series_table {
	struct series **by_id; /* by_id[id - 1] */
	size_t n, cap;
	uint32_t *slots; /* open addressing: series id, 0 = empty */
	size_t nslots;	 /* power of two */
	struct buf key;	 /* scratch for building keys, reused */
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

struct series_table *series_table_new(void)
{
	struct series_table *t = calloc(1, sizeof(*t));
	if (t)
		buf_init(&t->key, 1 << 20);
	return t;
}

static void series_free(struct series *s)
{
	for (size_t i = 0; i < s->nlabels; i++) {
		free(s->label_keys[i]);
		free(s->label_values[i]);
	}
	free(s->label_keys);
	free(s->label_values);
	free(s->metric);
	free(s->unit);
	free(s->key);
	free(s->device);
	free(s->device_kind);
	free(s);
}

void series_table_free(struct series_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		if (t->by_id[i])
			series_free(t->by_id[i]);
	}
	free(t->by_id);
	free(t->slots);
	buf_free(&t->key);
	free(t);
}

/* Label order as given by pollers is not canonical; sort indexes by key. */
static void sort_labels(const struct label *labels, size_t n, size_t *order)
{
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = 1; i < n; i++) {
		size_t v = order[i], j = i;
		while (j > 0 && strcmp(labels[order[j - 1]].key, labels[v].key) > 0) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = v;
	}
}

/* Key: device \x1f metric \x1f k=v \x1f k=v ... (with labels sorted). */
static int build_key(const char *device, const char *metric, const struct label *labels,
		     size_t nlabels, const size_t *order, struct buf *key)
{
	int rc = buf_puts(key, device);
	rc = rc ? rc : buf_putc(key, '\x1f');
	rc = rc ? rc : buf_puts(key, metric);
	for (size_t i = 0; rc == 0 && i < nlabels; i++) {
		const struct label *l = &labels[order[i]];
		rc = buf_putc(key, '\x1f');
		rc = rc ? rc : buf_puts(key, l->key);
		rc = rc ? rc : buf_putc(key, '=');
		rc = rc ? rc : buf_puts(key, l->value ? l->value : "");
	}
	return rc;
}

static int grow_slots(struct series_table *t)
{
	size_t nslots = t->nslots ? t->nslots * 2 : 1024;
	uint32_t *slots = calloc(nslots, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		struct series *s = t->by_id[i];
		if (!s)
			continue;
		size_t j = hash_bytes(s->key, strlen(s->key)) & (nslots - 1);
		while (slots[j])
			j = (j + 1) & (nslots - 1);
		slots[j] = s->id;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = nslots;
	return 0;
}

static struct series *series_create(const char *device, const char *device_kind,
				    const struct sample_in *s, const size_t *order, const char *key)
{
	struct series *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->kind = s->kind;
	x->device = strdup(device);
	x->device_kind = strdup(device_kind ? device_kind : "");
	x->metric = strdup(s->metric);
	x->unit = strdup(s->unit ? s->unit : "");
	x->key = strdup(key);
	x->label_keys = calloc(s->nlabels ? s->nlabels : 1, sizeof(char *));
	x->label_values = calloc(s->nlabels ? s->nlabels : 1, sizeof(char *));
	bool ok = x->device && x->device_kind && x->metric && x->unit && x->key && x->label_keys &&
		  x->label_values;
	for (size_t i = 0; ok && i < s->nlabels; i++) {
		const struct label *l = &s->labels[order[i]];
		x->label_keys[i] = strdup(l->key);
		x->label_values[i] = strdup(l->value ? l->value : "");
		x->nlabels = i + 1;
		ok = x->label_keys[i] && x->label_values[i];
	}
	if (!ok) {
		series_free(x);
		return NULL;
	}
	return x;
}

/* Adds x under id (0: the next free id above every id in use). */
static int series_add(struct series_table *t, struct series *x, uint32_t id)
{
	size_t want = id ? id : t->n + 1;
	if (want > (size_t)INT32_MAX)
		return -ENOSPC;
	if ((t->n + 1) * 2 > t->nslots && grow_slots(t) < 0)
		return -ENOMEM;
	if (want > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		while (cap < want)
			cap *= 2;
		struct series **p = realloc(t->by_id, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->by_id = p;
		t->cap = cap;
	}
	/* Ids between the old highest and this one stay holes (NULL). */
	for (size_t i = t->n; i < want; i++)
		t->by_id[i] = NULL;
	if (t->n < want)
		t->n = want;
	x->id = (uint32_t)want;
	t->by_id[want - 1] = x;
	size_t j = hash_bytes(x->key, strlen(x->key)) & (t->nslots - 1);
	while (t->slots[j])
		j = (j + 1) & (t->nslots - 1);
	t->slots[j] = x->id;
	return 0;
}

static struct series *find_key(struct series_table *t, const char *k, size_t klen)
{
	if (!t->nslots)
		return NULL;
	size_t j = hash_bytes(k, klen) & (t->nslots - 1);
	for (; t->slots[j]; j = (j + 1) & (t->nslots - 1)) {
		struct series *x = t->by_id[t->slots[j] - 1];
		if (strcmp(x->key, k) == 0)
			return x;
	}
	return NULL;
}

int series_lookup(struct series_table *t, const struct device *dev, const struct sample_in *s,
		  uint32_t *id)
{
	size_t order[64];
	if (s->nlabels > sizeof(order) / sizeof(order[0]))
		return -E2BIG;
	sort_labels(s->labels, s->nlabels, order);
	struct buf *key = &t->key;
	buf_reset(key);
	int rc = build_key(dev->name, s->metric, s->labels, s->nlabels, order, key);
	if (rc == 0)
		rc = buf_putc(key, '\0');
	if (rc < 0)
		return rc;
	const char *k = (const char *)key->data;
	struct series *x = find_key(t, k, key->len - 1);
	if (x) {
		if (!x->dev)
			x->dev = dev; /* restored from the spool, polled again */
		*id = x->id;
		return 0;
	}
	x = series_create(dev->name, dev->kind, s, order, k);
	if (!x)
		return -ENOMEM;
	x->dev = dev;
	if ((rc = series_add(t, x, 0)) < 0) {
		series_free(x);
		return rc;
	}
	*id = x->id;
	return 0;
}

int series_restore(struct series_table *t, uint32_t id, const char *device,
		   const char *device_kind, const char *metric, const char *unit,
		   enum series_kind kind, const struct label *labels, size_t nlabels)
{
	size_t order[64];
	if (nlabels > sizeof(order) / sizeof(order[0]) || id == 0 || id > INT32_MAX)
		return -E2BIG;
	sort_labels(labels, nlabels, order);
	struct buf *key = &t->key;
	buf_reset(key);
	int rc = build_key(device, metric, labels, nlabels, order, key);
	if (rc == 0)
		rc = buf_putc(key, '\0');
	if (rc < 0)
		return rc;
	const char *k = (const char *)key->data;
	struct series *x = find_key(t, k, key->len - 1);
	if (x)
		return x->id == id ? 0 : -EEXIST;
	if (series_get(t, id))
		return -EEXIST;
	struct sample_in s = {.metric = metric, .unit = unit, .kind = kind, .labels = labels,
			      .nlabels = nlabels};
	x = series_create(device, device_kind, &s, order, k);
	if (!x)
		return -ENOMEM;
	if ((rc = series_add(t, x, id)) < 0) {
		series_free(x);
		return rc;
	}
	return 0;
}

struct series *series_get(struct series_table *t, uint32_t id)
{
	return id >= 1 && id <= t->n ? t->by_id[id - 1] : NULL;
}

size_t series_count(const struct series_table *t)
{
	return t->n;
}

void series_forget_defined(struct series_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->by_id[i])
			t->by_id[i]->defined = false;
	}
}
