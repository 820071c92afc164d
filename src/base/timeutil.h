/*
 * timeutil.h - calendar arithmetic without the C library's time zone
 * machinery on the hot path.
 *
 * Wall-clock times are int64 microseconds since the Unix epoch, UTC.
 * Converting a local broken-down time needs the zone's offset for that
 * hour; struct kt_tzcache remembers it per hour so mktime() runs once an
 * hour of log, not once a line.
 */
#ifndef KT_TIMEUTIL_H
#define KT_TIMEUTIL_H

#include "base/compat.h"
#include "base/strbuf.h"

/* A wall-clock time that is not known. */
#define KT_NO_TIME INT64_MIN

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
int64_t kt_days_from_civil(int64_t y, unsigned m, unsigned d);
void kt_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* "Jan".."Dec" (case-sensitive, as syslog writes them) -> 1..12, else 0. */
int kt_month_from_abbr(const char *p);
/* "Mon".."Sun" -> 1..7, else 0. */
int kt_weekday_from_abbr(const char *p);

struct kt_tzcache {
	int64_t key;		/* days * 32 + hour cached, or -1 */
	int64_t offset_s;	/* local - UTC, seconds */
};

void kt_tzcache_init(struct kt_tzcache *tc);
/* Local broken-down time -> UTC microseconds. */
int64_t kt_local_to_utc_us(struct kt_tzcache *tc, int64_t y, unsigned mon,
			   unsigned day, unsigned h, unsigned min, unsigned s,
			   int64_t us);
/* UTC broken-down time -> microseconds. */
int64_t kt_utc_us(int64_t y, unsigned mon, unsigned day, unsigned h,
		  unsigned min, unsigned s, int64_t us);
/* Year and month (1-12) of a UTC time in the local zone. */
void kt_local_year_month(int64_t epoch_s, int64_t *year, unsigned *month);

/* Appends 2025-11-24T08:21:08Z, or with .ffffff when frac is true. */
void kt_time_format(struct strbuf *sb, int64_t us, bool frac);
/*
 * 2025-11-24T08:21:08Z (a fraction after the seconds is ignored) ->
 * microseconds, or KT_NO_TIME when s is not such a time.
 */
int64_t kt_time_parse(const char *s);

/*
 * A time as a person gives it on the command line:
 *   RFC 3339          2025-11-24T08:21:08Z, 2025-11-24T10:21:08+02:00,
 *                     a fraction allowed, a space for the T; without a
 *                     zone the time is local
 *   a date            2025-11-24: local midnight
 *   an age            30s, 30m, 2h, 7d, 2w: that long before now_us
 * Returns 0 with the time in *out, KT_ERR_PARSE or KT_ERR_RANGE.
 */
int kt_time_parse_arg(const char *s, int64_t now_us, int64_t *out);

/* Now, in microseconds: the wall clock (since the epoch), the monotonic. */
int64_t kt_wall_us(void);
int64_t kt_mono_us(void);

#endif
