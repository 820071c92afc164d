/*
 * report.h - the analysis report: the digest of a scan, explained.
 *
 * kt_report_build() applies the knowledge base to a digest (see
 * analyze/digest.h): it derives each problem's facts, decides the
 * health verdict, picks the meaning, evidence, causes and actions that
 * the facts support, gathers the alert rules and readiness checks, and
 * writes a summary.  The result is the report model of docs/REPORT.md, a
 * JSON object every renderer (text, markdown, html) and the LLM prompt
 * read; `report --format json` prints it as it is.
 */
#ifndef KT_REPORT_H
#define KT_REPORT_H

#include "base/compat.h"
#include "base/strbuf.h"
#include "output/kb.h"
#include <jansson.h>

#define KT_REPORT_PROBLEMS_MAX 50

struct kt_report_opts {
	enum kt_lang lang;
	int64_t now_us;		/* generated_at */
	const char *const *inputs;	/* borrowed: names of what was read */
	size_t nr_inputs;
	uint64_t lines;		/* lines read */
	const json_t *config;	/* borrowed or NULL: --local settings,
				 * {"kernel.panic": 5, ...} */
};

/* A new report model (caller owns the reference). */
json_t *kt_report_build(const struct kt_kb *kb, const json_t *digest,
			const struct kt_report_opts *opts);

/* The facts of the digest as a whole (n.*, span_hours, config.*). */
json_t *kt_report_global_facts(const json_t *digest, const json_t *config);

/* The facts of one digest group, global facts included. */
json_t *kt_report_problem_facts(const json_t *group, const json_t *global);

/* Renderers of the model. */
void kt_report_text(struct strbuf *out, const json_t *model,
		    const struct kt_kb *kb, bool color);
void kt_report_markdown(struct strbuf *out, const json_t *model,
			const struct kt_kb *kb);
/*
 * One self-contained HTML page: inline CSS and SVG charts, no script,
 * nothing fetched; every string of the model is escaped.
 */
void kt_report_html(struct strbuf *out, const json_t *model,
		    const struct kt_kb *kb);

#endif
