#include "series.h"
#include "json.h"
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int series_labels_json(Pantau__Label *const *labels, size_t n, struct buf *out)
{
	const Pantau__Label *sorted[WIRE_MAX_LABELS];
	if (n > WIRE_MAX_LABELS)
		return -EINVAL;
	/* Insertion sort: at most 32 labels, usually one or two. */
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		while (j > 0 && strcmp(sorted[j - 1]->key, labels[i]->key) > 0) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = labels[i];
	}
	int rc = buf_putc(out, '{');
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (i > 0 && strcmp(sorted[i - 1]->key, sorted[i]->key) == 0)
			return -EINVAL;
		if (i > 0)
			rc = buf_putc(out, ',');
		if (rc == 0)
			rc = json_put_string(out, sorted[i]->key);
		if (rc == 0)
			rc = buf_putc(out, ':');
		if (rc == 0)
			rc = json_put_string(out, sorted[i]->value);
	}
	return rc == 0 ? buf_putc(out, '}') : rc;
}

int series_key_build(const char *agent_id, const Pantau__SeriesDef *d, struct buf *out)
{
	int rc = buf_append(out, agent_id, strlen(agent_id) + 1);
	if (rc == 0)
		rc = buf_append(out, d->device, strlen(d->device) + 1);
	if (rc == 0)
		rc = buf_append(out, d->metric, strlen(d->metric) + 1);
	if (rc == 0)
		rc = series_labels_json(d->labels, d->n_labels, out);
	return rc;
}

/* Copies s (with its NUL) to *p and advances it; returns the copy. */
static const char *put_str(char **p, const char *s)
{
	size_t n = strlen(s) + 1;
	char *at = *p;
	memcpy(at, s, n);
	*p += n;
	return at;
}

int series_def_new(const char *agent_id, const Pantau__SeriesDef *d, struct series_def **out)
{
	struct buf key;
	buf_init(&key, 1 << 20);
	int rc = series_key_build(agent_id, d, &key);
	if (rc == 0)
		rc = buf_putc(&key, '\0');
	if (rc < 0) {
		buf_free(&key);
		return rc == -EINVAL ? rc : -ENOMEM;
	}
	/* One allocation: the struct, the key, then the unit and device kind. */
	size_t extra = strlen(d->unit) + strlen(d->device_kind) + 2;
	struct series_def *def = calloc(1, sizeof(*def) + key.len + extra);
	if (!def) {
		buf_free(&key);
		return -ENOMEM;
	}
	char *p = (char *)(def + 1);
	memcpy(p, key.data, key.len);
	def->key = p;
	def->key_len = key.len - 1; /* without the final NUL */
	def->agent_id = p;
	def->device = def->agent_id + strlen(def->agent_id) + 1;
	def->metric = def->device + strlen(def->device) + 1;
	def->labels_json = def->metric + strlen(def->metric) + 1;
	p += key.len;
	def->unit = put_str(&p, d->unit);
	def->device_kind = put_str(&p, d->device_kind);
	def->kind = (int)d->kind;
	atomic_init(&def->refs, 1);
	buf_free(&key);
	*out = def;
	return 0;
}

bool series_def_same(const struct series_def *def, const struct series_def *d)
{
	return def->key_len == d->key_len && memcmp(def->key, d->key, d->key_len) == 0 &&
	       strcmp(def->unit, d->unit) == 0 && def->kind == d->kind &&
	       strcmp(def->device_kind, d->device_kind) == 0;
}

void series_def_retain(struct series_def *def)
{
	atomic_fetch_add_explicit(&def->refs, 1, memory_order_relaxed);
}

void series_def_release(struct series_def *def)
{
	if (def && atomic_fetch_sub_explicit(&def->refs, 1, memory_order_acq_rel) == 1)
		free(def);
}

/* ---- per-connection table: open addressing on the agent-local id ---- */

struct series_slot {
	uint32_t id;
	struct series_def *def; /* NULL = empty */
};

static size_t hash_u32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

void series_table_init(struct series_table *t)
{
	*t = (struct series_table){0};
}

void series_table_free(struct series_table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		series_def_release(t->slots[i].def);
	free(t->slots);
	*t = (struct series_table){0};
}

struct series_def *series_table_get(const struct series_table *t, uint32_t id)
{
	if (t->cap == 0)
		return NULL;
	for (size_t i = hash_u32(id) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		if (!t->slots[i].def)
			return NULL;
		if (t->slots[i].id == id)
			return t->slots[i].def;
	}
}

static void table_insert(struct series_slot *slots, size_t cap, uint32_t id,
			 struct series_def *def)
{
	size_t i = hash_u32(id) & (cap - 1);
	while (slots[i].def && slots[i].id != id)
		i = (i + 1) & (cap - 1);
	series_def_release(slots[i].def);
	slots[i] = (struct series_slot){id, def};
}

int series_table_put(struct series_table *t, uint32_t id, struct series_def *def)
{
	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct series_slot *s = calloc(cap, sizeof(*s));
		if (!s)
			return -ENOMEM;
		for (size_t i = 0; i < t->cap; i++)
			if (t->slots[i].def)
				table_insert(s, cap, t->slots[i].id, t->slots[i].def);
		free(t->slots);
		t->slots = s;
		t->cap = cap;
	}
	if (!series_table_get(t, id))
		t->n++;
	table_insert(t->slots, t->cap, id, def);
	return 0;
}

/* ---- writer cache: key bytes -> ids ---- */

struct series_cache_entry {
	char *key; /* NULL = empty */
	size_t len;
	uint64_t hash;
	int64_t a, b;
};

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

void series_cache_init(struct series_cache *c)
{
	*c = (struct series_cache){0};
}

void series_cache_clear(struct series_cache *c)
{
	for (size_t i = 0; i < c->cap; i++) {
		free(c->entries[i].key);
		c->entries[i] = (struct series_cache_entry){0};
	}
	c->n = 0;
}

void series_cache_free(struct series_cache *c)
{
	series_cache_clear(c);
	free(c->entries);
	*c = (struct series_cache){0};
}

static struct series_cache_entry *cache_find(const struct series_cache *c, const char *key,
					     size_t len, uint64_t h)
{
	for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
		struct series_cache_entry *e = &c->entries[i];
		if (!e->key || (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0))
			return e;
	}
}

int series_cache_get(const struct series_cache *c, const char *key, size_t len, int64_t *a,
		     int64_t *b)
{
	if (c->cap == 0)
		return 0;
	struct series_cache_entry *e = cache_find(c, key, len, hash_bytes(key, len));
	if (!e->key)
		return 0;
	*a = e->a;
	if (b)
		*b = e->b;
	return 1;
}

static int cache_grow(struct series_cache *c)
{
	size_t cap = c->cap ? c->cap * 2 : 1024;
	struct series_cache_entry *old = c->entries;
	size_t old_cap = c->cap;
	c->entries = calloc(cap, sizeof(*c->entries));
	if (!c->entries) {
		c->entries = old;
		return -ENOMEM;
	}
	c->cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].key)
			*cache_find(c, old[i].key, old[i].len, old[i].hash) = old[i];
	free(old);
	return 0;
}

int series_cache_put(struct series_cache *c, const char *key, size_t len, int64_t a, int64_t b)
{
	if ((c->n + 1) * 2 > c->cap && cache_grow(c) < 0)
		return -ENOMEM;
	uint64_t h = hash_bytes(key, len);
	struct series_cache_entry *e = cache_find(c, key, len, h);
	if (!e->key) {
		e->key = malloc(len ? len : 1);
		if (!e->key)
			return -ENOMEM;
		memcpy(e->key, key, len);
		e->len = len;
		e->hash = h;
		c->n++;
	}
	e->a = a;
	e->b = b;
	return 0;
}
