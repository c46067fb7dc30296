/* Open addressing with linear probing and backward-shift deletion. */
#include "alert_map.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

void alert_map_init(struct alert_map *m)
{
	memset(m, 0, sizeof(*m));
}

void alert_map_free(struct alert_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static struct alert_map_slot *find(const struct alert_map *m, const char *key, size_t len, size_t h)
{
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct alert_map_slot *s = &m->slots[i];
		if (!s->key || (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0))
			return s;
	}
}

void *alert_map_get(const struct alert_map *m, const char *key, size_t len)
{
	if (m->n == 0)
		return NULL;
	struct alert_map_slot *s = find(m, key, len, hash_bytes(key, len));
	return s->key ? s->value : NULL;
}

static int grow(struct alert_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct alert_map_slot *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	struct alert_map old = *m;
	m->slots = slots;
	m->cap = cap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*find(m, old.slots[i].key, old.slots[i].len, old.slots[i].hash) =
				old.slots[i];
	free(old.slots);
	return 0;
}

int alert_map_put(struct alert_map *m, const char *key, size_t len, void *value)
{
	if ((m->n + 1) * 4 > m->cap * 3 && grow(m) < 0)
		return -ENOMEM;
	size_t h = hash_bytes(key, len);
	struct alert_map_slot *s = find(m, key, len, h);
	if (s->key) {
		s->value = value;
		return 0;
	}
	if (!(s->key = malloc(len + 1)))
		return -ENOMEM;
	memcpy(s->key, key, len);
	s->key[len] = '\0';
	s->len = len;
	s->hash = h;
	s->value = value;
	m->n++;
	return 0;
}

void alert_map_del(struct alert_map *m, const char *key, size_t len)
{
	if (m->n == 0)
		return;
	struct alert_map_slot *s = find(m, key, len, hash_bytes(key, len));
	if (!s->key)
		return;
	free(s->key);
	s->key = NULL;
	m->n--;
	/* Backward shift: move later entries of the run into the hole. */
	size_t hole = (size_t)(s - m->slots);
	for (size_t i = (hole + 1) & (m->cap - 1); m->slots[i].key; i = (i + 1) & (m->cap - 1)) {
		size_t home = m->slots[i].hash & (m->cap - 1);
		size_t dist_i = (i - home) & (m->cap - 1), dist_h = (hole - home) & (m->cap - 1);
		if (dist_h < dist_i || home == hole) {
			m->slots[hole] = m->slots[i];
			m->slots[i].key = NULL;
			hole = i;
		}
	}
}
