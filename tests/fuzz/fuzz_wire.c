/* libFuzzer driver: frame_reader + wire_decode, the gate for every byte an
 * agent (or anyone reaching the port) sends. Run with tests/fuzz/run.sh. */
#include "wire_replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_wire_one(data, size);
	return 0;
}
