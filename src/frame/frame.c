/*
 * frame.c - split byte chunks into lines and parse each line's prefix.
 *
 * Second stage of the pipeline: input bytes in, struct kt_line out.
 * Reads into one fixed buffer (memory does not grow with the input),
 * detects the format of every line on its own and turns its time stamp
 * into UTC microseconds.  Messages that carry several lines (rsyslog
 * #012, kmsg \x0a, journal MESSAGE with newlines) are handed out as
 * sub-lines sharing one line number.
 */
#include "base/compat.h"
#include "base/parse.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "frame/frame.h"
#include <jansson.h>

#define BUF_SIZE (1024 * 1024)

struct kt_framer {
	char *buf;		/* owned; BUF_SIZE bytes of input */
	size_t start, end;	/* unconsumed bytes are buf[start, end) */
	uint64_t base_off;	/* input offset of buf[0] */
	kt_framer_chunk_fn *chunk_fn;
	void *chunk_data;
	bool eof;
	bool skipping;		/* dropping the tail of an overlong line */
	uint64_t lineno;
	struct kt_framer_stats stats;

	/* syslog stamps carry no year: inferred from mtime and order */
	int64_t base_year;
	unsigned base_month;
	int64_t cur_year;
	unsigned last_month;
	bool year_set;
	struct kt_tzcache tz;
	/* the last whole-second syslog stamp and its time: lines share it */
	char stamp[15];
	int64_t stamp_us, stamp_year;
	unsigned stamp_month;
	bool stamp_ok;

	/* sub-lines of the current physical line, separated by '\n' */
	struct strbuf scratch;	/* owned; unescaped message text */
	struct strbuf meta;	/* owned; strings copied out of JSON */
	size_t sub_off;		/* start of the next sub-line in scratch */
	bool sub_pending;
	struct kt_line tpl;	/* prefix fields shared by the sub-lines */

	bool prev_kmsg;		/* the previous line was a kmsg record */
	/* a second message glued onto a line at its own printk stamp */
	bool split_pending;
	struct kt_str split;	/* borrowed from buf or scratch */
	struct kt_line split_tpl;
	struct strbuf boot_id;	/* owned; last journal boot id seen */
	struct strbuf synth;	/* owned; text of a synthetic line */
	bool synth_pending;	/* return the JSON record after the marker */
	struct kt_line held;	/* the held JSON record */
};

static const char *const fmt_names[KT_FMT_NR] = {
	[KT_FMT_BARE] = "bare",
	[KT_FMT_SYSLOG] = "syslog",
	[KT_FMT_ISO] = "iso",
	[KT_FMT_DMESG] = "dmesg",
	[KT_FMT_DMESG_T] = "dmesg-T",
	[KT_FMT_KMSG] = "kmsg",
	[KT_FMT_JOURNAL_JSON] = "journal-json",
	[KT_FMT_JOURNAL_MONO] = "journal-monotonic",
	[KT_FMT_JOURNAL_FULL] = "journal-full",
	[KT_FMT_DMESG_ISO] = "dmesg-iso",
	[KT_FMT_JOURNAL_UNIX] = "journal-unix",
	[KT_FMT_RFC5424] = "rfc5424",
};

const char *kt_line_fmt_name(enum kt_line_fmt fmt)
{
	return (unsigned)fmt < KT_FMT_NR ? fmt_names[fmt] : "unknown";
}

struct kt_framer *kt_framer_new(const struct kt_framer_opts *opts)
{
	struct kt_framer *fr = xcalloc(1, sizeof(*fr));
	int64_t when = opts && opts->mtime ? opts->mtime :
		       opts ? opts->now : 0;

	fr->buf = xmalloc(BUF_SIZE);
	strbuf_init(&fr->scratch, 0);
	strbuf_init(&fr->meta, 0);
	strbuf_init(&fr->boot_id, 0);
	strbuf_init(&fr->synth, 0);
	kt_tzcache_init(&fr->tz);
	kt_local_year_month(when, &fr->base_year, &fr->base_month);
	return fr;
}

void kt_framer_free(struct kt_framer *fr)
{
	if (!fr)
		return;
	free(fr->buf);
	strbuf_release(&fr->scratch);
	strbuf_release(&fr->meta);
	strbuf_release(&fr->boot_id);
	strbuf_release(&fr->synth);
	free(fr);
}

void kt_framer_set_chunk_fn(struct kt_framer *fr, kt_framer_chunk_fn *fn,
			    void *data)
{
	fr->chunk_fn = fn;
	fr->chunk_data = data;
}

const struct kt_framer_stats *kt_framer_stats(const struct kt_framer *fr)
{
	return &fr->stats;
}

/* ---------------------------------------------------------------- split */

/* Forgets every buffered byte (they were all consumed or dropped). */
static void drop_buffer(struct kt_framer *fr)
{
	fr->base_off += fr->end;
	fr->start = fr->end = 0;
}

/* Moves the unconsumed bytes to the front of the buffer. */
static void compact(struct kt_framer *fr)
{
	if (fr->start == fr->end) {
		drop_buffer(fr);
	} else if (fr->start) {
		memmove(fr->buf, fr->buf + fr->start, fr->end - fr->start);
		fr->base_off += fr->start;
		fr->end -= fr->start;
		fr->start = 0;
	}
}

size_t kt_framer_push(struct kt_framer *fr, const char *data, size_t len)
{
	size_t n;

	compact(fr);
	n = KT_MIN(len, BUF_SIZE - fr->end);
	if (!n)
		return 0;
	memcpy(fr->buf + fr->end, data, n);
	if (fr->chunk_fn)
		fr->chunk_fn(fr->chunk_data, fr->buf + fr->end, n, false);
	fr->end += n;
	fr->stats.bytes += n;
	return n;
}

void kt_framer_push_end(struct kt_framer *fr)
{
	if (fr->eof)
		return;
	if (fr->chunk_fn)
		fr->chunk_fn(fr->chunk_data, fr->buf + fr->end, 0, true);
	fr->eof = true;
}

uint64_t kt_framer_consumed(const struct kt_framer *fr)
{
	return fr->base_off + fr->start;
}

uint64_t kt_framer_lines(const struct kt_framer *fr)
{
	return fr->lineno;
}

void kt_framer_set_position(struct kt_framer *fr, uint64_t lines,
			    uint64_t offset)
{
	fr->lineno = lines;
	fr->base_off = offset;
}

/*
 * Returns 1 with the next physical line in *raw and its input offset in
 * *off, 0 at end (or, for live input, when more bytes are needed), <0 on
 * error.
 */
static int next_physical(struct kt_ctx *ctx, struct kt_framer *fr,
			 struct kt_input *in, struct kt_str *raw, bool *cut,
			 uint64_t *off)
{
	for (;;) {
		char *p = fr->buf + fr->start;
		size_t avail = fr->end - fr->start;
		size_t len, got;
		char *nl;
		int rc;

		nl = avail ? memchr(p, '\n', avail) : NULL;
		if (nl) {
			len = (size_t)(nl - p);
			fr->start += len + 1;
			if (fr->skipping) {
				fr->skipping = false;
				continue;
			}
			*off = fr->base_off + (size_t)(p - fr->buf);
			goto deliver;
		}
		if (fr->skipping) {
			drop_buffer(fr);
			if (fr->eof) {
				fr->skipping = false;
				return 0;
			}
		} else if (fr->eof) {
			if (!avail)
				return 0;
			len = avail;
			*off = fr->base_off + fr->start;
			fr->start = fr->end;
			goto deliver;
		} else if (avail == BUF_SIZE) {
			/* no newline in a full buffer: cut and skip the rest;
			 * the bytes stay put until the next call */
			len = avail;
			*off = fr->base_off;
			fr->skipping = true;
			fr->start = fr->end;
			goto deliver;
		}
		if (fr->eof)
			continue;
		compact(fr);
		if (!in)
			return 0;	/* live: wait for kt_framer_push() */
		rc = kt_input_read(ctx, in, fr->buf + fr->end,
				   BUF_SIZE - fr->end, &got);
		if (rc)
			return rc;
		if (fr->chunk_fn)
			fr->chunk_fn(fr->chunk_data, fr->buf + fr->end, got,
				     !got);
		if (!got)
			fr->eof = true;
		fr->end += got;
		fr->stats.bytes += got;
		continue;
deliver:
		*cut = false;
		if (len > KT_LINE_MAX) {
			len = KT_LINE_MAX;
			*cut = true;
			fr->stats.truncated++;
		}
		if (len && p[len - 1] == '\r')
			len--;
		*raw = kt_str_make(p, len);
		fr->stats.lines++;
		return 1;
	}
}

/* ---------------------------------------------------------------- parse */

struct cur {
	const char *p, *end;
};

static bool at(const struct cur *c, char ch)
{
	return c->p < c->end && *c->p == ch;
}

static size_t left(const struct cur *c)
{
	return (size_t)(c->end - c->p);
}

static void skip_spaces(struct cur *c)
{
	while (c->p < c->end && *c->p == ' ')
		c->p++;
}

static int64_t infer_year(struct kt_framer *fr, unsigned month)
{
	if (!fr->year_set) {
		fr->cur_year = fr->base_year - (month > fr->base_month);
		fr->year_set = true;
	} else if (month + 6 <= fr->last_month) {
		fr->cur_year++;
	} else if (month >= fr->last_month + 6) {
		fr->cur_year--;
	}
	fr->last_month = month;
	return fr->cur_year;
}

/* HH:MM:SS[.frac] -> fields; frac digits beyond 6 are ignored. */
static bool parse_hms(struct cur *c, int *h, int *m, int *s, int64_t *us)
{
	const char *p = c->p;
	int64_t frac = 0;
	int scale = 100000;

	if (kt_parse_digits(&p, c->end, 2, h) || p >= c->end || *p++ != ':' ||
	    kt_parse_digits(&p, c->end, 2, m) || p >= c->end || *p++ != ':' ||
	    kt_parse_digits(&p, c->end, 2, s))
		return false;
	if (*h > 23 || *m > 59 || *s > 60)
		return false;
	if (p < c->end && (*p == '.' || *p == ',') && p + 1 < c->end &&
	    kt_is_digit((unsigned char)p[1])) {
		for (p++; p < c->end && kt_is_digit((unsigned char)*p); p++) {
			frac += (*p - '0') * scale;
			scale /= 10;
		}
	}
	*us = frac;
	c->p = p;
	return true;
}

/*
 * "[  772.918915]" -> mono; then an optional caller id: "[ T1234]" as the
 * kernel prints it, or " [  T1234]" as util-linux dmesg (2.38) does.
 */
static bool parse_dmesg_stamp(struct cur *c, struct kt_line *l)
{
	struct cur t = *c;
	int64_t us;

	const char *num;

	if (!at(&t, '['))
		return false;
	t.p++;
	skip_spaces(&t);
	num = t.p;
	/* printk stamps always have a fraction: "[ 999]" is a pid column */
	if (kt_parse_decimal_us(&t.p, t.end, &us) || !at(&t, ']') ||
	    !memchr(num, '.', (size_t)(t.p - num)))
		return false;
	t.p++;
	l->mono_us = us;
	if ((at(&t, '[') || (at(&t, ' ') && left(&t) > 1 && t.p[1] == '[')) &&
	    left(&t) > 4) {
		struct cur u = t;
		uint64_t id;
		uint32_t kind = 0;

		u.p += at(&u, ' ') ? 2 : 1;
		skip_spaces(&u);
		if (at(&u, 'T'))
			kind = KT_CALLER_TASK;
		else if (at(&u, 'C'))
			kind = KT_CALLER_CPU;
		if (kind) {
			u.p++;
			if (!kt_parse_u64(&u.p, u.end, &id) && at(&u, ']') &&
			    id < (1u << 30)) {
				l->caller = kind | (uint32_t)id;
				t.p = u.p + 1;
			}
		}
	}
	if (at(&t, ' '))
		t.p++;
	*c = t;
	return true;
}

/*
 * "host prog[pid]: " or "host prog: " or "prog: " (no host).  On success
 * fills host/prog/pid and leaves c after the ": ".
 */
static bool parse_host_prog(struct cur *c, struct kt_line *l, bool need_host)
{
	const char *host = c->p, *hend, *prog, *pend, *p;
	int64_t pid = -1;

	hend = c->p;
	while (hend < c->end && *hend != ' ' && hend - host < 256)
		hend++;
	if (hend == host || hend >= c->end || *hend != ' ')
		return false;
	/* "kernel: msg" without a host */
	if (!need_host && hend - host == 7 && !memcmp(host, "kernel:", 7)) {
		l->prog = kt_str_make(host, 6);
		c->p = hend + 1;
		return true;
	}
	prog = hend + 1;
	for (pend = prog; pend < c->end && pend - prog < 128; pend++)
		if (*pend == ' ' || *pend == '[' || *pend == ':')
			break;
	if (pend == prog || pend >= c->end)
		return false;
	p = pend;
	if (*p == '[') {
		const char *q = p + 1;

		if (kt_parse_i64(&q, c->end, &pid) || q >= c->end || *q != ']')
			return false;
		p = q + 1;
	}
	if (p >= c->end || *p != ':')
		return false;
	p++;
	if (p < c->end && *p == ' ')
		p++;
	else if (p < c->end)
		return false;
	l->host = kt_str_make(host, (size_t)(hend - host));
	l->prog = kt_str_make(prog, (size_t)(pend - prog));
	l->pid = pid >= 0 && pid <= INT32_MAX ? (int32_t)pid : -1;
	c->p = p;
	return true;
}

/* After a syslog-style stamp: host, program, and a kernel dmesg stamp. */
static void finish_syslog(struct cur *c, struct kt_line *l, bool need_host)
{
	skip_spaces(c);
	if (parse_host_prog(c, l, need_host)) {
		l->is_kernel = kt_str_eq_cstr(l->prog, "kernel");
	} else {
		/* no program tag: only kernel text if it carries a stamp */
		l->is_kernel = false;
	}
	if (l->is_kernel || !l->prog.len) {
		struct cur t = *c;
		struct kt_line tmp = *l;

		if (parse_dmesg_stamp(&t, &tmp)) {
			tmp.is_kernel = true;
			*l = tmp;
			*c = t;
		}
	}
}

/* Mmm dd hh:mm:ss[.frac] host prog[pid]: msg */
static bool parse_syslog(struct kt_framer *fr, struct cur *c,
			 struct kt_line *l)
{
	struct cur t = *c;
	int mon, day = 0, h, m, s;
	int64_t us;

	if (left(&t) < 16)
		return false;
	if (fr->stamp_ok && t.p[15] == ' ' && !memcmp(t.p, fr->stamp, 15) &&
	    fr->last_month == fr->stamp_month &&
	    fr->cur_year == fr->stamp_year) {
		/* the same second as the stamp before: same time */
		t.p += 15;
		l->wall_us = fr->stamp_us;
		goto found;
	}
	if (!(mon = kt_month_from_abbr(t.p)) || t.p[3] != ' ')
		return false;
	t.p += 4;
	if (*t.p == ' ')
		t.p++;
	while (t.p < t.end && kt_is_digit((unsigned char)*t.p) && day < 100)
		day = day * 10 + (*t.p++ - '0');
	if (day < 1 || day > 31 || !at(&t, ' '))
		return false;
	t.p++;
	if (!parse_hms(&t, &h, &m, &s, &us))
		return false;
	if (!at(&t, ' '))
		return false;
	l->wall_us = kt_local_to_utc_us(&fr->tz, infer_year(fr, (unsigned)mon),
					(unsigned)mon, (unsigned)day,
					(unsigned)h, (unsigned)m, (unsigned)s,
					us);
	fr->stamp_ok = t.p == c->p + 15;
	if (fr->stamp_ok) {
		memcpy(fr->stamp, c->p, 15);
		fr->stamp_us = l->wall_us;
		fr->stamp_month = fr->last_month;
		fr->stamp_year = fr->cur_year;
	}
found:
	l->fmt = KT_FMT_SYSLOG;
	finish_syslog(&t, l, false);
	*c = t;
	return true;
}

/* Z, +08:00, +0800, or nothing (local). Returns offset seconds. */
static bool parse_tz(struct cur *c, bool *local, int64_t *off)
{
	int hh, mm;
	int sign;

	*local = false;
	*off = 0;
	if (at(c, 'Z') || at(c, 'z')) {
		c->p++;
		return true;
	}
	if (!at(c, '+') && !at(c, '-')) {
		*local = true;
		return true;
	}
	sign = *c->p == '-' ? -1 : 1;
	c->p++;
	if (kt_parse_digits(&c->p, c->end, 2, &hh))
		return false;
	if (at(c, ':'))
		c->p++;
	if (kt_parse_digits(&c->p, c->end, 2, &mm))
		return false;
	*off = sign * (hh * 3600 + mm * 60);
	return true;
}

/* YYYY-MM-DD[T ]hh:mm:ss[.frac][tz] */
static bool parse_iso_stamp(struct kt_framer *fr, struct cur *c,
			    struct kt_line *l)
{
	struct cur t = *c;
	int y, mo, d, h, m, s;
	int64_t us, off;
	bool local;

	if (kt_parse_digits(&t.p, t.end, 4, &y) || !at(&t, '-'))
		return false;
	t.p++;
	if (kt_parse_digits(&t.p, t.end, 2, &mo) || !at(&t, '-'))
		return false;
	t.p++;
	if (kt_parse_digits(&t.p, t.end, 2, &d) ||
	    !(at(&t, 'T') || at(&t, ' ')))
		return false;
	t.p++;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    !parse_hms(&t, &h, &m, &s, &us) || !parse_tz(&t, &local, &off))
		return false;
	if (local)
		l->wall_us = kt_local_to_utc_us(&fr->tz, y, (unsigned)mo,
						(unsigned)d, (unsigned)h,
						(unsigned)m, (unsigned)s, us);
	else
		l->wall_us = kt_utc_us(y, (unsigned)mo, (unsigned)d,
				       (unsigned)h, (unsigned)m, (unsigned)s,
				       us) - off * 1000000;
	*c = t;
	return true;
}

static bool parse_iso(struct kt_framer *fr, struct cur *c, struct kt_line *l)
{
	struct cur t = *c;

	if (!parse_iso_stamp(fr, &t, l) || !at(&t, ' '))
		return false;
	l->fmt = KT_FMT_ISO;
	finish_syslog(&t, l, true);
	*c = t;
	return true;
}

/*
 * dmesg --time-format=iso: 2025-11-24T08:21:08,123456+08:00 msg.  The
 * comma before the fraction tells it from syslog's ISO stamps, which are
 * followed by a host and a program.
 */
static bool parse_dmesg_iso(struct kt_framer *fr, struct cur *c,
			    struct kt_line *l)
{
	struct cur t = *c;

	if (left(&t) < 21 || t.p[19] != ',' || !parse_iso_stamp(fr, &t, l) ||
	    !at(&t, ' '))
		return false;
	t.p++;
	l->fmt = KT_FMT_DMESG_ISO;
	*c = t;
	return true;
}

/* One RFC 5424 header field: 1-255 bytes up to a space; "-" is empty. */
static bool rfc5424_field(struct cur *c, struct kt_str *out)
{
	const char *p = c->p;

	while (p < c->end && *p != ' ' && p - c->p < 255)
		p++;
	if (p == c->p || p >= c->end || *p != ' ')
		return false;
	*out = kt_str_make(c->p, (size_t)(p - c->p));
	if (kt_str_eq_cstr(*out, "-"))
		*out = KT_STR_NULL;
	c->p = p + 1;
	return true;
}

/*
 * After "<pri>1 ": TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG].
 * SD is "-" or [id param="value" ...] elements, in which '\]' escapes
 * a bracket.
 */
static bool parse_rfc5424(struct kt_framer *fr, struct cur *c,
			  struct kt_line *l)
{
	struct cur t = *c;
	struct kt_line tmp = *l;
	struct kt_str host, app, procid, msgid;
	int64_t pid;

	if (at(&t, '-'))
		t.p++;
	else if (!parse_iso_stamp(fr, &t, &tmp))
		return false;
	if (!at(&t, ' '))
		return false;
	t.p++;
	if (!rfc5424_field(&t, &host) || !rfc5424_field(&t, &app) ||
	    !rfc5424_field(&t, &procid) || !rfc5424_field(&t, &msgid))
		return false;
	if (at(&t, '-')) {
		t.p++;
	} else {
		if (!at(&t, '['))
			return false;
		while (at(&t, '[')) {
			for (t.p++; t.p < t.end && *t.p != ']'; t.p++)
				if (*t.p == '\\' && t.p + 1 < t.end)
					t.p++;
			if (!at(&t, ']'))
				return false;
			t.p++;
		}
	}
	if (at(&t, ' '))
		t.p++;
	else if (t.p < t.end)
		return false;
	if (left(&t) >= 3 && !memcmp(t.p, "\xef\xbb\xbf", 3))
		t.p += 3;
	tmp.host = host;
	tmp.prog = app;
	if (procid.len && !kt_str_to_i64(procid, &pid) && pid >= 0 &&
	    pid <= INT32_MAX)
		tmp.pid = (int32_t)pid;
	tmp.is_kernel = kt_str_eq_cstr(app, "kernel");
	tmp.fmt = KT_FMT_RFC5424;
	if (tmp.is_kernel) {
		struct cur u = t;

		if (parse_dmesg_stamp(&u, &tmp))
			t = u;
	}
	*l = tmp;
	*c = t;
	return true;
}

/* journalctl -o short-unix: 1763972468.123456 host prog[pid]: msg */
static bool parse_journal_unix(struct cur *c, struct kt_line *l)
{
	struct cur t = *c;
	struct kt_line tmp = *l;
	const char *dot;
	int64_t us;

	dot = memchr(t.p, '.', KT_MIN(left(&t), (size_t)13));
	/* seconds since the epoch: ten digits since 2001 */
	if (!dot || dot - t.p < 9 ||
	    kt_parse_decimal_us(&t.p, t.end, &us) || !at(&t, ' '))
		return false;
	tmp.wall_us = us;
	tmp.fmt = KT_FMT_JOURNAL_UNIX;
	finish_syslog(&t, &tmp, true);
	if (!tmp.prog.len)
		return false;
	*l = tmp;
	*c = t;
	return true;
}

/* Mon 2025-11-24 08:21:08 CST host prog[pid]: msg */
static bool parse_journal_full(struct kt_framer *fr, struct cur *c,
			       struct kt_line *l)
{
	struct cur t = *c;

	if (left(&t) < 25 || !kt_weekday_from_abbr(t.p) || t.p[3] != ' ')
		return false;
	t.p += 4;
	if (!parse_iso_stamp(fr, &t, l) || !at(&t, ' '))
		return false;
	t.p++;
	/* a zone abbreviation: treated as the local zone */
	while (t.p < t.end && ((*t.p >= 'A' && *t.p <= 'Z') ||
			       *t.p == '+' || *t.p == '-' ||
			       kt_is_digit((unsigned char)*t.p)))
		t.p++;
	if (!at(&t, ' '))
		return false;
	l->fmt = KT_FMT_JOURNAL_FULL;
	finish_syslog(&t, l, true);
	*c = t;
	return true;
}

/* [Mon Jun  6 21:33:13 2022] msg */
static bool parse_dmesg_t(struct kt_framer *fr, struct cur *c,
			  struct kt_line *l)
{
	struct cur t = *c;
	int mon, day = 0, h, m, s, y;
	int64_t us;

	if (left(&t) < 26 || !kt_weekday_from_abbr(t.p + 1) || t.p[4] != ' ')
		return false;
	t.p += 5;
	if (!(mon = kt_month_from_abbr(t.p)) || t.p[3] != ' ')
		return false;
	t.p += 4;
	skip_spaces(&t);
	while (t.p < t.end && kt_is_digit((unsigned char)*t.p) && day < 100)
		day = day * 10 + (*t.p++ - '0');
	if (day < 1 || day > 31 || !at(&t, ' '))
		return false;
	t.p++;
	if (!parse_hms(&t, &h, &m, &s, &us) || !at(&t, ' '))
		return false;
	t.p++;
	if (kt_parse_digits(&t.p, t.end, 4, &y) || !at(&t, ']'))
		return false;
	t.p++;
	if (at(&t, ' '))
		t.p++;
	l->wall_us = kt_local_to_utc_us(&fr->tz, y, (unsigned)mon,
					(unsigned)day, (unsigned)h,
					(unsigned)m, (unsigned)s, us);
	l->fmt = KT_FMT_DMESG_T;
	*c = t;
	return true;
}

/* After a dmesg stamp: "host kernel: " or "host prog[pid]: " means the
 * line came from journalctl -o short-monotonic. */
static void maybe_journal_mono(struct cur *c, struct kt_line *l)
{
	struct cur t = *c;
	struct kt_line tmp = *l;

	if (!parse_host_prog(&t, &tmp, true))
		return;
	if (kt_str_eq_cstr(tmp.prog, "kernel")) {
		tmp.is_kernel = true;
	} else if (tmp.pid >= 0) {
		tmp.is_kernel = false;
	} else {
		return;
	}
	tmp.fmt = KT_FMT_JOURNAL_MONO;
	*l = tmp;
	*c = t;
}

/* 6,1234,5678901,-[,caller=T12];msg */
static bool parse_kmsg(struct cur *c, struct kt_line *l)
{
	struct cur t = *c;
	uint64_t pri, seq, ts;
	const char *semi;

	if (kt_parse_u64(&t.p, t.end, &pri) || !at(&t, ',') || pri > 1023)
		return false;
	t.p++;
	if (kt_parse_u64(&t.p, t.end, &seq) || !at(&t, ','))
		return false;
	t.p++;
	if (kt_parse_u64(&t.p, t.end, &ts) || !at(&t, ',') ||
	    ts > (uint64_t)INT64_MAX)
		return false;
	t.p++;
	semi = memchr(t.p, ';', left(&t));
	if (!semi || semi - t.p > 64)
		return false;
	{
		const char *cl = memmem(t.p, (size_t)(semi - t.p),
					"caller=", 7);

		if (cl) {
			const char *q = cl + 7;
			uint64_t id;
			uint32_t kind = *q == 'T' ? KT_CALLER_TASK :
					*q == 'C' ? KT_CALLER_CPU : 0;

			q++;
			if (kind && !kt_parse_u64(&q, semi, &id) &&
			    id < (1u << 30))
				l->caller = kind | (uint32_t)id;
		}
	}
	l->level = (int8_t)(pri & 7);
	l->is_kernel = (pri >> 3) == 0;
	l->mono_us = (int64_t)ts;
	l->fmt = KT_FMT_KMSG;
	t.p = semi + 1;
	*c = t;
	return true;
}

/* kern  :info  : [  12.3] msg  (dmesg -x; with -T or iso time stamps) */
static bool parse_dmesg_x(struct kt_framer *fr, struct cur *c,
			  struct kt_line *l)
{
	static const char *const levels[] = { "emerg", "alert", "crit",
		"err", "warn", "notice", "info", "debug" };
	struct cur t = *c;
	const char *fac = t.p, *lev;
	size_t flen, llen;
	int i;

	while (t.p < t.end && *t.p >= 'a' && *t.p <= 'z' && t.p - fac < 9)
		t.p++;
	flen = (size_t)(t.p - fac);
	skip_spaces(&t);
	if (!flen || !at(&t, ':'))
		return false;
	t.p++;
	lev = t.p;
	while (t.p < t.end && *t.p >= 'a' && *t.p <= 'z' && t.p - lev < 7)
		t.p++;
	llen = (size_t)(t.p - lev);
	skip_spaces(&t);
	if (!at(&t, ':'))
		return false;
	t.p++;
	skip_spaces(&t);
	for (i = 0; i < 8; i++)
		if (strlen(levels[i]) == llen && !memcmp(lev, levels[i], llen))
			break;
	if (i == 8)
		return false;
	if (parse_dmesg_stamp(&t, l))
		l->fmt = KT_FMT_DMESG;
	else if (!parse_dmesg_t(fr, &t, l) && !parse_dmesg_iso(fr, &t, l))
		return false;
	l->level = (int8_t)i;
	l->is_kernel = flen == 4 && !memcmp(fac, "kern", 4);
	*c = t;
	return true;
}

/*
 * A syslog prefix damaged at the start ("un  6 21:33:14 host kernel: "):
 * when " kernel: " follows something that looks like a time within the
 * first 80 bytes, keep the message after it.
 */
static bool salvage_kernel_prefix(struct cur *c, struct kt_line *l)
{
	size_t n = KT_MIN(left(c), (size_t)80);
	const char *k = memmem(c->p, n, " kernel: ", 9);
	const char *q;

	if (!k)
		return false;
	for (q = c->p; q + 8 <= k; q++)
		if (kt_is_digit((unsigned char)q[0]) && q[2] == ':' &&
		    kt_is_digit((unsigned char)q[3]) && q[5] == ':' &&
		    kt_is_digit((unsigned char)q[7]))
			break;
	if (q + 8 > k)
		return false;
	c->p = k + 9;
	l->prog = kt_str_make(k + 1, 6);
	{
		struct cur t = *c;

		if (parse_dmesg_stamp(&t, l))
			*c = t;
	}
	return true;
}

static void copy_meta(struct kt_framer *fr, json_t *obj, const char *key,
		      size_t *off, size_t *len)
{
	json_t *v = json_object_get(obj, key);

	*off = fr->meta.len;
	*len = 0;
	if (json_is_string(v)) {
		strbuf_add(&fr->meta, json_string_value(v),
			   json_string_length(v));
		*len = json_string_length(v);
	}
}

static bool json_u64(json_t *obj, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_string(v))
		return !kt_cstr_to_u64(json_string_value(v), 0, INT64_MAX, out);
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return true;
	}
	return false;
}

/*
 * journalctl -o json record.  The message goes to fr->scratch (it may
 * hold newlines: sub-lines), the other strings to fr->meta.
 */
static bool parse_journal_json(struct kt_framer *fr, struct cur *c,
			       struct kt_line *l)
{
	json_t *obj, *msg;
	json_error_t jerr;
	size_t hoff, hlen, poff, plen, boff, blen;
	uint64_t v;

	obj = json_loadb(c->p, left(c), JSON_DISABLE_EOF_CHECK |
			 JSON_ALLOW_NUL, &jerr);
	if (!obj)
		return false;
	if (!json_is_object(obj) || !(msg = json_object_get(obj, "MESSAGE"))) {
		json_decref(obj);
		return false;
	}
	strbuf_reset(&fr->scratch);
	if (json_is_string(msg)) {
		strbuf_add(&fr->scratch, json_string_value(msg),
			   json_string_length(msg));
	} else if (json_is_array(msg)) {
		size_t i;
		json_t *b;

		json_array_foreach(msg, i, b)
			if (json_is_integer(b))
				strbuf_addch(&fr->scratch,
					     (int)(json_integer_value(b) &
						   0xff));
	}
	strbuf_reset(&fr->meta);
	copy_meta(fr, obj, "_HOSTNAME", &hoff, &hlen);
	copy_meta(fr, obj, "SYSLOG_IDENTIFIER", &poff, &plen);
	if (!plen)
		copy_meta(fr, obj, "_COMM", &poff, &plen);
	copy_meta(fr, obj, "_BOOT_ID", &boff, &blen);
	l->host = kt_str_make(fr->meta.buf + hoff, hlen);
	l->prog = kt_str_make(fr->meta.buf + poff, plen);
	l->boot_id = kt_str_make(fr->meta.buf + boff, blen);
	if (json_u64(obj, "__REALTIME_TIMESTAMP", &v))
		l->wall_us = (int64_t)v;
	if (json_u64(obj, "_SOURCE_MONOTONIC_TIMESTAMP", &v))
		l->mono_us = (int64_t)v;
	else if (json_u64(obj, "__MONOTONIC_TIMESTAMP", &v))
		l->mono_us = (int64_t)v;
	if (json_u64(obj, "_PID", &v) && v <= INT32_MAX)
		l->pid = (int32_t)v;
	if (json_u64(obj, "PRIORITY", &v) && v <= 7)
		l->level = (int8_t)v;
	{
		json_t *tr = json_object_get(obj, "_TRANSPORT");

		l->is_kernel = json_is_string(tr) ?
			       !strcmp(json_string_value(tr), "kernel") :
			       kt_str_eq_cstr(l->prog, "kernel");
	}
	l->fmt = KT_FMT_JOURNAL_JSON;
	json_decref(obj);
	c->p = c->end;
	return true;
}

static bool is_octal(char ch)
{
	return ch >= '0' && ch <= '7';
}

/*
 * Undo rsyslog's #ooo escapes into scratch.  #012 becomes a line break,
 * other escaped control bytes become themselves.  Returns true when
 * anything was unescaped.
 */
static bool unescape_rsyslog(struct kt_framer *fr, struct kt_str msg)
{
	const char *p = msg.p, *end = msg.p + msg.len, *h;
	bool any = false;

	while ((h = memchr(p, '#', (size_t)(end - p)))) {
		if (end - h >= 4 && h[1] == '0' && is_octal(h[2]) &&
		    is_octal(h[3])) {
			int ch = (h[2] - '0') * 8 + (h[3] - '0');

			if (!any) {
				strbuf_reset(&fr->scratch);
				any = true;
			}
			strbuf_add(&fr->scratch, p, (size_t)(h - p));
			if (ch != 015)
				strbuf_addch(&fr->scratch, ch);
			p = h + 4;
		} else {
			if (any)
				strbuf_add(&fr->scratch, p,
					   (size_t)(h + 1 - p));
			p = h + 1;
		}
	}
	if (any)
		strbuf_add(&fr->scratch, p, (size_t)(end - p));
	return any;
}

/* Undo kmsg's \xNN escapes into scratch. */
static bool unescape_kmsg(struct kt_framer *fr, struct kt_str msg)
{
	const char *p = msg.p, *end = msg.p + msg.len, *h;
	bool any = false;

	while ((h = memchr(p, '\\', (size_t)(end - p)))) {
		if (end - h >= 4 && h[1] == 'x' &&
		    kt_is_xdigit((unsigned char)h[2]) &&
		    kt_is_xdigit((unsigned char)h[3])) {
			const char *q = h + 2;
			uint64_t v;
			const char *qe = h + 4;

			if (!any) {
				strbuf_reset(&fr->scratch);
				any = true;
			}
			strbuf_add(&fr->scratch, p, (size_t)(h - p));
			if (!kt_parse_hex(&q, qe, &v))
				strbuf_addch(&fr->scratch, (int)v);
			p = h + 4;
		} else {
			if (any)
				strbuf_add(&fr->scratch, p,
					   (size_t)(h + 1 - p));
			p = h + 1;
		}
	}
	if (any)
		strbuf_add(&fr->scratch, p, (size_t)(end - p));
	return any;
}

static void line_reset(struct kt_line *l, struct kt_str raw)
{
	memset(l, 0, sizeof(*l));
	l->raw = raw;
	l->wall_us = KT_NO_TIME;
	l->mono_us = -1;
	l->pid = -1;
	l->level = -1;
	l->is_kernel = true;
	l->fmt = KT_FMT_BARE;
}

/* Fills *l from one physical line.  Returns false to drop the line. */
static bool parse_line(struct kt_framer *fr, struct kt_str raw,
		       struct kt_line *l, bool *scratch_msg)
{
	struct cur c = { raw.p, raw.p + raw.len };
	bool was_kmsg = fr->prev_kmsg, rfc5424 = false;

	line_reset(l, raw);
	*scratch_msg = false;
	fr->prev_kmsg = false;
	if (!raw.len)
		goto done;
	/* kmsg dictionary continuation: " SUBSYSTEM=pci" */
	if (was_kmsg && raw.p[0] == ' ' && memchr(raw.p, '=', raw.len)) {
		fr->prev_kmsg = true;
		return false;
	}
	/* <N> priority prefix (dmesg -r, pstore, network syslog) */
	if (c.p[0] == '<' && raw.len > 3) {
		struct cur t = c;
		uint64_t pri;

		t.p++;
		if (!kt_parse_u64(&t.p, t.end, &pri) && at(&t, '>') &&
		    pri < 1024) {
			t.p++;
			l->level = (int8_t)(pri & 7);
			/* RFC 5424 version field */
			if (left(&t) > 2 && t.p[0] == '1' && t.p[1] == ' ') {
				t.p += 2;
				rfc5424 = true;
			}
			c = t;
		}
	}
	/* a console that dropped messages says so before the next one */
	if (c.p[0] == '*' && left(&c) > 30 && c.p[1] == '*') {
		const char *d = memmem(c.p, KT_MIN(left(&c), (size_t)64),
				       " printk messages dropped ** ", 28);

		if (d)
			c.p = d + 28;
	}
	if (c.p >= c.end)
		goto done;
	if (rfc5424 && parse_rfc5424(fr, &c, l))
		goto done;
	switch (*c.p) {
	case '[':
		if (parse_dmesg_stamp(&c, l)) {
			l->fmt = KT_FMT_DMESG;
			maybe_journal_mono(&c, l);
		} else {
			parse_dmesg_t(fr, &c, l);
		}
		break;
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		if (!parse_dmesg_iso(fr, &c, l) && !parse_iso(fr, &c, l) &&
		    !parse_journal_unix(&c, l) && parse_kmsg(&c, l))
			fr->prev_kmsg = true;
		break;
	case '{':
		if (parse_journal_json(fr, &c, l)) {
			*scratch_msg = true;
			l->msg = kt_str_make(fr->scratch.buf, fr->scratch.len);
			return true;
		}
		break;
	default:
		if (*c.p >= 'A' && *c.p <= 'Z') {
			if (!parse_syslog(fr, &c, l))
				parse_journal_full(fr, &c, l);
		} else if (*c.p >= 'a' && *c.p <= 'z') {
			parse_dmesg_x(fr, &c, l);
		}
		break;
	}
	if (l->fmt == KT_FMT_BARE)
		salvage_kernel_prefix(&c, l);
done:
	l->msg = kt_str_make(c.p, (size_t)(c.end - c.p));
	if (l->fmt == KT_FMT_SYSLOG || l->fmt == KT_FMT_ISO ||
	    l->fmt == KT_FMT_RFC5424)
		*scratch_msg = unescape_rsyslog(fr, l->msg);
	else if (l->fmt == KT_FMT_KMSG)
		*scratch_msg = unescape_kmsg(fr, l->msg);
	if (*scratch_msg)
		l->msg = kt_str_make(fr->scratch.buf, fr->scratch.len);
	return true;
}

/* Hands out the next '\n'-separated piece of scratch. */
static int next_sub(struct kt_framer *fr, struct kt_line *l)
{
	const char *p = fr->scratch.buf + fr->sub_off;
	size_t rest = fr->scratch.len - fr->sub_off;
	const char *nl = memchr(p, '\n', rest);
	size_t len = nl ? (size_t)(nl - p) : rest;

	*l = fr->tpl;
	if (len && p[len - 1] == '\r')
		l->msg = kt_str_make(p, len - 1);
	else
		l->msg = kt_str_make(p, len);
	if (nl) {
		fr->sub_off += len + 1;
		fr->sub_pending = fr->sub_off < fr->scratch.len;
	} else {
		fr->sub_pending = false;
	}
	return 1;
}

/* Split a message that lives in scratch into sub-lines. */
static int start_subs(struct kt_framer *fr, struct kt_line *l)
{
	if (!memchr(fr->scratch.buf, '\n', fr->scratch.len))
		return 1;
	fr->tpl = *l;
	fr->sub_off = 0;
	return next_sub(fr, l);
}

/*
 * Offset of a printk stamp "[ 123.456789]" inside msg (not at its
 * start), or 0.  Serial consoles glue messages together this way.
 */
static size_t embedded_stamp(struct kt_str msg)
{
	const char *p = msg.p + 1, *end = msg.p + msg.len, *q;

	while (p < end && (p = memchr(p, '[', (size_t)(end - p)))) {
		q = p + 1;
		while (q < end && *q == ' ')
			q++;
		if (q < end && kt_is_digit((unsigned char)*q)) {
			const char *d = q;

			while (q < end && kt_is_digit((unsigned char)*q))
				q++;
			if (q - d <= 9 && end - q >= 8 && *q == '.' &&
			    kt_is_digit((unsigned char)q[1]) &&
			    kt_is_digit((unsigned char)q[6]) && q[7] == ']') {
				int i;

				for (i = 1; i <= 6; i++)
					if (!kt_is_digit((unsigned char)q[i]))
						break;
				if (i == 7)
					return (size_t)(p - msg.p);
			}
		}
		p++;
	}
	return 0;
}

/* Cuts a glued second message off line into the split slot. */
static int finish_line(struct kt_framer *fr, struct kt_line *line)
{
	size_t at = embedded_stamp(line->msg);

	if (at) {
		fr->split_tpl = *line;
		fr->split = kt_str_make(line->msg.p + at, line->msg.len - at);
		fr->split_pending = true;
		line->msg.len = at;
	}
	return 1;
}

static int next_split(struct kt_framer *fr, struct kt_line *line)
{
	struct cur c = { fr->split.p, fr->split.p + fr->split.len };

	fr->split_pending = false;
	*line = fr->split_tpl;
	if (parse_dmesg_stamp(&c, line)) {
		if (line->fmt == KT_FMT_BARE) {
			line->fmt = KT_FMT_DMESG;
			line->is_kernel = true;
		}
	}
	line->msg = kt_str_make(c.p, (size_t)(c.end - c.p));
	return finish_line(fr, line);
}

int kt_framer_next(struct kt_ctx *ctx, struct kt_framer *fr,
		   struct kt_input *in, struct kt_line *line)
{
	struct kt_str raw = KT_STR_NULL;
	bool cut = false, scratch_msg;
	uint64_t off = 0;
	int rc;

	if (fr->split_pending)
		return next_split(fr, line);
	if (fr->synth_pending) {
		fr->synth_pending = false;
		*line = fr->held;
		start_subs(fr, line);
		return finish_line(fr, line);
	}
	if (fr->sub_pending)
		return next_sub(fr, line) && finish_line(fr, line);
	for (;;) {
		rc = next_physical(ctx, fr, in, &raw, &cut, &off);
		if (rc <= 0)
			return rc;
		fr->lineno++;
		if (!parse_line(fr, raw, line, &scratch_msg))
			continue;
		line->lineno = fr->lineno;
		line->offset = off;
		line->cut = cut;
		fr->stats.fmt[line->fmt]++;
		break;
	}
	if (line->fmt == KT_FMT_JOURNAL_JSON && line->boot_id.len &&
	    !kt_str_eq(line->boot_id,
		       kt_str_make(fr->boot_id.buf, fr->boot_id.len))) {
		bool first = !fr->boot_id.len;

		strbuf_reset(&fr->boot_id);
		strbuf_add(&fr->boot_id, line->boot_id.p, line->boot_id.len);
		if (!first) {
			/* announce the boot change the way journalctl does */
			fr->held = *line;
			strbuf_reset(&fr->synth);
			strbuf_addf(&fr->synth, "-- Boot %s --",
				    fr->boot_id.buf);
			line->msg = kt_str_make(fr->synth.buf, fr->synth.len);
			line->is_kernel = true;
			line->synthetic = true;
			line->prog = KT_STR_NULL;
			line->pid = -1;
			fr->synth_pending = true;
			return 1;
		}
	}
	if (scratch_msg)
		start_subs(fr, line);
	return finish_line(fr, line);
}
