/* Replays every committed fuzz seed (tests/fuzz/corpus/wire) through
 * frame_reader + wire_decode, so the corpus runs in every test run and
 * the seeds stay meaningful as the schema changes. */
#include "../../fuzz/wire_replay.h"
#include "test.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

static const char *corpus_dir;

static int replay_dir(int *files)
{
	DIR *d = opendir(corpus_dir);
	if (!d)
		TEST_FAIL_("cannot open corpus %s", corpus_dir);
	int decoded = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", corpus_dir, e->d_name);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		uint8_t *data = malloc(1 << 22);
		size_t n = fread(data, 1, 1 << 22, f);
		fclose(f);
		decoded += fuzz_wire_one(data, n);
		free(data);
		(*files)++;
	}
	closedir(d);
	return decoded;
}

TEST(every_seed_replays_and_valid_sessions_decode)
{
	int files = 0;
	int decoded = replay_dir(&files);
	printf("# %d seeds, %d envelopes decoded\n", files, decoded);
	ASSERT_TRUE(files >= 10);
	/* hello 1 + session 5 x2 + batch 1 + ack 1 + inventory 1 + state 1 */
	ASSERT_TRUE(decoded >= 15);
}

TEST(broken_frames_decode_nothing)
{
	static const uint8_t zero_len[] = {255, 0, 0, 0, 0};
	static const uint8_t huge[] = {255, 0x7f, 0xff, 0xff, 0xff, 1};
	static const uint8_t junk[] = {255, 0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff};
	ASSERT_EQ_INT(fuzz_wire_one(zero_len, sizeof(zero_len)), 0);
	ASSERT_EQ_INT(fuzz_wire_one(huge, sizeof(huge)), 0);
	ASSERT_EQ_INT(fuzz_wire_one(junk, sizeof(junk)), 0);
}

int main(int argc, char **argv)
{
	static const struct test_case cases[] = {
		{"every_seed_replays_and_valid_sessions_decode",
		 every_seed_replays_and_valid_sessions_decode},
		{"broken_frames_decode_nothing", broken_frames_decode_nothing},
	};
	corpus_dir = argc > 1 ? argv[1] : "tests/fuzz/corpus/wire";
	return test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
