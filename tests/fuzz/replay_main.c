/* Replays a fuzz target's committed corpus in the ordinary (gcc, ASan and
 * UBSan) build, so every seed runs in every test run even where clang's
 * libFuzzer is absent. Usage: fuzz_replay_NAME CORPUS_DIR. Prints TAP: one
 * line per seed; a target that finds a fault aborts, which fails the test. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 1 << 16, n = 0;
	uint8_t *data = malloc(cap);
	size_t got;
	while (data && (got = fread(data + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			uint8_t *bigger = cap < (1u << 24) ? realloc(data, cap * 2) : NULL;
			if (!bigger)
				break;
			data = bigger;
			cap *= 2;
		}
	}
	fclose(f);
	if (!data)
		return -1;
	/* An exact-size copy, so ASan sees any read past the input. */
	uint8_t *exact = malloc(n ? n : 1);
	if (exact && n)
		memcpy(exact, data, n);
	free(data);
	if (!exact)
		return -1;
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	DIR *d = opendir(argv[1]);
	if (!d) {
		printf("1..1\nnot ok 1 - cannot open corpus %s\n", argv[1]);
		return 1;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char **more = realloc(names, (n + 1) * sizeof(*names));
		if (!more)
			break;
		names = more;
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	printf("1..%zu\n", n ? n : 1);
	int failed = 0;
	if (n == 0) {
		printf("not ok 1 - the corpus %s is empty\n", argv[1]);
		failed = 1;
	}
	for (size_t k = 0; k < n; k++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", argv[1], names[k]);
		int rc = replay(path);
		printf("%sok %zu - %s\n", rc == 0 ? "" : "not ", k + 1, names[k]);
		failed |= rc != 0;
		free(names[k]);
	}
	free(names);
	return failed;
}
