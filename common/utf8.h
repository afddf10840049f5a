/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decoding UTF-8 as RFC 3629 defines it: no overlong form, no surrogate,
 * nothing past U+10FFFF.  Whatever is not well-formed is left to the
 * caller, which shows those bytes its own reversible way.
 */
#ifndef CRASHD_UTF8_H
#define CRASHD_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * The length (1-4) of the well-formed UTF-8 sequence at s, of which left
 * bytes may be read (left >= 1), and its code point in *ret_cp (when
 * ret_cp is not NULL); 0 when no well-formed sequence starts at s.
 */
size_t utf8_decode(const unsigned char *s, size_t left, uint32_t *ret_cp);

#endif
