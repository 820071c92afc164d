/*
 * source_journal.c - the systemd journal through sd_journal: this
 * machine's, a journal directory or .journal files.
 *
 * Input stage: renders each entry as "journalctl -o short-iso-precise"
 * style lines, which the framer parses like any text log.
 */
#include "base/compat.h"
#include "base/parse.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "input/source.h"
#include <inttypes.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

#define LOCAL_PREFIX "journal:"
/* Longer fields are cut here by libsystemd; the framer cuts lines too. */
#define DATA_THRESHOLD (64 * 1024)

enum field {
	F_MESSAGE,
	F_HOSTNAME,
	F_IDENTIFIER,
	F_COMM,
	F_PID,
	F_SYSLOG_PID,
	F_TRANSPORT,
	F_BOOT_ID,
	F_SOURCE_MONO,
	F_SOURCE_REALTIME,
	F_NR
};

static const char *const field_name[F_NR] = {
	[F_MESSAGE] = "MESSAGE",
	[F_HOSTNAME] = "_HOSTNAME",
	[F_IDENTIFIER] = "SYSLOG_IDENTIFIER",
	[F_COMM] = "_COMM",
	[F_PID] = "_PID",
	[F_SYSLOG_PID] = "SYSLOG_PID",
	[F_TRANSPORT] = "_TRANSPORT",
	[F_BOOT_ID] = "_BOOT_ID",
	[F_SOURCE_MONO] = "_SOURCE_MONOTONIC_TIMESTAMP",
	[F_SOURCE_REALTIME] = "_SOURCE_REALTIME_TIMESTAMP",
};

struct journal_src {
	/* all owned, released by journal_close */
	sd_journal *j;
	struct strbuf out;	/* rendered text not yet handed out */
	size_t off;		/* handed out so far of out */
	struct strbuf fields;	/* values of the current entry */
	struct strbuf last_boot;	/* boot id of the last entry */
	bool eof;
};

/* ------------------------------------------------------------ rendering */

static bool has(struct kt_str s)
{
	return s.p && s.len;
}

static void add_time(struct strbuf *out, uint64_t us)
{
	int64_t days = (int64_t)(us / 86400000000ULL);
	uint64_t rem = us % 86400000000ULL;
	uint64_t sec = rem / 1000000;
	int64_t y;
	unsigned m, d;

	kt_civil_from_days(days, &y, &m, &d);
	strbuf_addf(out, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%06u+00:00",
		    y, m, d, (unsigned)(sec / 3600), (unsigned)(sec / 60 % 60),
		    (unsigned)(sec % 60), (unsigned)(rem % 1000000));
}

void kt_source_journal_render(struct strbuf *out,
			      const struct kt_source_journal_entry *e,
			      struct strbuf *last_boot)
{
	bool kernel = kt_str_eq_cstr(e->transport, "kernel");
	struct kt_str msg = e->message, ident, pid;
	size_t pstart, plen;
	uint64_t mono;

	if (has(e->boot_id)) {
		if (last_boot->len &&
		    !kt_str_eq(e->boot_id, kt_str_make(last_boot->buf,
							last_boot->len))) {
			strbuf_addstr(out, "-- Boot ");
			strbuf_add(out, e->boot_id.p, e->boot_id.len);
			strbuf_addstr(out, " --\n");
		}
		strbuf_reset(last_boot);
		strbuf_add(last_boot, e->boot_id.p, e->boot_id.len);
	}

	pstart = out->len;
	add_time(out, e->realtime_us);
	strbuf_addch(out, ' ');
	if (has(e->hostname))
		strbuf_add(out, e->hostname.p, e->hostname.len);
	else
		strbuf_addch(out, '-');
	strbuf_addch(out, ' ');
	if (kernel) {
		strbuf_addstr(out, "kernel: ");
		if (has(e->source_mono) &&
		    !kt_str_to_u64(e->source_mono, &mono))
			strbuf_addf(out, "[%5" PRIu64 ".%06" PRIu64 "] ",
				    mono / 1000000, mono % 1000000);
	} else {
		ident = has(e->identifier) ? e->identifier :
			has(e->comm) ? e->comm : KT_STR_LIT("unknown");
		pid = has(e->pid) ? e->pid : e->syslog_pid;
		strbuf_add(out, ident.p, ident.len);
		if (has(pid)) {
			strbuf_addch(out, '[');
			strbuf_add(out, pid.p, pid.len);
			strbuf_addch(out, ']');
		}
		strbuf_addstr(out, ": ");
	}
	plen = out->len - pstart;

	while (msg.len && msg.p[msg.len - 1] == '\n')
		msg.len--;
	for (;;) {
		const char *nl = msg.len ? memchr(msg.p, '\n', msg.len) : NULL;
		size_t n = nl ? (size_t)(nl - msg.p) : msg.len;

		strbuf_add(out, msg.p, n);
		strbuf_addch(out, '\n');
		if (!nl)
			break;
		msg = kt_str_skip(msg, n + 1);
		/* grow first: the copy below then reads a stable buffer */
		strbuf_grow(out, plen);
		strbuf_add(out, out->buf + pstart, plen);
	}
}

/* -------------------------------------------------------------- reading */

static bool journal_probe(const char *path)
{
	struct kt_str s = kt_str_cstr(path);

	return (s.len > 8 && !memcmp(s.p + s.len - 8, ".journal", 8)) ||
	       (s.len > 9 && !memcmp(s.p + s.len - 9, ".journal~", 9));
}

/*
 * "journal:" is this machine's journal, "journal:ROOT" the journal of
 * the system whose root directory is ROOT; otherwise path is a journal
 * directory or one .journal file.
 */
int kt_source_journal_open(const char *path, struct sd_journal **j)
{
	struct stat st;

	if (!strncmp(path, LOCAL_PREFIX, strlen(LOCAL_PREFIX)) &&
	    stat(path, &st)) {
		path += strlen(LOCAL_PREFIX);
		if (!*path)
			return sd_journal_open(j, SD_JOURNAL_LOCAL_ONLY |
					       SD_JOURNAL_SYSTEM);
		return sd_journal_open_directory(j, path, SD_JOURNAL_OS_ROOT |
						 SD_JOURNAL_SYSTEM);
	}
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return sd_journal_open_directory(j, path, 0);
	{
		const char *files[] = { path, NULL };

		return sd_journal_open_files(j, files, 0);
	}
}

int kt_source_journal_probe_entries(struct kt_ctx *ctx, const char *path,
				    const char *name, bool *entries,
				    bool *kernel)
{
	sd_journal *j = NULL;
	int r, rc = 0;

	*entries = *kernel = false;
	r = kt_source_journal_open(path, &j);
	if (r < 0) {
		rc = kt_failf(ctx, KT_ERR_IO, "cannot open '%s': %s", name,
			      strerror(-r));
		goto cleanup;
	}
	r = sd_journal_next(j);
	*entries = r > 0;
	if (*entries) {
		r = sd_journal_add_match(j, "_TRANSPORT=kernel", 0);
		if (r >= 0)
			r = sd_journal_seek_head(j);
		if (r >= 0)
			r = sd_journal_next(j);
		*kernel = r > 0;
	}
cleanup:
	sd_journal_close(j);
	return rc;
}

static int journal_open(struct kt_ctx *ctx, struct kt_source *src,
			const char *path)
{
	struct journal_src *js;
	sd_journal *j = NULL;
	int r;

	r = kt_source_journal_open(path, &j);
	if (r < 0)
		return kt_failf(ctx, KT_ERR_IO, "cannot open '%s': %s",
				src->name, strerror(-r));
	sd_journal_set_data_threshold(j, DATA_THRESHOLD);
	js = xcalloc(1, sizeof(*js));
	js->j = j;
	strbuf_init(&js->out, 0);
	strbuf_init(&js->fields, 0);
	strbuf_init(&js->last_boot, 0);
	src->data = js;
	return 0;
}

bool kt_source_journal_load(struct sd_journal *j, struct strbuf *fields,
			    struct kt_source_journal_entry *e)
{
	size_t off[F_NR], len[F_NR];
	bool seen[F_NR] = { false };
	struct kt_str *slot[F_NR] = {
		[F_MESSAGE] = &e->message, [F_HOSTNAME] = &e->hostname,
		[F_IDENTIFIER] = &e->identifier, [F_COMM] = &e->comm,
		[F_PID] = &e->pid, [F_SYSLOG_PID] = &e->syslog_pid,
		[F_TRANSPORT] = &e->transport, [F_BOOT_ID] = &e->boot_id,
		[F_SOURCE_MONO] = &e->source_mono,
	};
	const void *data;
	size_t n;
	uint64_t rt;
	int f;

	memset(e, 0, sizeof(*e));
	strbuf_reset(fields);
	SD_JOURNAL_FOREACH_DATA(j, data, n) {
		const char *eq = memchr(data, '=', n);
		size_t klen;

		if (!eq)
			continue;
		klen = (size_t)(eq - (const char *)data);
		for (f = 0; f < F_NR; f++)
			if (!seen[f] && strlen(field_name[f]) == klen &&
			    !memcmp(data, field_name[f], klen))
				break;
		if (f == F_NR)
			continue;
		seen[f] = true;
		off[f] = fields->len;
		len[f] = n - klen - 1;
		strbuf_add(fields, eq + 1, len[f]);
	}
	if (!seen[F_MESSAGE])
		return false;
	for (f = 0; f < F_NR; f++)
		if (seen[f] && slot[f])
			*slot[f] = kt_str_make(fields->buf + off[f], len[f]);
	if (seen[F_SOURCE_REALTIME] &&
	    !kt_str_to_u64(kt_str_make(fields->buf + off[F_SOURCE_REALTIME],
				       len[F_SOURCE_REALTIME]), &rt))
		e->realtime_us = rt;
	else if (sd_journal_get_realtime_usec(j, &rt) >= 0)
		e->realtime_us = rt;
	return true;
}

static int journal_read(struct kt_ctx *ctx, struct kt_source *src,
			char *buf, size_t cap, size_t *got)
{
	struct journal_src *js = src->data;
	struct kt_source_journal_entry e;
	int r;

	*got = 0;
	while (js->off == js->out.len && !js->eof) {
		strbuf_reset(&js->out);
		js->off = 0;
		r = sd_journal_next(js->j);
		if (r < 0)
			return kt_failf(ctx, KT_ERR_IO, "cannot read '%s': %s",
					src->name, strerror(-r));
		if (!r) {
			js->eof = true;
			break;
		}
		if (kt_source_journal_load(js->j, &js->fields, &e))
			kt_source_journal_render(&js->out, &e, &js->last_boot);
	}
	*got = KT_MIN(cap, js->out.len - js->off);
	memcpy(buf, js->out.buf + js->off, *got);
	js->off += *got;
	return 0;
}

static void journal_close(struct kt_source *src)
{
	struct journal_src *js = src->data;

	if (!js)
		return;
	sd_journal_close(js->j);
	strbuf_release(&js->out);
	strbuf_release(&js->fields);
	strbuf_release(&js->last_boot);
	free(js);
	src->data = NULL;
}

const struct kt_source_ops kt_source_journal = {
	.name = "journal",
	.probe = journal_probe,
	.open = journal_open,
	.read = journal_read,
	.close = journal_close,
};
