/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One attempt at posting a webhook body with libcurl, and what its outcome
 * means for the delivery queue.
 */
#ifndef CRASHD_WEBHOOK_SEND_H
#define CRASHD_WEBHOOK_SEND_H

#include <stddef.h>

#include "action.h"
#include "buf.h"
#include "config.h"

/*
 * POSTs payload to ac->url: Content-Type: application/json, the
 * Idempotency-Key id, ac->headers, a bearer token from ac->token_file,
 * TLS verified unless ac->tls_verify is false, within
 * ac->connect_timeout_ms and ac->timeout_ms.  Redirects are not followed.
 * Blocks; libcurl's global init must be done.  Appends one line to detail
 * ("HTTP 200 from https://host:443"; the URL's path and query, which may
 * hold a secret, are never written).
 */
enum send_result webhook_send(const struct action_config *ac, const char *id,
    const char *payload, size_t len, struct buf *detail);

/*
 * What an attempt came to: curl_code is a CURLcode, status the HTTP
 * status when curl_code is CURLE_OK.  2xx: SEND_OK; 408, 429, 5xx and
 * every transport error (connect, timeout, TLS): SEND_RETRY; any other
 * status (3xx: a redirect not followed, 4xx: the receiver refuses the
 * body): SEND_DEAD.
 */
enum send_result webhook_classify(int curl_code, long status);

/*
 * Reads the bearer token from path: a regular file (not a symlink) owned
 * by root (or by the user crashd runs as) with no group or other
 * permission, holding one line of visible ASCII (the trailing newline and
 * blanks are dropped).  Sets *ret (the caller wipes and frees it).
 * Returns 0, or -errno with one line in detail naming the file.
 */
int webhook_read_token(const char *path, char **ret, struct buf *detail);

#endif
