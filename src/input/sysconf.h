/*
 * sysconf.h - this machine's settings that decide what a crash does.
 *
 * `report --local` reads them as evidence: the panic, hung-task, lockup
 * and OOM sysctls, memory and swap, whether kdump has a crash kernel
 * loaded and pstore a backend, the taint and core pattern.  Each is
 * read from /proc and /sys under a root directory (tests use a fake
 * tree); what cannot be read is left out, never guessed.
 */
#ifndef KT_SYSCONF_H
#define KT_SYSCONF_H

#include "base/compat.h"
#include <jansson.h>

/*
 * A new JSON object of settings (caller owns it): "kernel.panic": 5,
 * "vm.panic_on_oom": 0, "swap_total_kb": 0, "kdump_loaded": false,
 * "crashkernel": "auto", "pstore": true, "pstore_backend": "efi", ...
 * root is "/" (or NULL) for this machine.
 */
json_t *kt_sysconf_collect(const char *root);

#endif
