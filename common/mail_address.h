/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What crashd takes for a mail address, in crashd.conf's mail actions and
 * in a message (daemon/mail_msg.c): one check for both, so that an
 * address the config accepts is one the message can carry.
 */
#ifndef CRASHD_MAIL_ADDRESS_H
#define CRASHD_MAIL_ADDRESS_H

#include <stdbool.h>

/*
 * True when s is a plain address the header and the SMTP envelope can
 * carry as it is: local@domain in printable ASCII, at most 254 bytes,
 * without spaces, quotes, angle brackets, parentheses, brackets,
 * backslashes, commas, semicolons or colons (what would let it smuggle a
 * second address or a header).
 */
bool mail_address_valid(const char *s);

#endif
