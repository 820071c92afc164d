/*
 * fuzz.h - the entry points every tests/fuzz/fuzz_<name>.c defines.
 *
 * libFuzzer calls them in a fuzzing build (-DKT_FUZZ=ON); replay.c calls
 * them in every other build, to run the seed corpora as regression tests.
 */
#ifndef KT_FUZZ_H
#define KT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Called once before the first input; may not fail (it aborts). */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Called for every input; returns 0.  A broken invariant aborts. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
