/* pantau-sim-modbus: a Modbus slave for the tests and the quickstart, built
 * on libmodbus. It serves all four tables (65,536 addresses each, zero unless
 * seeded) to any number of TCP clients with a select() loop, or to one
 * serial line with --rtu. It is a test tool: blocking is fine here.
 *
 *   pantau-sim-modbus [--bind ADDR] [--port N] [--seed FILE]
 *                     [--exception-at [TABLE:]ADDR]... [--delay MS]
 *                     [--hang] [--close] [--rtu DEVICE [--unit N] [--baud N]]
 *                     [--ports N]
 *
 * --unit-seed UNIT=FILE (repeatable) serves several units, each its own
 * map: on TCP as a gateway that answers GATEWAY TARGET FAILED TO RESPOND for
 * any other unit, with --rtu as several slaves sharing one serial line.
 *
 * --ports N listens on N sockets (N simulated slaves serving the same map,
 * for benchmarks), each printing its own "listening on" line.
 * --port 0 picks a free port. Once listening it prints one line to stdout,
 * "pantau-sim-modbus: listening on HOST:PORT", which scripts wait for.
 *
 * Seed files hold one value per line (tests/sim/README.md has the details):
 *
 *   table address type [byte/word] value     # comment
 *   holding 100 float32 big/little 1234.5
 *
 * Without --seed it serves an EMS room sensor (tests/sim/ems_default.seed,
 * built in at compile time):
 *
 *   input 0     int16 235        temperature 23.5 C (x0.1)
 *   input 1     uint16 482       humidity 48.2 % (x0.1)
 *   input 2     int16 118        dew point 11.8 C (x0.1)
 *   input 3     int16 -55        supply-air delta -5.5 K (x0.1)
 *   input 4     uint16 2301      mains voltage 230.1 V (x0.1)
 *   discrete 0..3                leak 0, door 0 (closed), smoke 0, mains 1
 *   coil 0..1                    buzzer 0, status LED 1
 *   holding 0   uint16 0x8001    status word: bit 0 and bit 15 set
 *   holding 100/102/104/106      float32 1234.5 in big/big, big/little,
 *                                little/big, little/little
 *   holding 110 uint32 4000000000; 112 int32 -123456 (big/big);
 *   holding 114 int32 -123456 (big/little); 120 int64 -1234567890123;
 *   holding 124 uint64 1234567890123456; 128 float64 230.25;
 *   holding 132 float64 -0.125 (little/little); 140 float32 NaN
 *   holding 200 string "PANTAU-EMS-1"; 208 string "SN-0042" (bytes swapped)
 */
#include "ems_default_seed.h"

#include <modbus.h>

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { T_COIL, T_DISCRETE, T_INPUT, T_HOLDING, T_ANY };
enum { MAX_EXCEPTIONS = 32, MAX_TOKENS = 6, MAX_PORTS = 400, MAX_UNITS = 16 };

static const char *const table_names[] = {"coil", "discrete", "input", "holding"};

struct exception_at {
	int table; /* T_ANY for every table */
	int address;
};

struct sim {
	const char *bind;
	int port;
	const char *seed;
	const char *rtu;
	int unit;
	int baud;
	int delay_ms;
	bool hang;
	bool close_each;
	bool debug;
	int nports; /* --ports: listening sockets, one per simulated slave */
	struct exception_at exc[MAX_EXCEPTIONS];
	int nexc;
	modbus_mapping_t *map;
	/* --unit-seed: several units, each with its own map (a gateway on TCP,
	 * several slaves on one serial line with --rtu). */
	struct unit_map {
		int unit;
		const char *seed;
		modbus_mapping_t *map;
	} units[MAX_UNITS];
	int nunits;
};

static int table_index(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, table_names[i]) == 0)
			return i;
	return -1;
}

/* ---- encoding --------------------------------------------------------- */

static int type_width(const char *type)
{
	static const struct {
		const char *name;
		int regs;
	} types[] = {{"int16", 1},  {"uint16", 1},  {"int32", 2},   {"uint32", 2}, {"int64", 4},
		     {"uint64", 4}, {"float32", 2}, {"float64", 4}, {"bool", 0}};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i].name) == 0)
			return types[i].regs;
	return -1;
}

/* The value's bits, most significant first in the low width*16 bits. */
static int value_bits(const char *type, const char *text, uint64_t *bits)
{
	char *end;
	errno = 0;
	if (strncmp(type, "float", 5) == 0) {
		double d = strtod(text, &end);
		if (strcmp(type, "float32") == 0) {
			float f = (float)d;
			uint32_t u;
			memcpy(&u, &f, sizeof(u));
			*bits = u;
		} else {
			memcpy(bits, &d, sizeof(*bits));
		}
	} else if (type[0] == 'u') {
		*bits = strtoull(text, &end, 0);
	} else {
		*bits = (uint64_t)strtoll(text, &end, 0);
	}
	return errno || end == text || *end ? -1 : 0;
}

/* Writes nregs registers at regs: the value's bytes big-endian, then each
 * register's bytes swapped for byte order little, then the registers
 * reversed for word order little. */
static void put_words(uint16_t *regs, uint64_t bits, int nregs, bool byte_little, bool word_little)
{
	for (int k = 0; k < nregs; k++) {
		uint16_t w = (uint16_t)(bits >> (16 * (nregs - 1 - k)));
		if (byte_little)
			w = (uint16_t)((w << 8) | (w >> 8));
		regs[word_little ? nregs - 1 - k : k] = w;
	}
}

static int put_string(uint16_t *regs, int room, const char *text, bool byte_little)
{
	size_t len = strlen(text);
	if ((len + 1) / 2 > (size_t)room)
		return -1;
	for (size_t k = 0; k < (len + 1) / 2; k++) {
		uint8_t a = (uint8_t)text[2 * k];
		uint8_t b = 2 * k + 1 < len ? (uint8_t)text[2 * k + 1] : 0;
		regs[k] = byte_little ? (uint16_t)(b << 8 | a) : (uint16_t)(a << 8 | b);
	}
	return 0;
}

static int parse_order(const char *s, bool *byte_little, bool *word_little)
{
	static const char *const orders[] = {"big/big", "big/little", "little/big",
					     "little/little"};
	for (int i = 0; i < 4; i++) {
		if (strcmp(s, orders[i]) == 0) {
			*byte_little = i >= 2;
			*word_little = i % 2 == 1;
			return 0;
		}
	}
	return -1;
}

/* ---- seed files ------------------------------------------------------- */

/* Splits a line into whitespace-separated tokens; "..." keeps spaces; '#'
 * outside quotes ends the line. Modifies line. */
static int tokenize(char *line, char **tok, int max)
{
	int n = 0;
	char *p = line;
	while (*p && n < max) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			break;
		if (*p == '"') {
			tok[n++] = ++p;
			while (*p && *p != '"')
				p++;
		} else {
			tok[n++] = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
				p++;
		}
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static int seed_line(modbus_mapping_t *m, char *line, const char *where)
{
	char *tok[MAX_TOKENS];
	int n = tokenize(line, tok, MAX_TOKENS);
	if (n == 0)
		return 0;
	int table = n >= 4 ? table_index(tok[0]) : -1;
	char *end;
	long addr = n >= 4 ? strtol(tok[1], &end, 0) : -1;
	bool bl = false, wl = false;
	int vi = 3;
	if (n == 5 && parse_order(tok[3], &bl, &wl) == 0)
		vi = 4;
	if (table < 0 || addr < 0 || addr > 65535 || *end || vi != n - 1) {
		fprintf(stderr, "%s: expected: table address type [byte/word] value\n", where);
		return -1;
	}
	const char *type = tok[2], *value = tok[vi];
	bool bits_table = table == T_COIL || table == T_DISCRETE;
	if (strcmp(type, "bool") == 0 && bits_table) {
		uint8_t *dst = table == T_COIL ? m->tab_bits : m->tab_input_bits;
		dst[addr] = strcmp(value, "0") != 0 && strcmp(value, "false") != 0;
		return 0;
	}
	uint16_t *regs = table == T_INPUT ? m->tab_input_registers : m->tab_registers;
	if (!bits_table && strcmp(type, "string") == 0) {
		if (put_string(regs + addr, (int)(65536 - addr), value, bl) == 0)
			return 0;
	} else {
		int width = type_width(type);
		uint64_t bits;
		if (!bits_table && width > 0 && addr + width <= 65536 &&
		    value_bits(type, value, &bits) == 0) {
			put_words(regs + addr, bits, width, bl, wl);
			return 0;
		}
	}
	fprintf(stderr, "%s: cannot put %s '%s' in %s\n", where, type, value, table_names[table]);
	return -1;
}

static int seed_text(modbus_mapping_t *m, const char *text, const char *name)
{
	int lineno = 0;
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		char line[512], where[300];
		lineno++;
		if (len >= sizeof(line)) {
			fprintf(stderr, "%s:%d: line too long\n", name, lineno);
			return -1;
		}
		memcpy(line, text, len);
		line[len] = '\0';
		snprintf(where, sizeof(where), "%s:%d", name, lineno);
		if (seed_line(m, line, where) < 0)
			return -1;
		text += len + (nl ? 1 : 0);
	}
	return 0;
}

static int seed_file(modbus_mapping_t *m, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	static char text[1 << 20];
	size_t len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	return seed_text(m, text, path);
}

/* ---- serving ---------------------------------------------------------- */

/* The read request's table, or -1 for other functions. */
static int request_table(int function)
{
	switch (function) {
	case MODBUS_FC_READ_COILS:
		return T_COIL;
	case MODBUS_FC_READ_DISCRETE_INPUTS:
		return T_DISCRETE;
	case MODBUS_FC_READ_HOLDING_REGISTERS:
		return T_HOLDING;
	case MODBUS_FC_READ_INPUT_REGISTERS:
		return T_INPUT;
	default:
		return -1;
	}
}

static bool wants_exception(const struct sim *s, modbus_t *ctx, const uint8_t *req)
{
	int h = modbus_get_header_length(ctx);
	int table = request_table(req[h]);
	if (table < 0)
		return false;
	int addr = req[h + 1] << 8 | req[h + 2];
	int count = req[h + 3] << 8 | req[h + 4];
	for (int i = 0; i < s->nexc; i++) {
		const struct exception_at *e = &s->exc[i];
		if ((e->table == T_ANY || e->table == table) && e->address >= addr &&
		    e->address < addr + count)
			return true;
	}
	return false;
}

/* The map of a unit, or NULL if --unit-seed did not name it. Without
 * --unit-seed every unit is served from the one map. */
static modbus_mapping_t *unit_map(const struct sim *s, int unit)
{
	if (s->nunits == 0)
		return s->map;
	for (int i = 0; i < s->nunits; i++)
		if (s->units[i].unit == unit)
			return s->units[i].map;
	return NULL;
}

static void answer(const struct sim *s, modbus_t *ctx, const uint8_t *req, int len)
{
	if (s->delay_ms > 0) {
		struct timespec ts = {s->delay_ms / 1000, (long)(s->delay_ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
	}
	modbus_mapping_t *map = unit_map(s, req[modbus_get_header_length(ctx) - 1]);
	if (!map) /* a gateway whose target does not answer */
		modbus_reply_exception(ctx, req, MODBUS_EXCEPTION_GATEWAY_TARGET);
	else if (wants_exception(s, ctx, req))
		modbus_reply_exception(ctx, req, MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS);
	else
		modbus_reply(ctx, req, len, map);
}

/* Reads and drops what a client sends (--hang). 0, or -1 at end of stream. */
static int swallow(int fd)
{
	char buf[512];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);
	return n > 0 ? 0 : -1;
}

static int accept_client(const struct sim *s, int listen_fd)
{
	int fd = accept(listen_fd, NULL, NULL);
	if (fd < 0)
		return -1;
	if (s->close_each) {
		close(fd);
		return -1;
	}
	return fd;
}

static int serve_tcp(struct sim *s, modbus_t *ctx, const int *listen_fds, int nlisten)
{
	static bool is_listen[FD_SETSIZE];
	fd_set all;
	FD_ZERO(&all);
	int maxfd = -1;
	for (int i = 0; i < nlisten; i++) {
		FD_SET(listen_fds[i], &all);
		is_listen[listen_fds[i]] = true;
		maxfd = listen_fds[i] > maxfd ? listen_fds[i] : maxfd;
	}
	uint8_t req[MODBUS_TCP_MAX_ADU_LENGTH];
	for (;;) {
		fd_set rd = all;
		if (select(maxfd + 1, &rd, NULL, NULL, NULL) < 0) {
			if (errno == EINTR)
				continue;
			perror("select");
			return 1;
		}
		for (int fd = 0; fd <= maxfd; fd++) {
			if (!FD_ISSET(fd, &rd))
				continue;
			if (is_listen[fd]) {
				int c = accept_client(s, fd);
				if (c >= 0 && c < FD_SETSIZE) {
					FD_SET(c, &all);
					maxfd = c > maxfd ? c : maxfd;
				} else if (c >= 0) {
					close(c);
				}
				continue;
			}
			int rc;
			if (s->hang) {
				rc = swallow(fd);
			} else {
				modbus_set_socket(ctx, fd);
				rc = modbus_receive(ctx, req);
				if (rc > 0)
					answer(s, ctx, req, rc);
			}
			if (rc < 0) {
				close(fd);
				FD_CLR(fd, &all);
			}
		}
	}
}

/* One listening socket; prints its "listening on" line. -1 on error. */
static int listen_one(struct sim *s, modbus_t *ctx, int port)
{
	modbus_t *l = modbus_new_tcp(s->bind, port);
	if (!l)
		return -1;
	int fd = modbus_tcp_listen(l, 32);
	modbus_free(l); /* frees the context, not the listening socket */
	if (fd < 0 || fd >= FD_SETSIZE) {
		fprintf(stderr, "pantau-sim-modbus: listen on %s:%d: %s\n", s->bind, port,
			modbus_strerror(errno));
		return -1;
	}
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	getsockname(fd, (struct sockaddr *)&sa, &salen);
	printf("pantau-sim-modbus: listening on %s:%d\n", s->bind, ntohs(sa.sin_port));
	return fd;
}

static int run_tcp(struct sim *s)
{
	modbus_t *ctx = modbus_new_tcp(s->bind, s->port);
	if (!ctx) {
		fprintf(stderr, "pantau-sim-modbus: %s\n", modbus_strerror(errno));
		return 1;
	}
	modbus_set_debug(ctx, s->debug);
	static int fds[MAX_PORTS];
	int n = s->nports > 0 ? s->nports : 1;
	for (int i = 0; i < n; i++) {
		/* With --port 0 every socket gets a free port of its own;
		 * otherwise they are consecutive from --port. */
		if ((fds[i] = listen_one(s, ctx, s->port ? s->port + i : 0)) < 0) {
			modbus_free(ctx);
			return 1;
		}
	}
	fflush(stdout);
	int rc = serve_tcp(s, ctx, fds, n);
	modbus_free(ctx);
	return rc;
}

static modbus_t *open_rtu(const struct sim *s, int fd)
{
	modbus_t *ctx = modbus_new_rtu(s->rtu, s->baud, 'N', 8, 1);
	int unit = s->nunits ? s->units[0].unit : s->unit;
	if (!ctx || modbus_set_slave(ctx, unit) < 0 || (fd < 0 && modbus_connect(ctx) < 0)) {
		fprintf(stderr, "pantau-sim-modbus: %s: %s\n", s->rtu, modbus_strerror(errno));
		if (ctx)
			modbus_free(ctx);
		return NULL;
	}
	if (fd >= 0)
		modbus_set_socket(ctx, fd);
	modbus_set_debug(ctx, s->debug);
	return ctx;
}

/* libmodbus's RTU slave answers one unit. A request for another unit comes
 * back as 0 with the frame (its CRC checked) in req; when it is one of
 * ours, answer it, then start a fresh context on the same line, because
 * libmodbus would otherwise skip the next frame as that unit's answer. */
static modbus_t *answer_other_unit(const struct sim *s, modbus_t *ctx, const uint8_t *req)
{
	if (s->nunits == 0 || !unit_map(s, req[0]) || s->hang)
		return ctx;
	answer(s, ctx, req, 8);
	modbus_t *fresh = open_rtu(s, modbus_get_socket(ctx));
	if (!fresh)
		return ctx;
	modbus_free(ctx); /* frees the context, not the line */
	return fresh;
}

static int run_rtu(struct sim *s)
{
	modbus_t *ctx = open_rtu(s, -1);
	if (!ctx)
		return 1;
	if (s->nunits == 0)
		printf("pantau-sim-modbus: listening on %s unit %d\n", s->rtu, s->unit);
	for (int i = 0; i < s->nunits; i++)
		printf("pantau-sim-modbus: listening on %s unit %d\n", s->rtu, s->units[i].unit);
	fflush(stdout);
	uint8_t req[MODBUS_RTU_MAX_ADU_LENGTH];
	for (;;) {
		int rc = modbus_receive(ctx, req);
		if (rc > 0 && !s->hang)
			answer(s, ctx, req, rc);
		else if (rc == 0)
			ctx = answer_other_unit(s, ctx, req);
		else if (rc < 0 && (errno == EMBBADCRC || errno == EMBBADDATA))
			modbus_flush(ctx); /* resynchronise on the next frame */
		else if (rc < 0 && errno != ETIMEDOUT)
			break;
	}
	fprintf(stderr, "pantau-sim-modbus: %s: %s\n", s->rtu, modbus_strerror(errno));
	modbus_close(ctx);
	modbus_free(ctx);
	return 1;
}

/* ---- options ---------------------------------------------------------- */

static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int add_exception(struct sim *s, const char *arg)
{
	const char *colon = strchr(arg, ':');
	struct exception_at e = {T_ANY, 0};
	long addr;
	if (colon) {
		char table[16];
		snprintf(table, sizeof(table), "%.*s", (int)(colon - arg), arg);
		e.table = table_index(table);
		arg = colon + 1;
	}
	if (e.table < 0 || s->nexc >= MAX_EXCEPTIONS || parse_int(arg, 0, 65535, &addr) < 0)
		return -1;
	e.address = (int)addr;
	s->exc[s->nexc++] = e;
	return 0;
}

/* --unit-seed UNIT=FILE */
static int add_unit(struct sim *s, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char num[8];
	long unit;
	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(num) || s->nunits >= MAX_UNITS)
		return -1;
	snprintf(num, sizeof(num), "%.*s", (int)(eq - arg), arg);
	if (parse_int(num, 0, 255, &unit) < 0)
		return -1;
	s->units[s->nunits++] = (struct unit_map){(int)unit, eq + 1, NULL};
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pantau-sim-modbus [--bind ADDR] [--port N] [--seed FILE]\n"
		"         [--exception-at [TABLE:]ADDR]... [--delay MS] [--hang] [--close]\n"
		"         [--debug] [--ports N] [--unit-seed UNIT=FILE]...\n"
		"         [--rtu DEVICE [--unit N] [--baud N]]\n");
}

static int parse_args(struct sim *s, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		long n;
		bool takes = true;
		if (strcmp(a, "--hang") == 0)
			s->hang = true, takes = false;
		else if (strcmp(a, "--close") == 0)
			s->close_each = true, takes = false;
		else if (strcmp(a, "--debug") == 0)
			s->debug = true, takes = false;
		else if (!v)
			return -1;
		else if (strcmp(a, "--bind") == 0)
			s->bind = v;
		else if (strcmp(a, "--port") == 0 && parse_int(v, 0, 65535, &n) == 0)
			s->port = (int)n;
		else if (strcmp(a, "--seed") == 0)
			s->seed = v;
		else if (strcmp(a, "--rtu") == 0)
			s->rtu = v;
		else if (strcmp(a, "--unit") == 0 && parse_int(v, 1, 247, &n) == 0)
			s->unit = (int)n;
		else if (strcmp(a, "--baud") == 0 && parse_int(v, 300, 921600, &n) == 0)
			s->baud = (int)n;
		else if (strcmp(a, "--unit-seed") == 0 && add_unit(s, v) == 0)
			;
		else if (strcmp(a, "--ports") == 0 && parse_int(v, 1, MAX_PORTS, &n) == 0)
			s->nports = (int)n;
		else if (strcmp(a, "--delay") == 0 && parse_int(v, 0, 600000, &n) == 0)
			s->delay_ms = (int)n;
		else if (strcmp(a, "--exception-at") == 0 && add_exception(s, v) == 0)
			;
		else
			return -1;
		i += takes;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sim s = {.bind = "127.0.0.1", .port = 1502, .unit = 1, .baud = 9600};
	if (parse_args(&s, argc, argv) < 0) {
		usage();
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (s.debug)
		setvbuf(stdout, NULL, _IONBF, 0); /* libmodbus traces to stdout */
	s.map = modbus_mapping_new(65536, 65536, 65536, 65536);
	int rc = s.map ? 0 : -1;
	for (int i = 0; rc == 0 && i < s.nunits; i++) {
		s.units[i].map = modbus_mapping_new(65536, 65536, 65536, 65536);
		rc = s.units[i].map ? seed_file(s.units[i].map, s.units[i].seed) : -1;
	}
	if (rc == 0)
		rc = s.seed ? seed_file(s.map, s.seed)
			    : seed_text(s.map, ems_default_seed, "(built-in EMS map)");
	if (rc == 0)
		rc = s.rtu ? run_rtu(&s) : run_tcp(&s);
	else
		rc = 2;
	for (int i = 0; i < s.nunits; i++)
		if (s.units[i].map)
			modbus_mapping_free(s.units[i].map);
	modbus_mapping_free(s.map);
	return rc;
}
