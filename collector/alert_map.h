/* A small hash map from byte strings (which may hold NULs) to pointers,
 * for the alert engine's series, devices, agents and restored alerts. Keys
 * are copied; values are borrowed. */
#ifndef PANTAU_COLLECTOR_ALERT_MAP_H
#define PANTAU_COLLECTOR_ALERT_MAP_H

#include <stddef.h>

struct alert_map_slot {
	char *key; /* owned; NULL = empty */
	size_t len;
	size_t hash;
	void *value;
};

struct alert_map {
	struct alert_map_slot *slots;
	size_t cap, n;
};

void alert_map_init(struct alert_map *m);
/* Frees the keys (not the values). */
void alert_map_free(struct alert_map *m);
/* The value for key, or NULL. */
void *alert_map_get(const struct alert_map *m, const char *key, size_t len);
/* Adds or replaces. 0 or -ENOMEM. */
int alert_map_put(struct alert_map *m, const char *key, size_t len, void *value);
/* Removes key if present. */
void alert_map_del(struct alert_map *m, const char *key, size_t len);

#endif
