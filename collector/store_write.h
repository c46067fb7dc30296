/* The writer's PostgreSQL work (writer thread only): connection, prepared
 * statements, series and partition resolution, and one transaction per
 * group of items with a binary COPY of all their samples. */
#ifndef PANTAU_COLLECTOR_STORE_WRITE_H
#define PANTAU_COLLECTOR_STORE_WRITE_H

#include "store.h"

#include <stdbool.h>
#include <stddef.h>

struct store_writer;

/* Creates a writer for dsn (copied); does not connect. NULL on ENOMEM. */
struct store_writer *store_write_new(const char *dsn);
/* Closes the connection and frees the writer. NULL is fine. */
void store_write_free(struct store_writer *w);

/* Connects (and prepares the statements) unless already connected. 0, or
 * -ECONNREFUSED after logging the reason (with backoff). */
int store_write_connect(struct store_writer *w);
bool store_write_connected(const struct store_writer *w);

/* Stores items in one transaction and sets each item's result. 0, or -EIO
 * after a rollback (the caller retries the same group). */
int store_write_group(struct store_writer *w, struct store_item **items, size_t n);

#endif
