/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SHA-1 (FIPS 180-4), for satyr's duphash (crash_site.h) and nothing
 * that needs collision resistance: ABRT and FAF compare crashes by it.
 */
#ifndef CRASHD_SHA1_H
#define CRASHD_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_HEX_LEN 40

struct sha1 {
	uint32_t h[5];
	uint64_t len; /* bytes so far */
	unsigned char block[64];
	size_t used;
};

void sha1_init(struct sha1 *s);
void sha1_update(struct sha1 *s, const void *data, size_t n);
/* The digest as 40 lowercase hex digits and a NUL. */
void sha1_final_hex(struct sha1 *s, char out[SHA1_HEX_LEN + 1]);

#endif
