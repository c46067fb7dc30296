#include "json.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>

static const char *render_string(struct buf *b, const char *s)
{
	buf_reset(b);
	json_put_string(b, s);
	buf_putc(b, '\0');
	return (const char *)b->data;
}

static const char *render_double(struct buf *b, double v)
{
	buf_reset(b);
	json_put_double(b, v);
	buf_putc(b, '\0');
	return (const char *)b->data;
}

TEST(json_escapes_quotes_and_controls)
{
	struct buf b;
	buf_init(&b, 256);
	ASSERT_EQ_STR(render_string(&b, "a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
	ASSERT_EQ_STR(render_string(&b, ""), "\"\"");
	buf_free(&b);
}

TEST(json_numbers_round_trip_and_nan_is_null)
{
	struct buf b;
	buf_init(&b, 256);
	ASSERT_EQ_STR(render_double(&b, 230), "230");
	ASSERT_EQ_STR(render_double(&b, -4), "-4");
	ASSERT_EQ_STR(render_double(&b, 0.1), "0.1");
	ASSERT_EQ_STR(render_double(&b, 270.7), "270.7");
	ASSERT_EQ_STR(render_double(&b, NAN), "null");
	ASSERT_EQ_STR(render_double(&b, INFINITY), "null");
	ASSERT_EQ_STR(render_double(&b, 4294967295.0), "4294967295");
	double x = 1.0 / 3.0;
	ASSERT_TRUE(strtod(render_double(&b, x), NULL) == x);
	buf_free(&b);
}

TEST_MAIN(json_escapes_quotes_and_controls, json_numbers_round_trip_and_nan_is_null)
