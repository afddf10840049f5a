/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Growing an array by doubling: the one way every list in crashd grows.
 *   p = array_grow(a->v, &a->cap, a->n, sizeof(*a->v), 16);
 *   if (p == NULL)
 *           return -ENOMEM;  (a->v is still valid and owned)
 *   a->v = p;
 *   a->v[a->n++] = item;
 */
#ifndef CRASHD_ARRAY_H
#define CRASHD_ARRAY_H

#include <stdint.h>
#include <stdlib.h>

/*
 * Room for element n of v (of *cap elements of elem bytes): v itself when
 * n < *cap, else v reallocated to twice *cap (first when 0), *cap set.
 * NULL when out of memory or the size would overflow (v untouched).
 */
static inline void *
array_grow(void *v, size_t *cap, size_t n, size_t elem, size_t first)
{
	size_t c;
	void *p;

	if (n < *cap)
		return v;
	c = *cap ? *cap * 2 : first;
	if (c <= n || c > SIZE_MAX / elem)
		return NULL;
	p = realloc(v, c * elem);
	if (p != NULL)
		*cap = c;
	return p;
}

#endif
