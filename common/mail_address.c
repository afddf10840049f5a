/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mail_address.c owns the syntax crashd allows a mail address. */
#include "mail_address.h"

#include <string.h>

bool
mail_address_valid(const char *s)
{
	const char *at = strrchr(s, '@');

	if (at == NULL || at == s || at[1] == '\0' || strlen(s) > 254)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s >= 0x7f || strchr("<>()[]\\,;:\"", *s))
			return false;
	return true;
}
