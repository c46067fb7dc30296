/* The Modbus poller end to end against pantau-sim-modbus, with a stand-in
 * for the agent core (device_emit, device_poll_done, agent_workq) so it
 * runs without the rest of the agent. argv[1] is the simulator. */
#include "agent.h"
#include "modbus_config.h"
#include "test.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Set by the meson test: the simulator binary. */
static const char *sim_path_env(void)
{
	const char *p = getenv("PANTAU_SIM_MODBUS");
	return p ? p : "tests/sim/pantau-sim-modbus";
}

/* ---- the stand-in core ------------------------------------------------- */

enum { MAX_SAMPLES = 64 };

struct seen {
	char metric[64];
	char table[16];
	char address[8];
	char bit[4];
	char text[64]; /* inventory value */
	double value;
	enum series_kind kind;
	bool inventory;
};

static struct seen seen[MAX_SAMPLES];
static size_t nseen;
static int polls_done;
static int last_status;
static char last_reason[200];

static const char *label(const struct label *l, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(l[i].key, key) == 0)
			return l[i].value;
	return "";
}

void device_emit(struct device *dev, const struct sample_in *s)
{
	if (nseen == MAX_SAMPLES)
		return;
	struct seen *v = &seen[nseen++];
	*v = (struct seen){.value = s->value, .kind = s->kind};
	snprintf(v->metric, sizeof(v->metric), "%s", s->metric);
	snprintf(v->table, sizeof(v->table), "%s", label(s->labels, s->nlabels, "table"));
	snprintf(v->address, sizeof(v->address), "%s", label(s->labels, s->nlabels, "address"));
	snprintf(v->bit, sizeof(v->bit), "%s", label(s->labels, s->nlabels, "bit"));
	if (s->ts_ms != 0)
		printf("# unexpected ts %lld\n", (long long)s->ts_ms);
}

void device_emit_inventory(struct device *dev, const char *item_kind, const char *item_id,
			   const struct label *fields, size_t nfields)
{
	if (nseen == MAX_SAMPLES)
		return;
	struct seen *v = &seen[nseen++];
	*v = (struct seen){.inventory = true};
	snprintf(v->metric, sizeof(v->metric), "%s", item_id);
	snprintf(v->text, sizeof(v->text), "%s", label(fields, nfields, "value"));
	snprintf(v->table, sizeof(v->table), "%s", label(fields, nfields, "table"));
	snprintf(v->address, sizeof(v->address), "%s", label(fields, nfields, "address"));
}

void device_poll_done(struct device *dev, int status, const char *reason)
{
	polls_done++;
	last_status = status;
	snprintf(last_reason, sizeof(last_reason), "%s", reason ? reason : "");
}

struct workq *agent_workq(struct agent *a)
{
	if (!a->workq_started) {
		if (workq_start(&a->workq, a->loop, 2) < 0)
			return NULL;
		a->workq_started = true;
	}
	return &a->workq;
}

static const struct seen *find(const char *metric)
{
	for (size_t i = 0; i < nseen; i++)
		if (strcmp(seen[i].metric, metric) == 0)
			return &seen[i];
	return NULL;
}

/* ---- the simulator ------------------------------------------------------ */

struct sim {
	pid_t pid;
	int port;
};

/* Starts the simulator with extra arguments (NULL-terminated) and waits
 * for its "listening on HOST:PORT" line. */
static void sim_start(struct sim *s, const char *port, const char *const *extra)
{
	const char *sim_path = sim_path_env();
	const char *argv[16] = {sim_path, "--port", port};
	int argc = 3;
	for (; extra && *extra && argc < 15; extra++)
		argv[argc++] = *extra;
	int p[2];
	ASSERT_EQ_INT(pipe(p), 0);
	fflush(stdout);
	s->pid = fork();
	ASSERT_TRUE(s->pid >= 0);
	if (s->pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(sim_path, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	FILE *f = fdopen(p[0], "r");
	char line[200] = "";
	ASSERT_TRUE(fgets(line, sizeof(line), f) != NULL);
	fclose(f);
	const char *colon = strrchr(line, ':');
	ASSERT_TRUE(colon != NULL);
	s->port = (int)strtol(colon + 1, NULL, 10);
	ASSERT_TRUE(s->port > 0);
}

static void sim_stop(struct sim *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	s->pid = 0;
}

/* A port nothing listens on: bind one, note it, close it. */
static int dead_port(void)
{
	struct sim s;
	sim_start(&s, "0", NULL);
	sim_stop(&s);
	return s.port;
}

/* ---- a device ----------------------------------------------------------- */

struct rig {
	uv_loop_t loop;
	struct agent agent;
	struct device dev;
	struct conf_doc doc;
};

static struct rig rig;

static void rig_setup(const char *yaml)
{
	memset(&rig, 0, sizeof(rig));
	ASSERT_EQ_INT(uv_loop_init(&rig.loop), 0);
	rig.agent.loop = &rig.loop;
	rig.dev.agent = &rig.agent;
	rig.dev.name = "ems-test";
	struct perr err = {{0}};
	int rc = conf_load_string("poll.yaml", yaml, strlen(yaml), &rig.doc, &err);
	if (rc == 0)
		rc = poll_modbus_ops.parse(&rig.dev, rig.doc.root, NULL, &err);
	if (rc < 0)
		printf("# %s\n", err.msg);
	ASSERT_EQ_INT(rc, 0);
	ASSERT_EQ_INT(poll_modbus_ops.start(&rig.dev), 0);
	nseen = 0;
	polls_done = 0;
}

/* Runs one poll to its end; returns the milliseconds it took. */
static uint64_t rig_poll(void)
{
	int before = polls_done;
	uint64_t t0 = log_mono_ms();
	ASSERT_EQ_INT(poll_modbus_ops.poll(&rig.dev), 0);
	ASSERT_EQ_INT(poll_modbus_ops.poll(&rig.dev), -EBUSY); /* one job in flight */
	while (polls_done == before)
		uv_run(&rig.loop, UV_RUN_ONCE);
	ASSERT_EQ_INT(polls_done, before + 1);
	return log_mono_ms() - t0;
}

static bool stopped;

static void on_stopped(struct device *dev)
{
	stopped = true;
}

static void on_workq_closed(struct workq *q)
{
}

static void rig_teardown(void)
{
	stopped = false;
	poll_modbus_ops.stop(&rig.dev, on_stopped);
	while (!stopped)
		uv_run(&rig.loop, UV_RUN_ONCE);
	ASSERT_TRUE(rig.dev.state == NULL);
	if (rig.agent.workq_started)
		workq_stop(&rig.agent.workq, on_workq_closed);
	uv_run(&rig.loop, UV_RUN_DEFAULT);
	ASSERT_EQ_INT(uv_loop_close(&rig.loop), 0);
	poll_modbus_ops.free_cfg(rig.dev.cfg);
	conf_doc_free(&rig.doc);
}

/* Every field of the default EMS map. */
static const char ems_fields[] =
	"fields:\n"
	"  - {metric: temperature, unit: celsius, table: input, address: 0, type: int16, "
	"scale: 0.1}\n"
	"  - {metric: humidity, unit: '%', table: input, address: 1, scale: 0.1}\n"
	"  - {metric: delta, table: input, address: 3, type: int16, scale: 0.1}\n"
	"  - {metric: volts, table: input, address: 4, scale: 0.1, offset: -30}\n"
	"  - {metric: leak, table: discrete, address: 0}\n"
	"  - {metric: mains, table: discrete, address: 3}\n"
	"  - {metric: led, table: coil, address: 1}\n"
	"  - {metric: sensor_ok, table: holding, address: 0, type: bool, bit: 0}\n"
	"  - {metric: bit1, table: holding, address: 0, type: bool, bit: 1}\n"
	"  - {metric: locked, table: holding, address: 0, type: bool, bit: 15}\n"
	"  - {metric: e_bb, table: holding, address: 100, type: float32}\n"
	"  - {metric: e_bl, table: holding, address: 102, type: float32, word_order: little}\n"
	"  - {metric: e_lb, table: holding, address: 104, type: float32, byte_order: little}\n"
	"  - {metric: e_ll, table: holding, address: 106, type: float32, byte_order: little, "
	"word_order: little}\n"
	"  - {metric: uptime, table: holding, address: 110, type: uint32, kind: counter}\n"
	"  - {metric: i32, table: holding, address: 112, type: int32}\n"
	"  - {metric: i32_bl, table: holding, address: 114, type: int32, word_order: little}\n"
	"  - {metric: i64, table: holding, address: 120, type: int64}\n"
	"  - {metric: u64, table: holding, address: 124, type: uint64}\n"
	"  - {metric: f64, table: holding, address: 128, type: float64}\n"
	"  - {metric: f64_ll, table: holding, address: 132, type: float64, byte_order: little, "
	"word_order: little}\n"
	"  - {metric: probe2, table: holding, address: 140, type: float32}\n"
	"  - {metric: model, table: holding, address: 200, type: string, length: 8}\n"
	"  - {metric: serial, table: holding, address: 208, type: string, length: 4, "
	"byte_order: little}\n";

static void setup_ems(int port, const char *extra)
{
	char yaml[4096];
	snprintf(yaml, sizeof(yaml), "address: 127.0.0.1:%d\ntimeout: 500ms\n%s%s", port,
		 extra ? extra : "", ems_fields);
	rig_setup(yaml);
}

/* The value emitted for metric (fails the test if there is none). */
static double value_of(const char *metric)
{
	const struct seen *v = find(metric);
	if (!v)
		TEST_FAIL_("%s was not emitted", metric);
	return v->value;
}

#define ASSERT_VALUE(metric, v) ASSERT_NEAR(value_of(metric), v, 1e-12)

static void check_ems_values(void)
{
	ASSERT_VALUE("temperature", 23.5);
	ASSERT_VALUE("humidity", 48.2);
	ASSERT_VALUE("delta", -5.5);
	ASSERT_VALUE("volts", 200.1);
	ASSERT_VALUE("leak", 0);
	ASSERT_VALUE("mains", 1);
	ASSERT_VALUE("led", 1);
	ASSERT_VALUE("sensor_ok", 1);
	ASSERT_VALUE("bit1", 0);
	ASSERT_VALUE("locked", 1);
	ASSERT_VALUE("e_bb", 1234.5);
	ASSERT_VALUE("e_bl", 1234.5);
	ASSERT_VALUE("e_lb", 1234.5);
	ASSERT_VALUE("e_ll", 1234.5);
	ASSERT_VALUE("uptime", 4000000000.0);
	ASSERT_VALUE("i32", -123456);
	ASSERT_VALUE("i32_bl", -123456);
	ASSERT_VALUE("i64", -1234567890123.0);
	ASSERT_VALUE("u64", 1234567890123456.0);
	ASSERT_VALUE("f64", 230.25);
	ASSERT_VALUE("f64_ll", -0.125);
	ASSERT_TRUE(find("probe2") == NULL); /* NaN: skipped */
	ASSERT_TRUE(find("model") && find("model")->inventory);
	ASSERT_EQ_STR(find("model")->text, "PANTAU-EMS-1");
	ASSERT_EQ_STR(find("serial")->text, "SN-0042");
	ASSERT_EQ_INT(nseen, 23);
}

TEST(poll_reads_every_type)
{
	struct sim s;
	sim_start(&s, "0", NULL);
	setup_ems(s.port, NULL);
	rig_poll();
	ASSERT_EQ_INT(last_status, 0);
	check_ems_values();
	const struct seen *t = find("temperature"), *l = find("locked"), *u = find("uptime");
	ASSERT_EQ_STR(t->table, "input");
	ASSERT_EQ_STR(t->address, "0");
	ASSERT_EQ_STR(t->bit, "");
	ASSERT_EQ_INT(t->kind, SERIES_GAUGE);
	ASSERT_EQ_STR(l->table, "holding");
	ASSERT_EQ_STR(l->bit, "15");
	ASSERT_EQ_INT(l->kind, SERIES_STATE);
	ASSERT_EQ_INT(u->kind, SERIES_COUNTER);
	ASSERT_EQ_STR(find("model")->address, "200");
	/* The connection is kept: a second poll reads the same. */
	nseen = 0;
	rig_poll();
	ASSERT_EQ_INT(last_status, 0);
	check_ems_values();
	rig_teardown();
	sim_stop(&s);
}

TEST(poll_small_reads)
{
	struct sim s;
	sim_start(&s, "0", NULL);
	setup_ems(s.port, "max_registers_per_read: 8\nmax_bits_per_read: 1\nmax_gap: 0\n");
	rig_poll();
	ASSERT_EQ_INT(last_status, 0);
	check_ems_values();
	rig_teardown();
	sim_stop(&s);
}

TEST(poll_one_register_per_read)
{
	struct sim s;
	sim_start(&s, "0", NULL);
	char yaml[1024];
	snprintf(yaml, sizeof(yaml),
		 "address: 127.0.0.1:%d\nmax_registers_per_read: 1\nmax_bits_per_read: 1\n"
		 "fields:\n"
		 "  - {metric: temperature, table: input, address: 0, type: int16, scale: 0.1}\n"
		 "  - {metric: humidity, table: input, address: 1, scale: 0.1}\n"
		 "  - {metric: delta, table: input, address: 3, type: int16, scale: 0.1}\n"
		 "  - {metric: leak, table: discrete, address: 0}\n"
		 "  - {metric: mains, table: discrete, address: 3}\n"
		 "  - {metric: locked, table: holding, address: 0, type: bool, bit: 15}\n",
		 s.port);
	rig_setup(yaml);
	ASSERT_EQ_INT(((const struct modbus_cfg *)rig.dev.cfg)->plan.nreqs, 6);
	rig_poll();
	ASSERT_EQ_INT(last_status, 0);
	ASSERT_VALUE("temperature", 23.5);
	ASSERT_VALUE("humidity", 48.2);
	ASSERT_VALUE("delta", -5.5);
	ASSERT_VALUE("leak", 0);
	ASSERT_VALUE("mains", 1);
	ASSERT_VALUE("locked", 1);
	ASSERT_EQ_INT(nseen, 6);
	rig_teardown();
	sim_stop(&s);
}

TEST(poll_exception_leaves_other_fields)
{
	struct sim s;
	const char *const args[] = {"--exception-at", "holding:101", "--exception-at", "coil:1",
				    NULL};
	sim_start(&s, "0", args);
	setup_ems(s.port, "max_gap: 0\n");
	rig_poll();
	ASSERT_EQ_INT(last_status, 0);
	/* 100..107 is one read (adjacent floats): all four are missing. */
	ASSERT_TRUE(find("e_bb") == NULL && find("e_ll") == NULL);
	ASSERT_TRUE(find("led") == NULL);
	ASSERT_VALUE("temperature", 23.5);
	ASSERT_VALUE("uptime", 4000000000.0);
	ASSERT_VALUE("locked", 1);
	ASSERT_EQ_INT(nseen, 23 - 5);
	rig_teardown();
	sim_stop(&s);
}

TEST(poll_only_exceptions_is_a_failure)
{
	struct sim s;
	const char *const args[] = {"--exception-at", "5", NULL};
	sim_start(&s, "0", args);
	char yaml[256];
	snprintf(yaml, sizeof(yaml),
		 "address: 127.0.0.1:%d\nfields:\n  - {metric: a, table: input, address: 5}\n",
		 s.port);
	rig_setup(yaml);
	rig_poll();
	ASSERT_EQ_INT(last_status, -EPROTO);
	ASSERT_CONTAINS(last_reason, "1 of 1 reads got Modbus exceptions");
	rig_teardown();
	sim_stop(&s);
}

TEST(poll_refused)
{
	setup_ems(dead_port(), "retries: 2\n");
	uint64_t ms = rig_poll();
	ASSERT_EQ_INT(last_status, -ECONNREFUSED);
	ASSERT_EQ_INT(nseen, 0);
	ASSERT_TRUE(ms < 1000);
	rig_teardown();
}

TEST(poll_hanging_device_times_out_once)
{
	struct sim s;
	const char *const args[] = {"--hang", NULL};
	sim_start(&s, "0", args);
	setup_ems(s.port, "retries: 1\n");
	uint64_t ms = rig_poll();
	printf("# hang poll took %llu ms\n", (unsigned long long)ms);
	ASSERT_EQ_INT(last_status, -ETIMEDOUT);
	ASSERT_EQ_INT(nseen, 0);
	/* Two attempts of 500 ms on the first request, then the poll ends:
	 * not one timeout per request. */
	ASSERT_TRUE(ms >= 900 && ms < 2500);
	rig_teardown();
	sim_stop(&s);
}

TEST(poll_closing_device_fails)
{
	struct sim s;
	const char *const args[] = {"--close", NULL};
	sim_start(&s, "0", args);
	setup_ems(s.port, "retries: 1\n");
	uint64_t ms = rig_poll();
	ASSERT_TRUE(last_status < 0);
	ASSERT_TRUE(ms < 2500);
	printf("# closing device: %d (%s)\n", last_status, last_reason);
	rig_teardown();
	sim_stop(&s);
}

TEST(poll_reconnects_after_device_restart)
{
	struct sim s;
	sim_start(&s, "0", NULL);
	char port[8];
	snprintf(port, sizeof(port), "%d", s.port);
	setup_ems(s.port, "retries: 0\n");
	rig_poll();
	ASSERT_EQ_INT(last_status, 0);
	/* The device restarts between polls: the kept connection is dead, and
	 * even with retries 0 the poll reconnects once and succeeds. */
	sim_stop(&s);
	sim_start(&s, port, NULL);
	nseen = 0;
	rig_poll();
	ASSERT_EQ_INT(last_status, 0);
	check_ems_values();
	rig_teardown();
	sim_stop(&s);
}

TEST(poll_stop_while_busy)
{
	struct sim s;
	const char *const args[] = {"--hang", NULL};
	sim_start(&s, "0", args);
	setup_ems(s.port, "retries: 0\n");
	ASSERT_EQ_INT(poll_modbus_ops.poll(&rig.dev), 0);
	rig_teardown(); /* waits for the job; device_poll_done never runs */
	ASSERT_EQ_INT(polls_done, 0);
	sim_stop(&s);
}

TEST_MAIN(poll_reads_every_type, poll_small_reads, poll_one_register_per_read,
	  poll_exception_leaves_other_fields, poll_only_exceptions_is_a_failure, poll_refused,
	  poll_hanging_device_times_out_once, poll_closing_device_fails,
	  poll_reconnects_after_device_restart, poll_stop_while_busy)
