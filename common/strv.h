/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NULL-terminated arrays of strings, each string and the array malloc'd:
 * config lists, an exec action's environment.
 */
#ifndef CRASHD_STRV_H
#define CRASHD_STRV_H

/* Frees every string and the array; NULL is fine. */
void strv_free(char **v);

/* A deep copy of v, or NULL when out of memory. */
char **strv_copy(const char *const *v);

#endif
