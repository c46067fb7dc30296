#include "test.h"

#include <stdlib.h>

jmp_buf test_jump;
int test_failed;

int test_run(const struct test_case *cases, size_t n)
{
	/* Unbuffered so a crash still shows which test was running. */
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("1..%zu\n", n);
	int failures = 0;
	for (size_t i = 0; i < n; i++) {
		test_failed = 0;
		if (setjmp(test_jump) == 0)
			cases[i].fn();
		if (test_failed)
			failures++;
		printf("%s %zu - %s\n", test_failed ? "not ok" : "ok", i + 1, cases[i].name);
	}
	return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
