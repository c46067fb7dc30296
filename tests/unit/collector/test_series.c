/* Series identity keys, canonical labels, the per-connection table and
 * the writer's cache. */
#include "series.h"
#include "test.h"

#include <errno.h>
#include <stdlib.h>

static Pantau__Label label(const char *k, const char *v)
{
	Pantau__Label l = PANTAU__LABEL__INIT;
	l.key = (char *)k;
	l.value = (char *)v;
	return l;
}

static void make_def(Pantau__SeriesDef *d, Pantau__Label **labels, size_t n)
{
	pantau__series_def__init(d);
	d->id = 7;
	d->device = "ups-a";
	d->metric = "ups.battery.charge";
	d->unit = "%";
	d->device_kind = "ups";
	d->labels = labels;
	d->n_labels = n;
}

TEST(key_is_agent_device_metric_and_sorted_labels)
{
	Pantau__Label a = label("oid", "1.3.6.1"), b = label("index", "2");
	Pantau__Label *labels[] = {&a, &b};
	Pantau__SeriesDef d;
	make_def(&d, labels, 2);
	struct buf key;
	buf_init(&key, 4096);
	ASSERT_EQ_INT(series_key_build("agent-1", &d, &key), 0);
	static const char want[] = "agent-1\0ups-a\0ups.battery.charge\0"
				   "{\"index\":\"2\",\"oid\":\"1.3.6.1\"}";
	ASSERT_EQ_UINT(key.len, sizeof(want) - 1);
	ASSERT_TRUE(memcmp(key.data, want, key.len) == 0);
	buf_free(&key);
}

TEST(label_order_does_not_change_the_key)
{
	Pantau__Label a = label("b", "2"), b = label("a", "1"), c = label("c", "3");
	Pantau__Label *one[] = {&a, &b, &c}, *two[] = {&c, &b, &a};
	Pantau__SeriesDef d1, d2;
	make_def(&d1, one, 3);
	make_def(&d2, two, 3);
	struct series_def *x, *y;
	ASSERT_EQ_INT(series_def_new("ag", &d1, &x), 0);
	ASSERT_EQ_INT(series_def_new("ag", &d2, &y), 0);
	ASSERT_TRUE(series_def_same(x, y));
	ASSERT_EQ_STR(x->labels_json, "{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}");
	ASSERT_EQ_STR(x->agent_id, "ag");
	ASSERT_EQ_STR(x->device, "ups-a");
	ASSERT_EQ_STR(x->metric, "ups.battery.charge");
	ASSERT_EQ_STR(x->unit, "%");
	ASSERT_EQ_STR(x->device_kind, "ups");
	series_def_release(x);
	series_def_release(y);
}

TEST(labels_are_json_escaped_and_empty_labels_are_an_empty_object)
{
	Pantau__Label a = label("k", "say \"hi\"\\\n");
	Pantau__Label *labels[] = {&a};
	struct buf out;
	buf_init(&out, 4096);
	ASSERT_EQ_INT(series_labels_json(labels, 1, &out), 0);
	ASSERT_EQ_INT(buf_putc(&out, '\0'), 0);
	ASSERT_EQ_STR((char *)out.data, "{\"k\":\"say \\\"hi\\\"\\\\\\n\"}");
	buf_reset(&out);
	ASSERT_EQ_INT(series_labels_json(NULL, 0, &out), 0);
	ASSERT_EQ_INT(buf_putc(&out, '\0'), 0);
	ASSERT_EQ_STR((char *)out.data, "{}");
	buf_free(&out);
}

TEST(a_repeated_label_key_is_refused)
{
	Pantau__Label a = label("oid", "1"), b = label("oid", "2");
	Pantau__Label *labels[] = {&a, &b};
	Pantau__SeriesDef d;
	make_def(&d, labels, 2);
	struct series_def *x = NULL;
	ASSERT_EQ_INT(series_def_new("ag", &d, &x), -EINVAL);
	ASSERT_TRUE(x == NULL);
}

TEST(different_unit_kind_or_agent_is_a_different_definition)
{
	Pantau__SeriesDef d;
	make_def(&d, NULL, 0);
	struct series_def *x, *y, *z;
	ASSERT_EQ_INT(series_def_new("ag", &d, &x), 0);
	d.unit = "percent";
	ASSERT_EQ_INT(series_def_new("ag", &d, &y), 0);
	ASSERT_TRUE(!series_def_same(x, y));
	d.unit = "%";
	ASSERT_EQ_INT(series_def_new("other", &d, &z), 0);
	ASSERT_TRUE(!series_def_same(x, z));
	series_def_release(x);
	series_def_release(y);
	series_def_release(z);
}

TEST(table_maps_ids_and_replaces)
{
	struct series_table t;
	series_table_init(&t);
	Pantau__SeriesDef d;
	make_def(&d, NULL, 0);
	for (uint32_t id = 0; id < 3000; id += 3) {
		struct series_def *def;
		d.id = id;
		ASSERT_EQ_INT(series_def_new("ag", &d, &def), 0);
		def->db_id = id + 1;
		ASSERT_EQ_INT(series_table_put(&t, id, def), 0);
	}
	ASSERT_EQ_UINT(t.n, 1000);
	for (uint32_t id = 0; id < 3000; id++) {
		struct series_def *def = series_table_get(&t, id);
		if (id % 3)
			ASSERT_TRUE(def == NULL);
		else
			ASSERT_EQ_INT(def->db_id, id + 1);
	}
	struct series_def *def;
	ASSERT_EQ_INT(series_def_new("ag", &d, &def), 0);
	def->db_id = 99;
	ASSERT_EQ_INT(series_table_put(&t, 0xffffffffu, def), 0);
	ASSERT_EQ_INT(series_table_get(&t, 0xffffffffu)->db_id, 99);
	ASSERT_EQ_UINT(t.n, 1001);
	series_table_free(&t);
}

TEST(cache_finds_binary_keys_after_growing)
{
	struct series_cache c;
	series_cache_init(&c);
	char key[8] = {'k', 0, 'e', 'y', 0, 0, 0, 0};
	for (int i = 0; i < 5000; i++) {
		memcpy(key + 4, &i, sizeof(i));
		ASSERT_EQ_INT(series_cache_put(&c, key, sizeof(key), i, -i), 0);
	}
	for (int i = 0; i < 5000; i++) {
		int64_t a = 0, b = 0;
		memcpy(key + 4, &i, sizeof(i));
		ASSERT_EQ_INT(series_cache_get(&c, key, sizeof(key), &a, &b), 1);
		ASSERT_EQ_INT(a, i);
		ASSERT_EQ_INT(b, -i);
	}
	int64_t a;
	ASSERT_EQ_INT(series_cache_get(&c, "nope", 4, &a, NULL), 0);
	series_cache_clear(&c);
	ASSERT_EQ_INT(series_cache_get(&c, key, sizeof(key), &a, NULL), 0);
	series_cache_free(&c);
}

TEST_MAIN(key_is_agent_device_metric_and_sorted_labels, label_order_does_not_change_the_key,
	  labels_are_json_escaped_and_empty_labels_are_an_empty_object,
	  a_repeated_label_key_is_refused, different_unit_kind_or_agent_is_a_different_definition,
	  table_maps_ids_and_replaces, cache_finds_binary_keys_after_growing)
