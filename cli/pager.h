/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Paging long output as systemd's tools do: on a terminal, stdout goes
 * into $SYSTEMD_PAGER, else $PAGER, else "less" (then "more"); LESS is
 * $SYSTEMD_LESS or "FRSXMK" (quit if one screen, raw colours, chop long
 * lines, no init, long prompt, quit on ^C); a pager set to "" or "cat"
 * is none.
 */
#ifndef CRASHD_CLI_PAGER_H
#define CRASHD_CLI_PAGER_H

#include <stdbool.h>

/*
 * Starts the pager with stdout into it, unless no_pager or stdout is no
 * terminal (term_tty()).  Failing to start one is no error: output goes
 * to the terminal then.
 */
void pager_open(bool no_pager);

/* Ends the output and waits for the pager to quit (none: nothing). */
void pager_close(void);

#endif
