/*
 * reporthtml.c - the report model as one self-contained HTML page (see
 * report.h): inline CSS, charts drawn here as inline SVG, no script, and
 * a Content-Security-Policy that lets the page fetch nothing at all.
 *
 * Part of the output stage.  It walks the model in the four parts of the
 * text renderer (reportfmt.c) with the same messages, plus those of
 * kb/03-messages-html.yaml; every string of the model is HTML-escaped.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "output/escape.h"
#include "output/report.h"
#include <math.h>

/* Bars of the timeline chart at most: buckets beyond it are merged. */
#define TIMELINE_BARS_MAX 96
/* Bytes of a label drawn inside a chart at most. */
#define LABEL_MAX 60

/*
 * Chart width in viewBox units, and its text size: on a phone a chart
 * shrinks to about 350 pixels, where the text is still 10 pixels high;
 * on a wide screen two charts stand side by side.
 */
#define CHART_W 480
#define CHART_FONT 14

struct html {
	struct strbuf *out;
	const struct kt_kb *kb;
	enum kt_lang lang;
	unsigned nr_ids;	/* for unique element ids */
};

/* The page: enough for the two lines of a healthy log. */
static const char css_base[] =
	":root{color-scheme:light}\n"
	"*{box-sizing:border-box}\n"
	"html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
	"body{margin:0;background:#fff;color:#1b1f24;"
	"font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,"
	"\"Noto Sans\",\"Noto Sans CJK SC\",\"WenQuanYi Micro Hei\","
	"\"PingFang SC\",\"Microsoft YaHei\",sans-serif;"
	"overflow-wrap:anywhere}\n"
	".wrap{max-width:62rem;margin:0 auto;padding:1rem 1.25rem 3rem}\n"
	"h1{font-size:1.65rem;line-height:1.25;margin:.5rem 0}\n"
	"h2{font-size:1.35rem;line-height:1.3;margin:2.2rem 0 .8rem;"
	"padding-bottom:.25rem;border-bottom:2px solid #d0d7de}\n"
	"h3{font-size:1.12rem;line-height:1.35;margin:1.6rem 0 .5rem}\n"
	"h4{font-size:1rem;margin:1rem 0 .3rem}\n"
	"p,ul,ol{margin:.4rem 0}\n"
	"ul,ol{padding-left:1.4rem}\n"
	"li{margin:.2rem 0}\n"
	"a{color:#0b5cad}\n"
	".meta{color:#57606a;font-size:.92rem;margin:.1rem 0}\n"
	".muted{color:#57606a}\n"
	"nav.toc{margin:1rem 0;padding:.5rem .8rem;background:#f6f8fa;"
	"border:1px solid #d0d7de;border-radius:6px}\n"
	"nav.toc ol{list-style:none;padding:0;margin:.2rem 0;display:flex;"
	"flex-wrap:wrap;gap:.2rem 1.2rem}\n"
	".verdict{margin:.8rem 0;padding:.7rem .9rem;border:1px solid #d0d7de;"
	"border-left:.45rem solid #57606a;border-radius:6px;"
	"background:#f6f8fa;font-size:1.05rem}\n"
	".lvl-critical{border-left-color:#b71c1c}\n"
	".lvl-unstable{border-left-color:#8e24aa}\n"
	".lvl-degraded{border-left-color:#c77700}\n"
	".lvl-healthy{border-left-color:#1b7f3b}\n"
	"@media (max-width:600px){body{font-size:15px}"
	".wrap{padding:.6rem .75rem 2rem}h1{font-size:1.35rem}}\n"
	"@media print{body{font-size:10.5pt}.wrap{max-width:none;padding:0}"
	".verdict{break-inside:avoid}}\n";

/* The rest of the report: parts, problems, code, charts. */
static const char css_report[] =
	".badge{display:inline-block;padding:0 .45em;border-radius:.3em;"
	"font-weight:700;font-size:.85em;line-height:1.5;white-space:nowrap;"
	"color:#fff;background:#57606a;vertical-align:.05em}\n"
	".b-critical{background:#b71c1c}\n"
	".b-unstable{background:#8e24aa}\n"
	".b-major,.b-degraded{background:#f0a202;color:#000}\n"
	".b-minor{background:#1565c0}\n"
	".b-healthy,.b-ok{background:#1b7f3b}\n"
	".b-missing{background:#f0a202;color:#000}\n"
	".b-unknown{background:#57606a}\n"
	".problem{margin:1.2rem 0;padding:.1rem 1rem .6rem;"
	"border:1px solid #d0d7de;border-left:.45rem solid #57606a;"
	"border-radius:6px}\n"
	".problem h3{margin-top:.8rem}\n"
	".sev-critical{border-left-color:#b71c1c}\n"
	".sev-major{border-left-color:#f0a202}\n"
	".sev-minor{border-left-color:#1565c0}\n"
	".chain{margin:.3rem 0}\n"
	".sample{margin:.5rem 0}\n"
	".sample .src{font-size:.85rem;color:#57606a;margin:0}\n"
	"code,pre{font-family:ui-monospace,\"SFMono-Regular\",\"DejaVu Sans Mono\","
	"Menlo,Consolas,monospace;font-size:.86rem}\n"
	"pre{margin:.3rem 0 .6rem;padding:.5rem .7rem;background:#f6f8fa;"
	"border:1px solid #d0d7de;border-radius:6px;max-width:100%;"
	"overflow-x:auto;line-height:1.45}\n"
	"pre.log,pre.cmd{white-space:pre-wrap;word-break:break-all;"
	"overflow-wrap:anywhere}\n"
	"pre.cmd{background:#0d1117;color:#e6edf3;border-color:#0d1117}\n"
	"pre.cmd::before{content:\"$ \";color:#8b949e;"
	"-webkit-user-select:none;user-select:none}\n"
	"pre.cmd code{-webkit-user-select:all;user-select:all}\n"
	"figure{margin:1rem 0 1.4rem;padding:.6rem .8rem;"
	"border:1px solid #d0d7de;border-radius:6px}\n"
	"figcaption{font-weight:600;margin-bottom:.3rem}\n"
	"figure svg{display:block;width:100%;height:auto;max-width:40rem}\n"
	".charts{display:grid;gap:0 1rem;align-items:start;"
	"grid-template-columns:"
	"repeat(auto-fit,minmax(min(100%,24rem),1fr))}\n"
	".charts figure{margin:.5rem 0}\n"
	"figure.wide{max-width:36rem}\n"
	".legend{list-style:none;padding:0;margin:.4rem 0 0;display:flex;"
	"flex-wrap:wrap;gap:.15rem 1.1rem;font-size:.85rem}\n"
	".legend li{margin:0}\n"
	".sw{display:inline-block;width:.85em;height:.85em;margin-right:.35em;"
	"border-radius:2px;vertical-align:-.08em}\n"
	".sw.mark{border-radius:50%;background:#1b1f24}\n"
	".tbl{max-width:100%;overflow-x:auto}\n"
	"table{border-collapse:collapse;margin:.4rem 0}\n"
	"th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;"
	"vertical-align:top}\n"
	"th{background:#f6f8fa}\n"
	"@media (max-width:600px){"
	"h2{font-size:1.2rem}.problem{padding:.1rem .6rem .5rem}"
	"figure{padding:.4rem .5rem}pre{padding:.4rem .5rem}}\n"
	"@media print{"
	"nav.toc,.hint{display:none}a{color:inherit;text-decoration:none}"
	"h2,h3,h4{break-after:avoid}"
	".problem,figure,pre{break-inside:avoid}"
	"pre{white-space:pre-wrap;word-break:break-all}"
	"pre.cmd{background:#f6f8fa;color:#1b1f24;border-color:#d0d7de}}\n";

/* ------------------------------------------------------------ helpers */

static const char *str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The same, or def when it is not a string. */
static const char *strd(const json_t *o, const char *key, const char *def)
{
	const char *s = str(o, key);

	return s ? s : def;
}

/* An array element as a string, or def. */
static const char *elem(const json_t *a, size_t i, const char *def)
{
	const json_t *v = json_array_get(a, i);

	return json_is_string(v) ? json_string_value(v) : def;
}

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : 0;
}

static const char *msg(const struct html *h, const char *name)
{
	return kt_kb_msg(h->kb, name, h->lang);
}

/* Untrusted text, escaped. */
static void esc(const struct html *h, const char *s)
{
	if (s)
		kt_html_escape(h->out, s);
}

/* A message rendered with facts; the raw message if a fact is missing. */
static void msgf(const struct html *h, struct strbuf *sb, const char *name,
		 const json_t *facts)
{
	size_t mark = sb->len;

	if (!kt_kb_render(msg(h, name), facts, sb)) {
		strbuf_setlen(sb, mark);
		strbuf_addstr(sb, msg(h, name));
	}
}

/* The same, escaped into the page. */
static void put_msgf(const struct html *h, const char *name,
		     const json_t *facts)
{
	struct strbuf sb = STRBUF_INIT;

	msgf(h, &sb, name, facts);
	esc(h, sb.buf);
	strbuf_release(&sb);
}

/* A message that names a value: "level_critical", "sev_major", ... */
static const char *msg2(const struct html *h, const char *prefix,
			const char *value)
{
	struct strbuf name = STRBUF_INIT;
	const char *s;

	strbuf_addf(&name, "%s%s", prefix, value ? value : "");
	s = msg(h, name.buf);
	strbuf_release(&name);
	return s;
}

/*
 * Untrusted text cut to LABEL_MAX bytes at a character boundary, for the
 * inside of a chart where it cannot wrap.
 */
static void esc_label(const struct html *h, const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n;

	if (!s)
		return;
	n = strlen(s);
	if (n <= LABEL_MAX) {
		esc(h, s);
		return;
	}
	n = LABEL_MAX;
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	strbuf_add(&sb, s, n);
	strbuf_addstr(&sb, "…");
	esc(h, sb.buf);
	strbuf_release(&sb);
}

/* A label of a class name: only [a-z_] of a value from the model. */
static void put_class(const struct html *h, const char *prefix,
		      const char *value)
{
	strbuf_addstr(h->out, prefix);
	for (; value && *value; value++)
		if ((*value >= 'a' && *value <= 'z') || *value == '_')
			strbuf_addch(h->out, *value);
}

static unsigned new_id(struct html *h)
{
	return ++h->nr_ids;
}

static const char *list_text(struct strbuf *sb, const json_t *list,
			     size_t max)
{
	size_t i;

	for (i = 0; i < json_array_size(list) && i < max; i++) {
		const json_t *e = json_array_get(list, i);

		strbuf_addf(sb, "%s%s", i ? ", " : "",
			    json_is_string(e) ? json_string_value(e) : "?");
	}
	if (json_array_size(list) > max)
		strbuf_addf(sb, ", … (+%zu)", json_array_size(list) - max);
	return sb->buf;
}

/* Seconds since the epoch of an RFC 3339 time, or KT_NO_TIME. */
static int64_t secs(const char *s)
{
	int64_t us = s ? kt_time_parse(s) : KT_NO_TIME;

	return us == KT_NO_TIME ? KT_NO_TIME : us / 1000000;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

/* "2026-03-14", "03-14 09:00" or "03-14 09:42" */
static void time_label(struct strbuf *sb, int64_t t, bool clock)
{
	int64_t days = floor_div(t, 86400), y, rem = t - days * 86400;
	unsigned mon, day;

	kt_civil_from_days(days, &y, &mon, &day);
	if (clock)
		strbuf_addf(sb, "%02u-%02u %02u:%02u", mon, day,
			    (unsigned)(rem / 3600),
			    (unsigned)(rem % 3600 / 60));
	else
		strbuf_addf(sb, "%04lld-%02u-%02u", (long long)y, mon, day);
}

static int digits(double v)
{
	int n = 1;

	for (; v >= 10 && n < 30; v /= 10)
		n++;
	return n;
}

/* 1, 2, 5, 10, 20, ... at least max / ticks. */
static double nice_step(double max, int ticks)
{
	double raw = max / ticks, p = 1;

	if (raw <= 1)
		return 1;
	while (p * 10 < raw)
		p *= 10;
	if (raw <= p)
		return p;
	if (raw <= 2 * p)
		return 2 * p;
	if (raw <= 5 * p)
		return 5 * p;
	return 10 * p;
}

/* ------------------------------------------------------------ colours */

static const struct {
	const char *name, *fill, *ink;
} sev_colors[] = {
	{ "critical", "#c62828", "#fff" },
	{ "major", "#f0a202", "#000" },
	{ "minor", "#1565c0", "#fff" },
};

static const struct {
	const char *type, *fill;
} type_colors[] = {
	{ "panic", "#7f1d1d" },
	{ "oops", "#d55e00" },
	{ "oom", "#6a3d9a" },
	{ "deadlock", "#8c564b" },
	{ "fs_error", "#009e73" },
	{ "io_error", "#e69f00" },
	{ "hardware", "#cc79a7" },
	{ "reboot", "#0072b2" },
	{ "warning", "#56b4e9" },
	{ "segfault", "#4d4d4d" },
};

static const char *const other_colors[] = {
	"#1b9e77", "#e7298a", "#66a61e", "#a6761d", "#7570b3", "#999999",
};

static const char *type_color(const char *type)
{
	unsigned hash = 5381;
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(type_colors); i++)
		if (type && !strcmp(type, type_colors[i].type))
			return type_colors[i].fill;
	for (; type && *type; type++)
		hash = hash * 33 + (unsigned char)*type;
	return other_colors[hash % KT_ARRAY_SIZE(other_colors)];
}

static const struct {
	const char *kind, *fill, *msg;
} boot_kinds[] = {
	{ "first", "#5c6bc0", "html_boot_first" },
	{ "clean", "#2e7d32", "html_boot_clean" },
	{ "crash", "#c62828", "html_boot_crash" },
	{ "unclean", "#ef8f00", "html_boot_unclean" },
	{ NULL, "#a7b4bd", "html_boot_unknown" },
};

static size_t boot_kind(const char *kind)
{
	size_t i;

	for (i = 0; i + 1 < KT_ARRAY_SIZE(boot_kinds); i++)
		if (kind && !strcmp(kind, boot_kinds[i].kind))
			return i;
	return i;
}

/* A type's name in the report's language; the type itself if none. */
static const char *type_label(const struct html *h, const char *type)
{
	const char *s = msg2(h, "type_", type);

	return *s ? s : type ? type : "?";
}

/* ------------------------------------------------------------ charts */

static void legend_item(const struct html *h, const char *fill,
			const char *text)
{
	strbuf_addf(h->out, "<li><span class=\"sw\" style=\"background:%s\">"
		    "</span>", fill);
	esc(h, text);
	strbuf_addstr(h->out, "</li>");
}

/* <figure> and the <svg> head; the caller writes the inside. */
static void chart_open(struct html *h, const char *caption, const char *desc,
		       double height, const char *class)
{
	unsigned id = new_id(h);

	strbuf_addf(h->out, "<figure%s%s%s><figcaption id=\"c%u\">",
		    class ? " class=\"" : "", class ? class : "",
		    class ? "\"" : "", id);
	esc(h, caption);
	strbuf_addf(h->out, "</figcaption>\n<svg viewBox=\"0 0 %d %.0f\" "
		    "role=\"img\" aria-labelledby=\"c%u\" aria-describedby="
		    "\"c%u-d\" font-family=\"system-ui,sans-serif\" "
		    "font-size=\"%d\" fill=\"#1b1f24\">"
		    "<title>", CHART_W, height, id, id, CHART_FONT);
	esc(h, caption);
	strbuf_addf(h->out, "</title><desc id=\"c%u-d\">", id);
	esc(h, desc);
	strbuf_addstr(h->out, "</desc>\n");
}

static void svg_text(const struct html *h, double x, double y,
		     const char *anchor, const char *text)
{
	strbuf_addf(h->out, "<text x=\"%.1f\" y=\"%.1f\"%s%s%s>", x, y,
		    anchor ? " text-anchor=\"" : "", anchor ? anchor : "",
		    anchor ? "\"" : "");
	esc_label(h, text);
	strbuf_addstr(h->out, "</text>");
}

/* The stacking order: the ranked risk types first, then the others. */
static size_t timeline_types(const json_t *m, const json_t *types,
			     const char **order)
{
	const json_t *risks = json_object_get(m, "risks");
	size_t n = 0, i, j;

	for (i = 0; i < json_array_size(risks); i++) {
		const char *t = str(json_array_get(risks, i), "type");

		for (j = 0; t && j < json_array_size(types); j++)
			if (!strcmp(t, elem(types, j, "")))
				break;
		if (t && j < json_array_size(types))
			order[n++] = t;
	}
	for (j = 0; j < json_array_size(types); j++) {
		const char *t = elem(types, j, NULL);

		for (i = 0; t && i < n; i++)
			if (!strcmp(order[i], t))
				break;
		if (t && i == n)
			order[n++] = t;
	}
	return n;
}

struct timeline {
	int64_t t0, t1;		/* first and last bucket start */
	int64_t len;		/* seconds per bucket */
	int64_t per;		/* buckets per bar */
	size_t nr_bars, nr_types;
	const char **type;	/* owned array; strings borrowed from m */
	double *count;		/* owned; [bar * nr_types + type] */
	double max;		/* highest bar */
};

static bool timeline_fill(struct timeline *tl, const json_t *m)
{
	const json_t *t = json_object_get(m, "timeline");
	const json_t *buckets = json_object_get(t, "buckets");
	const json_t *types = json_object_get(t, "types");
	int64_t slots;
	size_t i, j;

	memset(tl, 0, sizeof(*tl));
	tl->len = !strcmp(strd(t, "bucket", ""), "day") ? 86400 : 3600;
	tl->t0 = tl->t1 = KT_NO_TIME;
	for (i = 0; i < json_array_size(buckets); i++) {
		int64_t s = secs(str(json_array_get(buckets, i), "start"));

		if (s == KT_NO_TIME)
			continue;
		if (tl->t0 == KT_NO_TIME || s < tl->t0)
			tl->t0 = s;
		if (tl->t1 == KT_NO_TIME || s > tl->t1)
			tl->t1 = s;
	}
	if (tl->t0 == KT_NO_TIME || !json_array_size(types))
		return false;
	tl->type = xcalloc(json_array_size(types) +
			   json_array_size(json_object_get(m, "risks")) + 1,
			   sizeof(*tl->type));
	tl->nr_types = timeline_types(m, types, tl->type);
	slots = (tl->t1 - tl->t0) / tl->len + 1;
	tl->per = (slots + TIMELINE_BARS_MAX - 1) / TIMELINE_BARS_MAX;
	tl->nr_bars = (size_t)((slots + tl->per - 1) / tl->per);
	tl->count = xcalloc(st_mult(tl->nr_bars, tl->nr_types),
			    sizeof(*tl->count));
	for (i = 0; i < json_array_size(buckets); i++) {
		const json_t *b = json_array_get(buckets, i);
		const json_t *c = json_object_get(b, "counts");
		int64_t s = secs(str(b, "start"));
		size_t bar;

		if (s == KT_NO_TIME)
			continue;
		bar = (size_t)((s - tl->t0) / tl->len / tl->per);
		for (j = 0; j < tl->nr_types; j++)
			tl->count[bar * tl->nr_types + j] +=
				num(c, tl->type[j]);
	}
	for (i = 0; i < tl->nr_bars; i++) {
		double sum = 0;

		for (j = 0; j < tl->nr_types; j++)
			sum += tl->count[i * tl->nr_types + j];
		if (sum > tl->max)
			tl->max = sum;
	}
	return tl->max > 0;
}

static void timeline_release(struct timeline *tl)
{
	free(tl->type);
	free(tl->count);
}

/* (a) events over time, stacked by type */
static void chart_timeline(struct html *h, const json_t *m)
{
	const double left = 44, right = 10, top = 12, plot_h = 180;
	const double plot_w = CHART_W - left - right;
	struct timeline tl;
	struct strbuf sb = STRBUF_INIT, desc = STRBUF_INIT;
	json_t *facts;
	double step, ymax, bw, slot, y, half, last = -100;
	size_t i, j, every;
	bool clock;

	if (!timeline_fill(&tl, m)) {
		strbuf_addstr(h->out, "<figure><figcaption>");
		esc(h, msg(h, "html_chart_timeline"));
		strbuf_addstr(h->out, "</figcaption><p class=\"muted\">");
		esc(h, msg(h, "html_no_timeline"));
		strbuf_addstr(h->out, "</p></figure>\n");
		timeline_release(&tl);
		return;
	}
	clock = tl.len * tl.per < 86400;
	step = nice_step(tl.max, 4);
	ymax = step * ceil(tl.max / step);
	slot = plot_w / (double)tl.nr_bars;
	bw = slot * 0.8 > 56 ? 56 : slot * 0.8;
	if (slot - bw < 1 && slot > 2)
		bw = slot - 1;

	facts = json_object();
	json_object_set_new(facts, "bars", json_integer((json_int_t)
							tl.nr_bars));
	time_label(&sb, tl.t0, clock);
	json_object_set_new(facts, "first", json_string(sb.buf));
	strbuf_reset(&sb);
	time_label(&sb, tl.t1 + tl.len - 1, clock);
	json_object_set_new(facts, "last", json_string(sb.buf));
	json_object_set_new(facts, "max", json_real(tl.max));
	msgf(h, &desc, "html_timeline_desc", facts);
	json_decref(facts);
	chart_open(h, msg(h, "html_chart_timeline"), desc.buf,
		   top + plot_h + 58, NULL);

	/* grid and y axis */
	for (y = 0; y <= ymax + 0.5; y += step) {
		double py = top + plot_h - y / ymax * plot_h;

		strbuf_addf(h->out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
			    "y2=\"%.1f\" stroke=\"%s\"/>", left,
			    CHART_W - right, py, py, y ? "#e1e4e8" : "#57606a");
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%.0f", y);
		svg_text(h, left - 6, py + 4, "end", sb.buf);
	}
	strbuf_addf(h->out, "<text transform=\"translate(13 %.1f) "
		    "rotate(-90)\" text-anchor=\"middle\">",
		    top + plot_h / 2);
	esc(h, msg(h, "html_axis_events"));
	strbuf_addstr(h->out, "</text>\n");

	/* the bars */
	for (i = 0; i < tl.nr_bars; i++) {
		double x = left + slot * (double)i + (slot - bw) / 2;
		double base = top + plot_h;
		int64_t start = tl.t0 + (int64_t)i * tl.per * tl.len;

		strbuf_reset(&sb);
		time_label(&sb, start, clock);
		for (j = 0; j < tl.nr_types; j++) {
			double c = tl.count[i * tl.nr_types + j];
			double bh = c / ymax * plot_h;

			if (c <= 0)
				continue;
			base -= bh;
			strbuf_addf(h->out, "<rect x=\"%.2f\" y=\"%.2f\" "
				    "width=\"%.2f\" height=\"%.2f\" "
				    "fill=\"%s\"><title>", x, base, bw, bh,
				    type_color(tl.type[j]));
			esc(h, sb.buf);
			esc(h, msg(h, "dash"));
			esc(h, type_label(h, tl.type[j]));
			esc(h, msg(h, "colon"));
			strbuf_addf(h->out, "%.0f</title></rect>", c);
		}
		strbuf_addch(h->out, '\n');
	}

	/* x labels: as many as fit, none cut at the edges */
	half = (clock ? 11 : 10) * CHART_FONT * 0.3;
	every = (size_t)((2 * half + 12) / slot) + 1;
	for (i = 0; i < tl.nr_bars; i += every) {
		double x = left + slot * ((double)i + 0.5);

		if (x < half + 4)
			x = half + 4;
		if (x > CHART_W - half - 2)
			x = CHART_W - half - 2;
		if (x - half < last + 12)
			continue;
		last = x + half;
		strbuf_reset(&sb);
		time_label(&sb, tl.t0 + (int64_t)i * tl.per * tl.len, clock);
		strbuf_addf(h->out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
			    "y2=\"%.1f\" stroke=\"#57606a\"/>",
			    left + slot * ((double)i + 0.5),
			    left + slot * ((double)i + 0.5), top + plot_h,
			    top + plot_h + 4);
		svg_text(h, x, top + plot_h + 19, "middle", sb.buf);
	}
	facts = json_pack("{s:I}", "n", (json_int_t)(tl.per * tl.len /
						       (clock ? 3600 : 86400)));
	strbuf_reset(&sb);
	msgf(h, &sb, tl.per == 1 ? (clock ? "html_axis_hour" :
				    "html_axis_day") :
		     (clock ? "html_axis_hours" : "html_axis_days"), facts);
	svg_text(h, left + plot_w / 2, top + plot_h + 44, "middle", sb.buf);
	strbuf_addstr(h->out, "</svg>\n<ul class=\"legend\">");
	for (j = 0; j < tl.nr_types; j++)
		legend_item(h, type_color(tl.type[j]),
			    type_label(h, tl.type[j]));
	strbuf_addstr(h->out, "</ul></figure>\n");
	json_decref(facts);
	strbuf_release(&sb);
	strbuf_release(&desc);
	timeline_release(&tl);
}

/* (b) events by type and severity, one stacked bar per risk type */
static void chart_severity(struct html *h, const json_t *m)
{
	const json_t *risks = json_object_get(m, "risks");
	const double left = 2, right = 40, row = 46;
	const double plot_w = CHART_W - left - right;
	size_t n = json_array_size(risks), i, s;
	double max = 0;
	struct strbuf sb = STRBUF_INIT;

	for (i = 0; i < n; i++) {
		const json_t *r = json_array_get(risks, i);
		double sum = 0;

		for (s = 0; s < KT_ARRAY_SIZE(sev_colors); s++)
			sum += num(r, sev_colors[s].name);
		if (sum > max)
			max = sum;
	}
	if (max <= 0)
		return;
	chart_open(h, msg(h, "html_chart_severity"),
		   msg(h, "html_severity_desc"), row * (double)n + 4, NULL);
	for (i = 0; i < n; i++) {
		const json_t *r = json_array_get(risks, i);
		double y = row * (double)i, x = left, total = 0;

		svg_text(h, left, y + 16, NULL, strd(r, "label",
			 type_label(h, str(r, "type"))));
		for (s = 0; s < KT_ARRAY_SIZE(sev_colors); s++) {
			double c = num(r, sev_colors[s].name);
			double w = c / max * plot_w;

			if (c <= 0)
				continue;
			if (w < 2)
				w = 2;
			total += c;
			strbuf_addf(h->out, "<rect x=\"%.2f\" y=\"%.1f\" "
				    "width=\"%.2f\" height=\"19\" fill=\"%s\">"
				    "<title>", x, y + 23, w,
				    sev_colors[s].fill);
			esc_label(h, str(r, "label"));
			esc(h, msg(h, "dash"));
			esc(h, msg2(h, "sev_", sev_colors[s].name));
			esc(h, msg(h, "colon"));
			strbuf_addf(h->out, "%.0f</title></rect>", c);
			if (w >= 8 + 8 * digits(c))
				strbuf_addf(h->out, "<text x=\"%.2f\" "
					    "y=\"%.1f\" text-anchor=\"middle\" "
					    "font-size=\"12\" fill=\"%s\">%.0f"
					    "</text>", x + w / 2, y + 37,
					    sev_colors[s].ink, c);
			x += w;
		}
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%.0f", total);
		svg_text(h, x + 5, y + 38, NULL, sb.buf);
		strbuf_addch(h->out, '\n');
	}
	strbuf_addstr(h->out, "</svg>\n<ul class=\"legend\">");
	for (s = 0; s < KT_ARRAY_SIZE(sev_colors); s++)
		legend_item(h, sev_colors[s].fill,
			    msg2(h, "sev_", sev_colors[s].name));
	strbuf_addstr(h->out, "</ul></figure>\n");
	strbuf_release(&sb);
}

/* Chain marks in one lane at most; more may overlap. */
#define LANE_MARKS_MAX 32

/* One host's boots in the boot chart. */
struct lane {
	const char *host;	/* borrowed; NULL: no name */
	bool timed;		/* every boot has a time */
	size_t first, nr;	/* its boots: index into the boot order */
	double mark[LANE_MARKS_MAX];	/* where its chain marks went */
	size_t nr_mark;
};

struct boots {
	const json_t **boot;	/* owned array; lane by lane */
	bool *used;		/* owned; boot i marked as a chain's end */
	size_t nr_boot;
	struct lane *lane;	/* owned */
	size_t nr_lane;
	int64_t t0, t1;		/* time range of the timed lanes */
	double left, width;	/* the plot, in viewBox units */
};

static const char *host_of(const json_t *o)
{
	const char *s = str(o, "host");

	return s && *s ? s : NULL;
}

static bool same_host(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void boot_times(const json_t *b, int64_t *start, int64_t *end)
{
	*start = secs(str(b, "start"));
	*end = secs(str(b, "end"));
	if (*start == KT_NO_TIME)
		*start = *end;
	if (*end == KT_NO_TIME || *end < *start)
		*end = *start;
}

static void range_add(struct boots *bs, int64_t t)
{
	if (t == KT_NO_TIME)
		return;
	if (bs->t0 == KT_NO_TIME || t < bs->t0)
		bs->t0 = t;
	if (bs->t1 == KT_NO_TIME || t > bs->t1)
		bs->t1 = t;
}

static struct lane *lane_find(struct boots *bs, const char *host)
{
	size_t i;

	for (i = 0; i < bs->nr_lane; i++)
		if (same_host(bs->lane[i].host, host))
			return &bs->lane[i];
	return NULL;
}

static void boots_fill(struct boots *bs, const json_t *m)
{
	const json_t *list = json_object_get(m, "boots");
	const json_t *chains = json_object_get(m, "chains");
	size_t n = json_array_size(list), i, j, k;

	memset(bs, 0, sizeof(*bs));
	bs->t0 = bs->t1 = KT_NO_TIME;
	bs->boot = xcalloc(n + 1, sizeof(*bs->boot));
	bs->used = xcalloc(n + 1, sizeof(*bs->used));
	bs->lane = xcalloc(n + 1, sizeof(*bs->lane));
	for (i = 0; i < n; i++) {
		const char *host = host_of(json_array_get(list, i));

		if (lane_find(bs, host))
			continue;
		bs->lane[bs->nr_lane].host = host;
		bs->lane[bs->nr_lane].first = bs->nr_boot;
		bs->lane[bs->nr_lane].timed = true;
		for (j = i; j < n; j++) {
			const json_t *b = json_array_get(list, j);
			int64_t s, e;

			if (!same_host(host_of(b), host))
				continue;
			boot_times(b, &s, &e);
			if (s == KT_NO_TIME)
				bs->lane[bs->nr_lane].timed = false;
			bs->boot[bs->nr_boot++] = b;
			bs->lane[bs->nr_lane].nr++;
		}
		bs->nr_lane++;
	}
	for (i = 0; i < bs->nr_lane; i++) {
		const struct lane *l = &bs->lane[i];

		if (!l->timed)
			continue;
		for (j = 0; j < l->nr; j++) {
			int64_t s, e;

			boot_times(bs->boot[l->first + j], &s, &e);
			range_add(bs, s);
			range_add(bs, e);
		}
		for (j = 0; j < json_array_size(chains); j++) {
			const json_t *c = json_array_get(chains, j);
			const json_t *hosts = json_object_get(c, "hosts");

			for (k = 0; k < json_array_size(hosts); k++)
				if (same_host(json_string_value(
					json_array_get(hosts, k)), l->host))
					range_add(bs, secs(str(c,
							       "last_time")));
			if (!json_array_size(hosts) && !l->host)
				range_add(bs, secs(str(c, "last_time")));
		}
	}
	if (bs->t0 != KT_NO_TIME) {
		int64_t pad = (bs->t1 - bs->t0) / 50;

		if (bs->t1 - bs->t0 < 600)
			pad = (600 - (bs->t1 - bs->t0)) / 2 + 12;
		bs->t0 -= pad;
		bs->t1 += pad;
	}
}

static double time_x(const struct boots *bs, int64_t t)
{
	return bs->left + (double)(t - bs->t0) / (double)(bs->t1 - bs->t0) *
				  bs->width;
}

/* Where a boot is drawn: [*x, *x + *w). */
static void boot_box(const struct boots *bs, const struct lane *l, size_t j,
		     double *x, double *w)
{
	int64_t s, e;

	if (l->timed) {
		boot_times(bs->boot[l->first + j], &s, &e);
		*x = time_x(bs, s);
		*w = time_x(bs, e) - *x;
		if (*w < 5) {
			*x -= (5 - *w) / 2;
			*w = 5;
		}
		return;
	}
	*w = bs->width / (double)l->nr;
	*x = bs->left + *w * (double)j;
	*w -= 3;
}

/*
 * Where a chain ends in a lane: at its last time.  Without one, a chain
 * that ends in a reboot ends where a boot of that kind begins (each such
 * boot ends one chain, in order), and another one in the lane's only
 * boot with serious events.  False when that is not known.
 */
static bool chain_x(struct boots *bs, const struct lane *l, const json_t *c,
		    double *x)
{
	const json_t *steps = json_object_get(c, "steps");
	const json_t *last = json_array_get(steps, json_array_size(steps) - 1);
	int64_t t = secs(str(c, "last_time"));
	size_t j, pick = SIZE_MAX, serious = 0;
	double w;

	if (l->timed && t != KT_NO_TIME) {
		*x = time_x(bs, t);
		return true;
	}
	if (last && !strcmp(strd(last, "type", ""), "reboot")) {
		for (j = 0; j < l->nr; j++) {
			if (strcmp(strd(bs->boot[l->first + j], "kind", ""),
				   strd(last, "subtype", "-")))
				continue;
			pick = j;
			if (!bs->used[l->first + j])
				break;
		}
		if (pick != SIZE_MAX) {
			bs->used[l->first + pick] = true;
			boot_box(bs, l, pick, x, &w);
			return true;
		}
	}
	for (j = 0; j < l->nr; j++) {
		const json_t *b = bs->boot[l->first + j];

		if (num(b, "critical") + num(b, "major") > 0) {
			pick = j;
			serious++;
		}
	}
	if (serious != 1)
		return false;
	boot_box(bs, l, pick, x, &w);
	*x += w / 2;
	return true;
}

/* The free place nearest to x for a chain mark, and takes it. */
static double mark_place(const struct boots *bs, struct lane *l, double x)
{
	const double lo = bs->left + 9, hi = bs->left + bs->width - 9;
	double want = x < lo ? lo : x > hi ? hi : x, try;
	size_t i, k;

	x = want;
	for (i = 0; i < 2 * LANE_MARKS_MAX; i++) {
		try = want + 17 * (double)((i + 1) / 2) * (i % 2 ? 1 : -1);
		if (try < lo || try > hi)
			continue;
		for (k = 0; k < l->nr_mark; k++)
			if (try > l->mark[k] - 17 && try < l->mark[k] + 17)
				break;
		if (k == l->nr_mark) {
			x = try;
			break;
		}
	}
	if (l->nr_mark < LANE_MARKS_MAX)
		l->mark[l->nr_mark++] = x;
	return x;
}

static void boot_title(const struct html *h, const json_t *b)
{
	json_t *facts = json_deep_copy(b);

	json_object_set_new(facts, "kind", json_string(
		msg(h, boot_kinds[boot_kind(str(b, "kind"))].msg)));
	put_msgf(h, "html_boot_title", facts);
	json_decref(facts);
}

static void chain_marks(struct html *h, struct boots *bs, const json_t *m,
			double lane_h, double top)
{
	const json_t *chains = json_object_get(m, "chains");
	size_t i, j;

	for (i = 0; i < json_array_size(chains); i++) {
		const json_t *c = json_array_get(chains, i);
		const json_t *hosts = json_object_get(c, "hosts");
		size_t nh = json_array_size(hosts);

		for (j = 0; j < (nh ? nh : 1); j++) {
			const char *host = nh ? json_string_value(
				json_array_get(hosts, j)) : NULL;
			struct lane *l = lane_find(bs, host && *host ? host :
						   NULL);
			json_t *facts;
			double x, y;

			if (!l || !l->nr || !chain_x(bs, l, c, &x))
				continue;
			x = mark_place(bs, l, x);
			y = top + lane_h * (double)(l - bs->lane) + 28;
			facts = json_pack("{s:I,s:s,s:O?}", "n",
					  (json_int_t)(i + 1), "text",
					  strd(c, "text", ""), "count",
					  json_object_get(c, "count"));
			strbuf_addstr(h->out, "<g><title>");
			put_msgf(h, "html_chain_title", facts);
			strbuf_addf(h->out, "</title><line x1=\"%.2f\" "
				    "x2=\"%.2f\" y1=\"%.1f\" y2=\"%.1f\" "
				    "stroke=\"#1b1f24\" stroke-width=\"1.5\"/>"
				    "<circle cx=\"%.2f\" cy=\"%.1f\" r=\"9\" "
				    "fill=\"#1b1f24\"/><text x=\"%.2f\" "
				    "y=\"%.1f\" text-anchor=\"middle\" "
				    "font-size=\"%s\" font-weight=\"700\" "
				    "fill=\"#fff\">%zu</text></g>\n", x, x, y,
				    y + 30, x, y, x, y + 4, i < 9 ? "12" :
				    i < 99 ? "10" : "7", i + 1);
			json_decref(facts);
		}
	}
}

/*
 * Axis ticks: a step in seconds, or in months when negative.  The first
 * tick after t.
 */
static int64_t tick_next(int64_t t, int64_t step)
{
	int64_t y, months;
	unsigned mon, day;

	if (step > 0)
		return (floor_div(t, step) + 1) * step;
	kt_civil_from_days(floor_div(t, 86400), &y, &mon, &day);
	months = (floor_div(y * 12 + mon - 1, -step) + 1) * -step;
	return kt_days_from_civil(floor_div(months, 12),
				  (unsigned)(months - floor_div(months, 12) *
					     12) + 1, 1) * 86400;
}

static void tick_label(struct strbuf *sb, int64_t t, int64_t step)
{
	if (step < 0) {
		time_label(sb, t, false);
		strbuf_setlen(sb, sb->len - 3);	/* the day */
		return;
	}
	time_label(sb, t, step < 86400);
}

/* The time axis under the timed lanes: at most five ticks. */
static void boots_axis(const struct html *h, const struct boots *bs,
		       double y)
{
	static const int64_t steps[] = {
		60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600,
		86400, 2 * 86400, 7 * 86400, 14 * 86400,
		-1, -2, -3, -6, -12, -24, -60, -120, -1200,
	};
	int64_t range = bs->t1 - bs->t0, step = steps[0], t;
	struct strbuf sb = STRBUF_INIT;
	double last = -100;
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(steps); i++) {
		int64_t len = steps[i] > 0 ? steps[i] : -steps[i] * 2629746;

		step = steps[i];
		if (range / len <= 4)
			break;
	}
	strbuf_addf(h->out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#57606a\"/>", bs->left,
		    bs->left + bs->width, y, y);
	for (t = tick_next(bs->t0, step); t <= bs->t1;
	     t = tick_next(t, step)) {
		double x = time_x(bs, t), lx = x, half;

		strbuf_reset(&sb);
		tick_label(&sb, t, step);
		half = (double)sb.len * CHART_FONT * 0.3;
		strbuf_addf(h->out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
			    "y2=\"%.1f\" stroke=\"#57606a\"/>", x, x, y,
			    y + 4);
		if (lx < bs->left + half)
			lx = bs->left + half;
		if (lx > bs->left + bs->width - half)
			lx = bs->left + bs->width - half;
		if (lx - half < last + 10)
			continue;
		last = lx + half;
		svg_text(h, lx, y + 18, "middle", sb.buf);
	}
	svg_text(h, bs->left + bs->width / 2, y + 40, "middle",
		 msg(h, "html_axis_time"));
	strbuf_release(&sb);
}

/* (c) boots per host, chains marked */
static void chart_boots(struct html *h, const json_t *m)
{
	const double lane_h = 64, top = 4;
	struct boots bs;
	bool kinds[KT_ARRAY_SIZE(boot_kinds)] = { false };
	size_t i, j;
	double height;

	boots_fill(&bs, m);
	if (!bs.nr_lane) {
		strbuf_addstr(h->out, "<p class=\"muted\">");
		esc(h, msg(h, "html_no_boots"));
		strbuf_addstr(h->out, "</p>\n");
		goto cleanup;
	}
	bs.left = 4;
	bs.width = CHART_W - 8;
	height = top + lane_h * (double)bs.nr_lane;
	if (bs.t0 != KT_NO_TIME)
		height += 48;
	chart_open(h, msg(h, "html_chart_boots"), msg(h, "html_boots_desc"),
		   height, "wide");
	for (i = 0; i < bs.nr_lane; i++) {
		const struct lane *l = &bs.lane[i];
		double y = top + lane_h * (double)i;
		struct strbuf sb = STRBUF_INIT;

		strbuf_addstr(&sb, l->host ? l->host :
			      msg(h, "html_host_unnamed"));
		if (!l->timed) {
			strbuf_addstr(&sb, msg(h, "dash"));
			strbuf_addstr(&sb, msg(h, "html_boots_in_order"));
		}
		strbuf_addf(h->out, "<text x=\"%.1f\" y=\"%.1f\" "
			    "font-weight=\"600\">", bs.left, y + 14);
		esc_label(h, sb.buf);
		strbuf_addstr(h->out, "</text>");
		strbuf_addf(h->out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
			    "y2=\"%.1f\" stroke=\"#d0d7de\"/>", bs.left,
			    bs.left + bs.width, y + 48, y + 48);
		for (j = 0; j < l->nr; j++) {
			const json_t *b = bs.boot[l->first + j];
			size_t kind = boot_kind(str(b, "kind"));
			double x, w;

			kinds[kind] = true;
			boot_box(&bs, l, j, &x, &w);
			strbuf_addf(h->out, "<rect x=\"%.2f\" y=\"%.1f\" "
				    "width=\"%.2f\" height=\"20\" rx=\"2\" "
				    "fill=\"%s\"><title>", x, y + 38, w,
				    boot_kinds[kind].fill);
			boot_title(h, b);
			strbuf_addstr(h->out, "</title></rect>");
		}
		strbuf_addch(h->out, '\n');
		strbuf_release(&sb);
	}
	chain_marks(h, &bs, m, lane_h, top);
	if (bs.t0 != KT_NO_TIME)
		boots_axis(h, &bs, top + lane_h * (double)bs.nr_lane);
	strbuf_addstr(h->out, "</svg>\n<ul class=\"legend\">");
	for (i = 0; i < KT_ARRAY_SIZE(boot_kinds); i++)
		if (kinds[i])
			legend_item(h, boot_kinds[i].fill,
				    msg(h, boot_kinds[i].msg));
	if (json_array_size(json_object_get(m, "chains"))) {
		strbuf_addstr(h->out, "<li><span class=\"sw mark\"></span>");
		esc(h, msg(h, "html_chain_mark"));
		strbuf_addstr(h->out, "</li>");
	}
	strbuf_addstr(h->out, "</ul></figure>\n");
cleanup:
	free(bs.boot);
	free(bs.used);
	free(bs.lane);
}

/* ------------------------------------------------------------ page */

static void page_open(const struct html *h, bool full)
{
	strbuf_addf(h->out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
		    "<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, "
		    "initial-scale=1\">\n"
		    "<meta http-equiv=\"Content-Security-Policy\" content=\""
		    "default-src 'none'; style-src 'unsafe-inline'; "
		    "base-uri 'none'; form-action 'none'\">\n"
		    "<meta name=\"generator\" content=\"ktriage %s\">\n"
		    "<title>",
		    h->lang == KT_LANG_ZH ? "zh-CN" : "en", KT_VERSION);
	esc(h, msg(h, "report_title"));
	strbuf_addf(h->out, "</title>\n<style>\n%s%s</style>\n</head>\n"
		    "<body>\n<div class=\"wrap\">\n", css_base,
		    full ? css_report : "");
}

static void page_close(const struct html *h)
{
	strbuf_addstr(h->out, "</div>\n</body>\n</html>\n");
}

static void header(const struct html *h, const json_t *m)
{
	const json_t *inputs = json_object_get(m, "inputs");
	const json_t *an = json_object_get(m, "analysis");
	json_t *facts = json_object();
	struct strbuf list = STRBUF_INIT;

	strbuf_addstr(h->out, "<header>\n<h1>");
	esc(h, msg(h, "report_title"));
	strbuf_addstr(h->out, "</h1>\n<p class=\"meta\">");
	json_object_set(facts, "generated_at", json_object_get(m,
							 "generated_at"));
	json_object_set_new(facts, "version", json_string(KT_VERSION));
	put_msgf(h, "generated", facts);
	strbuf_addstr(h->out, "</p>\n<p class=\"meta\">");
	json_object_set_new(facts, "inputs", json_string(list_text(
		&list, inputs, 5)));
	json_object_set(facts, "lines", json_object_get(
		json_object_get(m, "scope"), "lines"));
	if (json_array_size(inputs))
		put_msgf(h, "read_from", facts);
	else
		esc(h, msg(h, "read_nothing"));
	strbuf_addstr(h->out, "</p>\n<p class=\"meta\">");
	if (!strcmp(strd(an, "by", ""), "llm")) {
		put_msgf(h, "analysis_llm", an);
	} else if (str(an, "fallback")) {
		json_object_set(facts, "reason", json_object_get(an,
								 "fallback"));
		put_msgf(h, "analysis_fallback", facts);
	} else {
		esc(h, msg(h, "analysis_builtin"));
	}
	strbuf_addstr(h->out, "</p>\n</header>\n");
	json_decref(facts);
	strbuf_release(&list);
}

static void toc(const struct html *h)
{
	static const char *const parts[][2] = {
		{ "risk", "h_risk" },
		{ "findings", "h_findings" },
		{ "prevention", "h_prevention" },
		{ "summary", "h_summary" },
	};
	size_t i;

	strbuf_addstr(h->out, "<nav class=\"toc\" aria-label=\"");
	esc(h, msg(h, "html_contents"));
	strbuf_addstr(h->out, "\"><ol>");
	for (i = 0; i < KT_ARRAY_SIZE(parts); i++) {
		strbuf_addf(h->out, "<li><a href=\"#%s\">", parts[i][0]);
		esc(h, msg(h, parts[i][1]));
		strbuf_addstr(h->out, "</a></li>");
	}
	strbuf_addstr(h->out, "</ol></nav>\n");
}

static void section_open(const struct html *h, const char *id,
			 const char *title)
{
	strbuf_addf(h->out, "<section id=\"%s\" aria-labelledby=\"%s-h\">\n"
		    "<h2 id=\"%s-h\">", id, id, id);
	esc(h, msg(h, title));
	strbuf_addstr(h->out, "</h2>\n");
}

static void h3(const struct html *h, const char *text)
{
	strbuf_addstr(h->out, "<h3>");
	esc(h, text);
	strbuf_addstr(h->out, "</h3>\n");
}

/* ------------------------------------------------------------ part 1 */

static void verdict(const struct html *h, const json_t *m)
{
	const json_t *v = json_object_get(m, "verdict");
	const char *level = strd(v, "level", "healthy");

	strbuf_addstr(h->out, "<p class=\"verdict ");
	put_class(h, "lvl-", level);
	strbuf_addstr(h->out, "\"><strong>");
	esc(h, msg(h, "h_verdict"));
	esc(h, msg(h, "colon"));
	strbuf_addstr(h->out, "</strong><span class=\"badge ");
	put_class(h, "b-", level);
	strbuf_addstr(h->out, "\">");
	esc(h, *msg2(h, "level_", level) ? msg2(h, "level_", level) : level);
	strbuf_addstr(h->out, "</span>");
	esc(h, msg(h, "dash"));
	esc(h, str(v, "text"));
	if (str(v, "rule")) {
		strbuf_addstr(h->out, "<span class=\"muted\">");
		esc(h, msg(h, "paren_open"));
		put_msgf(h, "decided_by", v);
		esc(h, msg(h, "paren_close"));
		strbuf_addstr(h->out, "</span>");
	}
	strbuf_addstr(h->out, "</p>\n");
}

static void name_list(struct strbuf *sb, const json_t *list)
{
	size_t i;

	for (i = 0; i < json_array_size(list) && i < 5; i++) {
		const json_t *e = json_array_get(list, i);

		strbuf_addf(sb, "%s%s (%.0f)", i ? ", " : "",
			    strd(e, "name", "?"), num(e, "count"));
	}
}

static void li_text(const struct html *h, const char *text)
{
	strbuf_addstr(h->out, "<li>");
	esc(h, text);
	strbuf_addstr(h->out, "</li>\n");
}

static void scope(const struct html *h, const json_t *m)
{
	const json_t *s = json_object_get(m, "scope");
	json_t *g = json_deep_copy(json_object_get(m, "facts"));
	json_t *facts = json_object();
	struct strbuf sb = STRBUF_INIT;
	static const char *const lists[][2] = {
		{ "processes", "scope_processes" },
		{ "devices", "scope_devices" },
		{ "modules", "scope_modules" },
	};
	size_t i;

	h3(h, msg(h, "h_scope"));
	if (!g)
		g = json_object();
	/* "on 0 hosts": the log names none */
	if (!num(g, "n.hosts"))
		json_object_del(g, "n.hosts");
	if (!num(g, "n.boots"))
		json_object_del(g, "n.boots");
	strbuf_addstr(h->out, "<ul>\n");
	msgf(h, &sb, "scope_text", g);
	li_text(h, sb.buf);
	strbuf_reset(&sb);
	if (str(s, "first_time")) {
		json_object_set(facts, "first_time", json_object_get(s,
							       "first_time"));
		json_object_set(facts, "last_time", json_object_get(s,
							      "last_time"));
		json_object_set(facts, "span_hours", json_object_get(s,
							       "span_hours"));
		msgf(h, &sb, "scope_time", facts);
	} else {
		strbuf_addstr(&sb, msg(h, "scope_untimed"));
	}
	li_text(h, sb.buf);
	for (i = 0; i < KT_ARRAY_SIZE(lists); i++) {
		struct strbuf l = STRBUF_INIT;

		name_list(&l, json_object_get(s, lists[i][0]));
		if (l.len) {
			json_object_set_new(facts, "list", json_string(l.buf));
			strbuf_reset(&sb);
			msgf(h, &sb, lists[i][1], facts);
			li_text(h, sb.buf);
		}
		strbuf_release(&l);
	}
	strbuf_addstr(h->out, "</ul>\n");
	json_decref(facts);
	json_decref(g);
	strbuf_release(&sb);
}

static void risks(struct html *h, const json_t *m)
{
	const json_t *r = json_object_get(m, "risks");
	size_t i;

	if (!json_array_size(r))
		return;
	h3(h, msg(h, "h_main_risks"));
	strbuf_addstr(h->out, "<ol>\n");
	for (i = 0; i < json_array_size(r); i++) {
		const json_t *e = json_array_get(r, i);

		strbuf_addstr(h->out, "<li><strong>");
		esc(h, str(e, "label"));
		strbuf_addstr(h->out, "</strong>");
		esc(h, msg(h, "colon"));
		esc(h, str(e, "text"));
		strbuf_addstr(h->out, "</li>\n");
	}
	strbuf_addstr(h->out, "</ol>\n");
}

static void chains(struct html *h, const json_t *m)
{
	const json_t *c = json_object_get(m, "chains");
	size_t i;

	h3(h, msg(h, "h_chains"));
	if (!json_array_size(c)) {
		strbuf_addstr(h->out, "<p>");
		esc(h, msg(h, "no_chains"));
		strbuf_addstr(h->out, "</p>\n");
	} else {
		strbuf_addstr(h->out, "<ol>\n");
	}
	for (i = 0; i < json_array_size(c); i++) {
		const json_t *e = json_array_get(c, i);
		json_t *facts = json_deep_copy(e);
		struct strbuf hl = STRBUF_INIT;

		json_object_set_new(facts, "hosts", json_string(list_text(
			&hl, json_object_get(e, "hosts"), 5)));
		strbuf_addstr(h->out, "<li class=\"chain\">");
		esc(h, str(e, "text"));
		strbuf_addstr(h->out, "<br><span class=\"muted\">");
		put_msgf(h, "chain_seen", facts);
		strbuf_addstr(h->out, "</span></li>\n");
		json_decref(facts);
		strbuf_release(&hl);
	}
	if (json_array_size(c))
		strbuf_addstr(h->out, "</ol>\n");
	chart_boots(h, m);
}

/* ------------------------------------------------------------ part 2 */

static void sample(const struct html *h, const json_t *s)
{
	const json_t *src = json_object_get(s, "source");
	const json_t *fr = json_object_get(s, "frames");
	double line = num(src, "line"), end = num(src, "line_end");
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_addstr(h->out, "<div class=\"sample\"><p class=\"src\">");
	if (str(s, "host"))
		strbuf_addf(&sb, "%s ", str(s, "host"));
	if (str(s, "time"))
		strbuf_addf(&sb, "%s ", str(s, "time"));
	strbuf_addf(&sb, "%s:%.0f", strd(src, "file", "?"), line);
	if (end > line)
		strbuf_addf(&sb, "-%.0f", end);
	esc(h, sb.buf);
	if (json_array_size(fr)) {
		strbuf_reset(&sb);
		strbuf_addstr(&sb, " [");
		for (i = 0; i < json_array_size(fr); i++)
			strbuf_addf(&sb, "%s%s", i ? " < " : "",
				    elem(fr, i, "?"));
		strbuf_addch(&sb, ']');
		strbuf_addstr(h->out, "<code>");
		esc(h, sb.buf);
		strbuf_addstr(h->out, "</code>");
	}
	strbuf_addstr(h->out, "</p><pre class=\"log\"><code>");
	esc(h, str(s, "message"));
	strbuf_addstr(h->out, "</code></pre></div>\n");
	strbuf_release(&sb);
}

static void items(const struct html *h, const char *title, const json_t *a,
		  bool numbered)
{
	size_t i, j;

	strbuf_addstr(h->out, "<h4>");
	esc(h, title);
	strbuf_addf(h->out, "</h4>\n<%s>\n", numbered ? "ol" : "ul");
	for (i = 0; i < json_array_size(a); i++) {
		const json_t *e = json_array_get(a, i);
		const json_t *cmds = json_object_get(e, "commands");

		strbuf_addstr(h->out, "<li>");
		esc(h, str(e, "text"));
		for (j = 0; j < json_array_size(cmds); j++) {
			strbuf_addstr(h->out, "<pre class=\"cmd\"><code>");
			esc(h, json_string_value(json_array_get(cmds, j)));
			strbuf_addstr(h->out, "</code></pre>");
		}
		strbuf_addstr(h->out, "</li>\n");
	}
	strbuf_addf(h->out, "</%s>\n", numbered ? "ol" : "ul");
}

static bool has_commands(const json_t *actions)
{
	size_t i;

	for (i = 0; i < json_array_size(actions); i++)
		if (json_array_size(json_object_get(json_array_get(actions, i),
						    "commands")))
			return true;
	return false;
}

static void problem(const struct html *h, const json_t *p, size_t n)
{
	const json_t *samples = json_object_get(p, "samples");
	const json_t *actions = json_object_get(p, "actions");
	json_t *facts = json_deep_copy(p);
	struct strbuf hl = STRBUF_INIT;
	const char *sev = str(p, "severity");
	size_t i;

	strbuf_addstr(h->out, "<article class=\"problem ");
	put_class(h, "sev-", sev);
	strbuf_addf(h->out, "\" id=\"p%zu\">\n<h3>2.%zu <span class=\"badge ",
		    n, n);
	put_class(h, "b-", sev);
	strbuf_addstr(h->out, "\">");
	esc(h, *msg2(h, "sev_", sev) ? msg2(h, "sev_", sev) : sev);
	strbuf_addstr(h->out, "</span> ");
	esc(h, str(p, "title"));
	strbuf_addstr(h->out, "</h3>\n<p class=\"muted\">");
	list_text(&hl, json_object_get(p, "hosts"), 5);
	if (hl.len)
		json_object_set_new(facts, "host_list", json_string(hl.buf));
	if (str(p, "last_time") && str(p, "first_time") &&
	    strcmp(str(p, "last_time"), str(p, "first_time")))
		json_object_set(facts, "until", json_object_get(p,
								"last_time"));
	put_msgf(h, "p_seen", facts);
	strbuf_addstr(h->out, "</p>\n<p><strong>");
	esc(h, msg(h, "p_what"));
	esc(h, msg(h, "colon"));
	strbuf_addstr(h->out, "</strong>");
	esc(h, str(p, "meaning"));
	strbuf_addstr(h->out, "</p>\n");
	if (json_array_size(json_object_get(p, "evidence")))
		items(h, msg(h, "p_evidence"), json_object_get(p, "evidence"),
		      false);
	if (json_array_size(samples)) {
		strbuf_addstr(h->out, "<h4>");
		esc(h, msg(h, "p_samples"));
		strbuf_addstr(h->out, "</h4>\n");
		for (i = 0; i < json_array_size(samples); i++)
			sample(h, json_array_get(samples, i));
	}
	if (json_array_size(json_object_get(p, "causes"))) {
		items(h, msg(h, "p_causes"), json_object_get(p, "causes"),
		      false);
	} else {
		strbuf_addstr(h->out, "<h4>");
		esc(h, msg(h, "p_causes"));
		strbuf_addstr(h->out, "</h4>\n<p>");
		esc(h, msg(h, "p_no_causes"));
		strbuf_addstr(h->out, "</p>\n");
	}
	if (json_array_size(actions))
		items(h, msg(h, "p_actions"), actions, true);
	strbuf_addstr(h->out, "</article>\n");
	json_decref(facts);
	strbuf_release(&hl);
}

static void findings(const struct html *h, const json_t *m)
{
	const json_t *ps = json_object_get(m, "problems");
	json_int_t more = json_integer_value(json_object_get(m,
							     "more_problems"));
	size_t i;

	section_open(h, "findings", "h_findings");
	for (i = 0; i < json_array_size(ps); i++)
		if (has_commands(json_object_get(json_array_get(ps, i),
						 "actions")))
			break;
	if (i < json_array_size(ps)) {
		strbuf_addstr(h->out, "<p class=\"muted hint\"><small>");
		esc(h, msg(h, "html_select_hint"));
		strbuf_addstr(h->out, "</small></p>\n");
	}
	for (i = 0; i < json_array_size(ps); i++)
		problem(h, json_array_get(ps, i), i + 1);
	if (more > 0) {
		json_t *facts = json_pack("{s:I}", "n", more);

		strbuf_addstr(h->out, "<p>");
		put_msgf(h, "more_problems", facts);
		strbuf_addstr(h->out, "</p>\n");
		json_decref(facts);
	}
	strbuf_addstr(h->out, "</section>\n");
}

/* ------------------------------------------------------------ part 3 */

/* One line of a YAML block: a fixed key, an untrusted value. */
static void yaml_line(const struct html *h, const char *key,
		      const char *value, const char *end)
{
	strbuf_addstr(h->out, key);
	esc(h, value ? value : "");
	strbuf_addstr(h->out, end);
}

static void alerts(const struct html *h, const json_t *al)
{
	size_t i;

	h3(h, msg(h, "h_alerts"));
	if (!json_array_size(al)) {
		strbuf_addstr(h->out, "<p>");
		esc(h, msg(h, "no_alerts"));
		strbuf_addstr(h->out, "</p>\n");
		return;
	}
	strbuf_addstr(h->out, "<pre class=\"yaml\"><code>");
	for (i = 0; i < json_array_size(al); i++) {
		const json_t *a = json_array_get(al, i);

		yaml_line(h, "- alert: ", str(a, "name"), "\n");
		yaml_line(h, "  expr: ", str(a, "expr"), "\n");
		yaml_line(h, "  for: ", str(a, "for"), "\n");
		yaml_line(h, "  labels: { severity: ", str(a, "severity"),
			  " }\n");
		yaml_line(h, "  annotations: { summary: \"", str(a, "text"),
			  "\" }\n");
	}
	strbuf_addstr(h->out, "</code></pre>\n");
}

static void prevention(const struct html *h, const json_t *m)
{
	const json_t *pv = json_object_get(m, "prevention");
	const json_t *rd = json_object_get(pv, "readiness");
	const json_t *cfg = json_object_get(m, "config");
	size_t i;

	section_open(h, "prevention", "h_prevention");
	alerts(h, json_object_get(pv, "alerts"));
	h3(h, msg(h, "h_readiness"));
	strbuf_addstr(h->out, "<ul>\n");
	for (i = 0; i < json_array_size(rd); i++) {
		const json_t *r = json_array_get(rd, i);
		const char *state = str(r, "state");

		strbuf_addstr(h->out, "<li><span class=\"badge ");
		put_class(h, "b-", state);
		strbuf_addstr(h->out, "\">");
		esc(h, *msg2(h, "readiness_", state) ?
		    msg2(h, "readiness_", state) : state);
		strbuf_addstr(h->out, "</span> ");
		esc(h, str(r, "text"));
		strbuf_addstr(h->out, "</li>\n");
	}
	strbuf_addstr(h->out, "</ul>\n");
	if (json_is_object(cfg) && json_object_size(cfg)) {
		const char *k;
		json_t *v;

		h3(h, msg(h, "h_config"));
		strbuf_addstr(h->out, "<div class=\"tbl\"><table>\n<thead><tr>"
			      "<th scope=\"col\">");
		esc(h, msg(h, "html_setting"));
		strbuf_addstr(h->out, "</th><th scope=\"col\">");
		esc(h, msg(h, "html_value"));
		strbuf_addstr(h->out, "</th></tr></thead>\n<tbody>\n");
		json_object_foreach((json_t *)cfg, k, v) {
			struct strbuf sb = STRBUF_INIT;

			if (!kt_kb_fact_text(v, &sb))
				strbuf_addstr(&sb, "\"\"");
			strbuf_addstr(h->out, "<tr><td><code>");
			esc(h, k);
			strbuf_addstr(h->out, "</code></td><td><code>");
			esc(h, sb.buf);
			strbuf_addstr(h->out, "</code></td></tr>\n");
			strbuf_release(&sb);
		}
		strbuf_addstr(h->out, "</tbody></table></div>\n");
	}
	strbuf_addstr(h->out, "</section>\n");
}

/* ------------------------------------------------------------ part 4 */

/* The number of the problem with this fingerprint, or 0. */
static size_t problem_number(const json_t *m, const char *fp)
{
	const json_t *ps = json_object_get(m, "problems");
	size_t i;

	for (i = 0; fp && i < json_array_size(ps); i++)
		if (!strcmp(strd(json_array_get(ps, i), "fingerprint", ""),
			    fp))
			return i + 1;
	return 0;
}

static void summary(const struct html *h, const json_t *m)
{
	const json_t *s = json_object_get(m, "summary");
	const json_t *top = json_object_get(s, "top_actions");
	size_t i;

	section_open(h, "summary", "h_summary");
	strbuf_addstr(h->out, "<p>");
	esc(h, str(s, "text"));
	strbuf_addstr(h->out, "</p>\n");
	if (json_array_size(top)) {
		h3(h, msg(h, "h_top_actions"));
		strbuf_addstr(h->out, "<ol>\n");
	}
	for (i = 0; i < json_array_size(top); i++) {
		const json_t *a = json_array_get(top, i);
		size_t n = problem_number(m, str(a, "fingerprint"));

		strbuf_addstr(h->out, "<li>");
		esc(h, str(a, "text"));
		if (str(a, "title")) {
			esc(h, msg(h, "paren_open"));
			if (n)
				strbuf_addf(h->out, "<a href=\"#p%zu\">", n);
			esc(h, str(a, "title"));
			if (n)
				strbuf_addstr(h->out, "</a>");
			esc(h, msg(h, "paren_close"));
		}
		strbuf_addstr(h->out, "</li>\n");
	}
	if (json_array_size(top))
		strbuf_addstr(h->out, "</ol>\n");
	strbuf_addstr(h->out, "</section>\n");
}

/* ------------------------------------------------------------ whole */

/* Nothing to report: the verdict and what was read, as the text does. */
static bool healthy_short(const struct html *h, const json_t *m)
{
	const json_t *ps = json_object_get(m, "problems");
	const json_t *inputs = json_object_get(m, "inputs");
	struct strbuf list = STRBUF_INIT;
	json_t *facts;
	size_t i;

	for (i = 0; i < json_array_size(ps); i++) {
		const json_t *p = json_array_get(ps, i);
		const char *type = strd(p, "type", "");
		const char *sub = strd(p, "subtype", "");

		/* boots that followed a clean shutdown are not anomalies */
		if (strcmp(type, "reboot") ||
		    (strcmp(sub, "first") && strcmp(sub, "clean")))
			return false;
	}
	facts = json_pack("{s:s,s:O?}", "inputs", list_text(&list, inputs, 5),
			  "lines", json_object_get(json_object_get(m, "scope"),
						   "lines"));
	page_open(h, false);
	strbuf_addstr(h->out, "<main>\n<h1>");
	esc(h, msg(h, "report_title"));
	strbuf_addstr(h->out, "</h1>\n<p class=\"verdict lvl-healthy\">");
	esc(h, msg(h, "healthy_line"));
	strbuf_addstr(h->out, "</p>\n<p class=\"meta\">");
	if (json_array_size(inputs))
		put_msgf(h, "read_from", facts);
	else
		esc(h, msg(h, "read_nothing"));
	strbuf_addstr(h->out, "</p>\n</main>\n");
	page_close(h);
	json_decref(facts);
	strbuf_release(&list);
	return true;
}

void kt_report_html(struct strbuf *out, const json_t *model,
		    const struct kt_kb *kb)
{
	struct html h = { out, kb, KT_LANG_EN, 0 };
	int lang = kt_lang_from_name(strd(model, "lang", "en"));

	h.lang = lang < 0 ? KT_LANG_EN : (enum kt_lang)lang;
	if (healthy_short(&h, model))
		return;
	page_open(&h, true);
	header(&h, model);
	toc(&h);
	strbuf_addstr(out, "<main>\n");
	section_open(&h, "risk", "h_risk");
	verdict(&h, model);
	scope(&h, model);
	strbuf_addstr(out, "<div class=\"charts\">\n");
	chart_timeline(&h, model);
	chart_severity(&h, model);
	strbuf_addstr(out, "</div>\n");
	risks(&h, model);
	chains(&h, model);
	strbuf_addstr(out, "</section>\n");
	findings(&h, model);
	prevention(&h, model);
	summary(&h, model);
	strbuf_addstr(out, "</main>\n");
	page_close(&h);
}
