/* A tiny unit-test harness that speaks TAP. Each test is a function; a
 * failed assertion prints both values with file and line and ends that test.
 *
 *   TEST(frame_roundtrip) { ASSERT_EQ_INT(frame_x(), 0); }
 *   TEST_MAIN(frame_roundtrip, other_test)
 */
#ifndef PANTAU_TEST_H
#define PANTAU_TEST_H

#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

extern jmp_buf test_jump;
extern int test_failed;

#define TEST(name) static void name(void)

#define TEST_FAIL_(...)                                                                            \
	do {                                                                                       \
		printf("#   %s:%d: ", __FILE__, __LINE__);                                     \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		test_failed = 1;                                                                   \
		longjmp(test_jump, 1);                                                             \
	} while (0)

#define ASSERT_TRUE(c)                                                                             \
	do {                                                                                       \
		if (!(c))                                                                          \
			TEST_FAIL_("expected true: %s", #c);                                       \
	} while (0)

#define ASSERT_EQ_INT(a, b)                                                                        \
	do {                                                                                       \
		long long a_ = (long long)(a), b_ = (long long)(b);                                \
		if (a_ != b_)                                                                      \
			TEST_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_);                      \
	} while (0)

#define ASSERT_EQ_UINT(a, b)                                                                       \
	do {                                                                                       \
		unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);     \
		if (a_ != b_)                                                                      \
			TEST_FAIL_("%s == %s: %llu != %llu", #a, #b, a_, b_);                      \
	} while (0)

#define ASSERT_EQ_STR(a, b)                                                                        \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                                             \
			TEST_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)",       \
				   b_ ? b_ : "(null)");                                            \
	} while (0)

/* Doubles equal within a relative (or, near zero, absolute) tolerance. */
#define ASSERT_NEAR(a, b, tol)                                                                     \
	do {                                                                                       \
		double a_ = (a), b_ = (b);                                                         \
		double s_ = fabs(b_) > 1 ? fabs(b_) : 1;                                           \
		if (!(fabs(a_ - b_) <= (tol) * s_))                                                \
			TEST_FAIL_("%s ~= %s: %.17g != %.17g", #a, #b, a_, b_);                    \
	} while (0)

/* s contains the substring sub. */
#define ASSERT_CONTAINS(s, sub)                                                                    \
	do {                                                                                       \
		const char *s_ = (s), *sub_ = (sub);                                               \
		if (!s_ || !strstr(s_, sub_))                                                      \
			TEST_FAIL_("\"%s\" does not contain \"%s\"", s_ ? s_ : "(null)", sub_);    \
	} while (0)

struct test_case {
	const char *name;
	void (*fn)(void);
};

int test_run(const struct test_case *cases, size_t n);

#define TEST_ENTRY_(fn) {#fn, fn},
#define TEST_MAIN(...)                                                                             \
	int main(void)                                                                             \
	{                                                                                          \
		static const struct test_case cases_[] = {TEST_MAP_(TEST_ENTRY_, __VA_ARGS__)};    \
		return test_run(cases_, sizeof(cases_) / sizeof(cases_[0]));                       \
	}

/* Applies m to up to 40 arguments. */
#define TEST_MAP_(m, ...) TEST_MAP_N_(__VA_ARGS__, TEST_MAP_SEQ_)(m, __VA_ARGS__)
#define TEST_MAP_N_(...) TEST_MAP_PICK_(__VA_ARGS__)
#define TEST_MAP_PICK_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16,    \
		       _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31,  \
		       _32, _33, _34, _35, _36, _37, _38, _39, _40, N, ...)                        \
	TEST_MAP_##N
#define TEST_MAP_SEQ_                                                                              \
	40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19,    \
		18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1
#include "test_map.h"

#endif
