/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strv.c: NULL-terminated string arrays (strv.h).
 */
#include "strv.h"

#include <stdlib.h>
#include <string.h>

void
strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

char **
strv_copy(const char *const *v)
{
	size_t n = 0;
	char **g;

	while (v[n])
		n++;
	g = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; g && i < n; i++) {
		g[i] = strdup(v[i]);
		if (g[i] == NULL) {
			strv_free(g);
			return NULL;
		}
	}
	return g;
}
