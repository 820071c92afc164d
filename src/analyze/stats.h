/*
 * stats.h - the numbers an incident report is built on.
 *
 * kt_stats_add() takes every event once (after the analyzer annotated
 * it) and keeps counters by type and severity, subtype, boot, hour and
 * day, the processes events name, the guilty functions and modules, and
 * one group per fingerprint with its count and first and last sighting.
 * Memory grows with the number of distinct keys, not with the events.
 */
#ifndef KT_STATS_H
#define KT_STATS_H

#include "base/compat.h"
#include "base/strmap.h"
#include "analyze/analyze.h"
#include "event/event.h"

/* Counts per key, in first-seen order. */
struct kt_counter {
	struct kt_strmap keys;
	uint64_t *n;		/* owned; n[i] for keys.keys[i] */
	size_t alloc;
};

void kt_counter_add(struct kt_counter *c, const char *key, uint64_t n);
/*
 * Up to max indexes of c sorted by count (largest first, then first
 * seen); returns how many were written to idx.
 */
size_t kt_counter_top(const struct kt_counter *c, size_t *idx, size_t max);

/* One problem: every event with the same fingerprint. */
struct kt_group {
	char fingerprint[17];
	char first_id[17];
	char *type;		/* owned */
	char *subtype;		/* owned */
	char *title;		/* owned: the first occurrence's */
	enum kt_severity severity;	/* the highest seen */
	uint64_t count;
	int64_t first_us, last_us;	/* KT_NO_TIME when unknown */
	char *first_file;	/* owned */
	uint64_t first_line;
	struct kt_strmap hosts;	/* distinct hosts (up to 64 kept) */
};

/* The hour and day keys of a time, remembered for the next event. */
struct kt_hour_keys {
	int64_t hour;		/* hours since the epoch, INT64_MIN: none */
	char hour_key[14];	/* "2025-11-24T08" */
	char day_key[11];	/* "2025-11-24" */
};

/* Fills hk for the time us (UTC microseconds); cheap when unchanged. */
void kt_hour_keys(struct kt_hour_keys *hk, int64_t us);

struct kt_stats {
	struct kt_counter subtypes;	/* "type/subtype" */
	struct kt_counter boots;	/* "host boot N" */
	struct kt_counter hours;	/* "2025-11-24T08" (UTC) */
	struct kt_counter days;		/* "2025-11-24" */
	struct kt_counter processes;	/* comm of the task events name */
	struct kt_counter victims;	/* comm of OOM victims and crashed
					 * programs */
	struct kt_counter guilty_funcs;
	struct kt_counter guilty_modules;
	struct kt_strmap group_index;	/* fingerprint -> group */
	struct kt_group *group;		/* owned */
	size_t nr_group, alloc_group;
	uint64_t untimed;	/* events without a wall-clock time */
	struct kt_hour_keys hour_cache;
};

void kt_stats_init(struct kt_stats *st);
void kt_stats_release(struct kt_stats *st);
void kt_stats_add(struct kt_stats *st, const struct kt_event *ev);

/* Group indexes sorted by severity, then count, then first seen. */
size_t kt_stats_groups_sorted(const struct kt_stats *st, size_t *idx);

#endif
