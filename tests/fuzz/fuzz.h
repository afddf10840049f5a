/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libFuzzer entry point every target in tests/fuzz/ defines.  It is
 * driven by libFuzzer (clang) or by replay.c over a corpus (any compiler).
 * A target aborts on any broken invariant, not only on memory errors.
 */
#ifndef CRASHD_FUZZ_H
#define CRASHD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",       \
			    __FILE__, __LINE__, #cond);                        \
			abort();                                               \
		}                                                              \
	} while (0)

#endif
