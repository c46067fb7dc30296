/* Error text that travels with a 0/-errno result at the config and decode
 * boundaries. Everywhere else a plain -errno is enough. */
#ifndef PANTAU_PERR_H
#define PANTAU_PERR_H

struct perr {
	char msg[512];
};

/* Formats the message; returns -EINVAL so callers can `return perr_set(...)`. */
int perr_set(struct perr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same with an explicit return code (a negative errno). */
int perr_setc(struct perr *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
