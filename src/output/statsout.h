/*
 * statsout.h - statistics and fingerprint groups as text or JSON.
 *
 * Renders what analyze/stats.c collected: `ktriage stats` prints all of
 * it, `ktriage scan --group` only the groups.
 */
#ifndef KT_STATSOUT_H
#define KT_STATSOUT_H

#include "base/compat.h"
#include "base/strbuf.h"
#include "analyze/analyze.h"
#include "analyze/stats.h"

/* The whole statistics: text for people, json for tools. */
void kt_stats_write_text(struct strbuf *out, const struct kt_stats *st,
			 const struct kt_summary *sum, bool color);
void kt_stats_write_json(struct strbuf *out, const struct kt_stats *st,
			 const struct kt_summary *sum);

/* One line (text) or one JSON object (ndjson) per fingerprint group. */
void kt_groups_write_text(struct strbuf *out, const struct kt_stats *st,
			  bool color);
void kt_groups_write_ndjson(struct strbuf *out, const struct kt_stats *st);

#endif
