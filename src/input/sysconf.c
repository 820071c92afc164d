/*
 * sysconf.c - reads the crash-related settings of this machine (see
 * sysconf.h).
 *
 * Part of the input stage: like the log sources, it reads the machine,
 * here a handful of small /proc and /sys files.
 */
#include "base/compat.h"
#include "base/parse.h"
#include "base/str.h"
#include "base/strbuf.h"
#include "input/sysconf.h"
#include <fcntl.h>
#include <unistd.h>

#define SMALL_FILE_MAX 4096

/* The first SMALL_FILE_MAX bytes of root/path, trailing blanks cut. */
static bool read_small(const char *root, const char *path,
		       struct strbuf *out)
{
	struct strbuf full = STRBUF_INIT;
	char buf[SMALL_FILE_MAX];
	ssize_t n;
	int fd;

	strbuf_reset(out);
	strbuf_addstr(&full, root && *root ? root : "/");
	while (full.len > 1 && full.buf[full.len - 1] == '/')
		strbuf_setlen(&full, full.len - 1);
	if (full.len == 1)
		strbuf_setlen(&full, 0);
	strbuf_addstr(&full, path);
	fd = open(full.buf, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	strbuf_release(&full);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return false;
	strbuf_add(out, buf, (size_t)n);
	while (out->len && kt_is_space((unsigned char)out->buf[out->len - 1]))
		strbuf_setlen(out, out->len - 1);
	return true;
}

static void set_int_file(json_t *o, const char *root, const char *path,
			 const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	int64_t v;

	if (read_small(root, path, &sb) &&
	    !kt_str_to_i64(kt_str_make(sb.buf, sb.len), &v))
		json_object_set_new(o, name, json_integer(v));
	strbuf_release(&sb);
}

static void set_str_file(json_t *o, const char *root, const char *path,
			 const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	json_t *v;

	/* json_string() refuses invalid UTF-8 */
	if (read_small(root, path, &sb) && sb.len &&
	    (v = json_string(sb.buf)))
		json_object_set_new(o, name, v);
	strbuf_release(&sb);
}

/* "MemTotal:  16303412 kB" lines of /proc/meminfo. */
static void meminfo(json_t *o, const char *root)
{
	struct strbuf sb = STRBUF_INIT;
	static const struct { const char *key, *name; } want[] = {
		{ "MemTotal:", "mem_total_kb" },
		{ "SwapTotal:", "swap_total_kb" },
		{ "SwapFree:", "swap_free_kb" },
	};
	size_t i;

	if (!read_small(root, "/proc/meminfo", &sb))
		goto out;
	for (i = 0; i < KT_ARRAY_SIZE(want); i++) {
		const char *p = strstr(sb.buf, want[i].key), *end;
		uint64_t v;

		if (!p || (p != sb.buf && p[-1] != '\n'))
			continue;
		p += strlen(want[i].key);
		while (*p == ' ')
			p++;
		end = sb.buf + sb.len;
		if (!kt_parse_u64(&p, end, &v) && v <= INT64_MAX)
			json_object_set_new(o, want[i].name,
					    json_integer((json_int_t)v));
	}
out:
	strbuf_release(&sb);
}

/* crashkernel=VALUE on the kernel command line, or "" when absent. */
static void cmdline(json_t *o, const char *root)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	size_t n;

	if (!read_small(root, "/proc/cmdline", &sb))
		goto out;
	for (p = sb.buf; (p = strstr(p, "crashkernel=")); p++)
		if (p == sb.buf || p[-1] == ' ')
			break;
	if (!p) {
		json_object_set_new(o, "crashkernel", json_string(""));
		goto out;
	}
	p += strlen("crashkernel=");
	n = strcspn(p, " ");
	{
		json_t *v = json_stringn(p, n);

		if (v)
			json_object_set_new(o, "crashkernel", v);
	}
out:
	strbuf_release(&sb);
}

static void pstore(json_t *o, const char *root)
{
	struct strbuf sb = STRBUF_INIT;

	if (read_small(root, "/sys/module/pstore/parameters/backend", &sb)) {
		bool on = sb.len && strcmp(sb.buf, "(null)");
		json_t *v = on ? json_string(sb.buf) : NULL;

		json_object_set_new(o, "pstore", json_boolean(on));
		if (v)
			json_object_set_new(o, "pstore_backend", v);
	} else if (read_small(root, "/sys/module/pstore/parameters/update_ms",
			      &sb)) {
		/* pstore is built in, but no backend registered */
		json_object_set_new(o, "pstore", json_false());
	}
	strbuf_release(&sb);
}

json_t *kt_sysconf_collect(const char *root)
{
	static const struct { const char *path, *name; } ints[] = {
		{ "/proc/sys/kernel/panic", "kernel.panic" },
		{ "/proc/sys/kernel/panic_on_oops", "kernel.panic_on_oops" },
		{ "/proc/sys/kernel/panic_on_warn", "kernel.panic_on_warn" },
		{ "/proc/sys/kernel/hung_task_panic", "kernel.hung_task_panic" },
		{ "/proc/sys/kernel/hung_task_timeout_secs",
		  "kernel.hung_task_timeout_secs" },
		{ "/proc/sys/kernel/softlockup_panic",
		  "kernel.softlockup_panic" },
		{ "/proc/sys/kernel/hardlockup_panic",
		  "kernel.hardlockup_panic" },
		{ "/proc/sys/kernel/nmi_watchdog", "kernel.nmi_watchdog" },
		{ "/proc/sys/kernel/tainted", "kernel.tainted" },
		{ "/proc/sys/vm/panic_on_oom", "vm.panic_on_oom" },
		{ "/proc/sys/vm/overcommit_memory", "vm.overcommit_memory" },
		{ "/proc/sys/vm/min_free_kbytes", "vm.min_free_kbytes" },
	};
	json_t *o = json_object();
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(ints); i++)
		set_int_file(o, root, ints[i].path, ints[i].name);
	set_str_file(o, root, "/proc/sys/kernel/core_pattern",
		     "kernel.core_pattern");
	meminfo(o, root);
	if (read_small(root, "/sys/kernel/kexec_crash_loaded", &sb))
		json_object_set_new(o, "kdump_loaded",
				    json_boolean(!strcmp(sb.buf, "1")));
	cmdline(o, root);
	pstore(o, root);
	strbuf_release(&sb);
	return o;
}
