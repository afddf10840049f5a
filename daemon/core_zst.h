/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A dump's minicore as coredumpctl can read it.  coredumpctl (systemd
 * 252) hands an external core to gdb as it is only when its name ends in
 * .xz, .lz4 or .zst, and "coredumpctl dump" reads nothing else; so the
 * journal action names core.mini.zst: the same bytes in one zstd frame of
 * stored (raw) blocks, written without a compressor.
 */
#ifndef CRASHD_CORE_ZST_H
#define CRASHD_CORE_ZST_H

#define CORE_ZST_ITEM "core.mini.zst"

/*
 * Writes <dump>/core.mini.zst from <dump>/core.mini unless it is there
 * already (atomically: built aside, synced, renamed; owner, mode and ACL
 * of core.mini).  Returns 1 when written, 0 when it was there, or -errno
 * (-ENOENT: no core.mini).
 */
int core_zst_write_at(int dump_dirfd);

#endif
