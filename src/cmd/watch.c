/*
 * watch.c - `ktriage watch`: the daemon.  Follows live sources, stores
 * each new event with the place it was read up to, and alerts.
 *
 * One thread runs the loop below; the alert delivery and the metrics
 * server have threads of their own (server/alert.h, server/metrics.h).
 * Each turn of the loop is one store transaction: the events the
 * streams delivered, the alerts they call for and every source's cursor
 * are committed together, so a kill -9 at any moment loses nothing and
 * stores nothing twice.  A failed transaction is rolled back and the
 * sources are opened again from their committed cursors, exactly as
 * after a restart.
 *
 *	start:   harvest crash dumps and pstore records once each, open
 *	         the sources from their cursors, tell systemd READY=1
 *	loop:    poll the sources and a signalfd; read, push into the
 *	         streams, tick them (idle reports close), commit
 *	SIGHUP:  read the configuration and rules again; on success
 *	         reopen everything from the committed cursors
 *	SIGTERM: commit and exit 0
 */
#include "base/compat.h"
#include "base/ini.h"
#include "base/parse.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "input/input.h"
#include "input/live.h"
#include "output/kb.h"
#include "pipeline/pipeline.h"
#include "server/alert.h"
#include "server/metrics.h"
#include "store/store.h"
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#define DEFAULT_DB "/var/lib/ktriage/events.db"
#define READ_CAP (256u << 10)		/* bytes per read */
#define TURN_CAP (8u << 20)		/* bytes per source per turn */
#define IDLE_POLL_MS 1000		/* nothing open: wake up this often */
#define NOFD_POLL_MS 250		/* a source without a descriptor */
#define RETRY_US (5 * INT64_C(1000000))	/* a failed source or store */
#define RETAIN_EVERY_US (3600 * INT64_C(1000000))
#define SPOOL_EVERY_US (5 * INT64_C(1000000))

struct watch_opts {
	struct kt_strlist sources;
	const char *db;
	bool to_stdout;
	uint64_t retain_days, max_db_mb;
	struct kt_strlist sink[KT_ALERT_KIND_NR];
	bool syslog;
	const char *alert_severity;
	const char *cooldown;
	uint64_t storm_cap;
	const char *resolve;
	const char *timeout;
	const char *lang;
	const char *metrics;
	struct kt_strlist rules;
	bool no_default_rules;
	const char *idle;
	const char *sysroot;
	bool no_harvest;
	bool test_alert;
	bool check_config;
	const char *config;
};

static const char *const langs[] = { "zh", "en", NULL };
static const char *const severities[] = { "minor", "major", "critical",
					  NULL };

static const struct kt_option watch_options[] = {
	KT_OPT_LIST(0, "source", struct watch_opts, sources, "SRC",
		    "kmsg, journal or a file to follow; "
		    "default kmsg when readable, else journal"),
	KT_OPT_STRING(0, "db", struct watch_opts, db, "PATH",
		      "the event store (default " DEFAULT_DB ")"),
	KT_OPT_BOOL(0, "stdout", struct watch_opts, to_stdout,
		    "also print each new event as an NDJSON line"),
	KT_OPT_U64(0, "retain-days", struct watch_opts, retain_days, "N",
		   "delete events older than N days (default 90; 0: keep)",
		   0, 36500),
	KT_OPT_U64(0, "max-db-mb", struct watch_opts, max_db_mb, "N",
		   "delete the oldest events beyond N MB (default 512; 0: no limit)",
		   0, 1u << 20),
	KT_OPT_LIST(0, "webhook", struct watch_opts, sink[KT_ALERT_WEBHOOK],
		    "URL", "POST each alert's event as JSON to URL"),
	KT_OPT_LIST(0, "alertmanager", struct watch_opts,
		    sink[KT_ALERT_ALERTMANAGER], "URL",
		    "Prometheus Alertmanager's alerts endpoint (.../api/v2/alerts)"),
	KT_OPT_LIST(0, "dingtalk", struct watch_opts, sink[KT_ALERT_DINGTALK],
		    "URL", "DingTalk robot webhook"),
	KT_OPT_LIST(0, "feishu", struct watch_opts, sink[KT_ALERT_FEISHU],
		    "URL", "Feishu/Lark bot webhook"),
	KT_OPT_LIST(0, "wecom", struct watch_opts, sink[KT_ALERT_WECOM],
		    "URL", "WeCom group robot webhook"),
	KT_OPT_LIST(0, "slack", struct watch_opts, sink[KT_ALERT_SLACK],
		    "URL", "Slack incoming webhook"),
	KT_OPT_LIST(0, "exec", struct watch_opts, sink[KT_ALERT_EXEC], "CMD",
		    "run CMD (sh -c) with the alert's JSON on standard input"),
	KT_OPT_BOOL(0, "syslog", struct watch_opts, syslog,
		    "log alerts to syslog (and so to the journal)"),
	KT_OPT_CHOICE(0, "alert-min-severity", struct watch_opts,
		      alert_severity, "SEV",
		      "alert from SEV on, unless a sink names its own "
		      "(SEV:URL); default minor", severities),
	KT_OPT_STRING(0, "alert-cooldown", struct watch_opts, cooldown, "TIME",
		      "one alert per problem per TIME (default 10m)"),
	KT_OPT_U64(0, "alert-storm", struct watch_opts, storm_cap, "N",
		   "at most N alerts a minute per sink, then one summary "
		   "(default 30; 0: no cap)", 0, 1000000),
	KT_OPT_STRING(0, "alert-resolve", struct watch_opts, resolve, "TIME",
		      "Alertmanager: an alert resolves after TIME (default 5m)"),
	KT_OPT_STRING(0, "alert-timeout", struct watch_opts, timeout, "TIME",
		      "give up a delivery attempt after TIME (default 10s)"),
	KT_OPT_CHOICE(0, "alert-lang", struct watch_opts, lang, "LANG",
		      "language of chat alerts; default zh when the locale "
		      "is Chinese, else en", langs),
	KT_OPT_STRING(0, "metrics", struct watch_opts, metrics, "ADDR",
		      "serve Prometheus metrics on ADDR (PORT, HOST:PORT)"),
	KT_OPT_LIST(0, "rules", struct watch_opts, rules, "PATH",
		    "add or override rules from a YAML file or directory"),
	KT_OPT_BOOL(0, "no-default-rules", struct watch_opts, no_default_rules,
		    "use only the rules given with --rules"),
	KT_OPT_STRING(0, "idle", struct watch_opts, idle, "TIME",
		      "close a report no line joined for TIME (default 50ms)"),
	KT_OPT_STRING(0, "sysroot", struct watch_opts, sysroot, "DIR",
		      "harvest crash dumps and pstore under DIR instead of /"),
	KT_OPT_BOOL(0, "no-harvest", struct watch_opts, no_harvest,
		    "do not analyse crash dumps and pstore records at start"),
	KT_OPT_BOOL(0, "test-alert", struct watch_opts, test_alert,
		    "send a test alert to every sink, then exit"),
	KT_OPT_STRING(0, "config", struct watch_opts, config, "FILE",
		      "read options from FILE first (read again on SIGHUP)"),
	KT_OPT_BOOL(0, "check-config", struct watch_opts, check_config,
		    "check the options, configuration and rules, then exit"),
	KT_OPT_END(),
};

static const char watch_usage[] = "ktriage watch [options] [FILE...]";
static const char watch_summary[] =
	"Follows /dev/kmsg, the journal or log files as they are written,\n"
	"stores every new event in an SQLite database (see `ktriage query`)\n"
	"and alerts once per problem.  Crash dumps and pstore records the\n"
	"last crash left are analysed once at start-up.  Runs until SIGTERM;\n"
	"SIGHUP reads the configuration and rules again.  See docs/WATCH.md.";

/* One live source and the stream its bytes go into. */
struct wsrc {
	enum kt_live_kind kind;
	char *path;		/* owned; NULL for kmsg and journal */
	char *key;		/* owned; its name in the store */
	struct kt_live *live;
	struct kt_stream *stream;
	struct kt_stream_pos saved;	/* where its cursor stands */
	uint64_t lines_told;	/* lines counted in the metrics */
	uint64_t lost_told;	/* lost records reported */
	bool fresh;		/* opened without a cursor: save one now */
	int64_t boot_wall_us;	/* kmsg: the wall-clock time of boot */
	struct watch *w;
	bool up;
	int64_t retry_us;	/* failed: open or read again then */
};

struct watch {
	struct kt_ctx *ctx;
	struct watch_opts o;
	struct kt_strlist args;
	struct kt_strlist cfg;	/* strings owned: the configuration's */
	int argc;
	const char **argv;
	int64_t idle_us, cooldown_us, resolve_us, timeout_us;
	struct kt_alert_sink *sink;
	size_t sink_nr;
	char host[256];

	struct kt_pipeline *pl;
	struct kt_store *st;
	struct kt_alerter *al;
	struct kt_metrics *m;
	struct kt_metrics_server *srv;
	struct wsrc *src;
	size_t src_nr, src_alloc;

	struct strbuf json, cur;
	int store_err;		/* a failure in this turn's transaction */
	unsigned queued;	/* alerts queued in this turn */
	uint64_t added;		/* events stored, in total */
	int64_t last_tick_us, last_retain_us, last_spool_us, last_dog_us;
	uint64_t dog_us;	/* systemd watchdog interval, 0: none */
	bool reopen;		/* open the sources again from the store */
};

/* ------------------------------------------------------------ options */

/* A list whose strings are owned. */
static void owned_release(struct kt_strlist *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free((char *)l->v[i]);
	kt_strlist_release(l);
}

static void opts_release(struct watch_opts *o)
{
	size_t i;

	kt_strlist_release(&o->sources);
	kt_strlist_release(&o->rules);
	for (i = 0; i < KT_ARRAY_SIZE(o->sink); i++)
		kt_strlist_release(&o->sink[i]);
	memset(o, 0, sizeof(*o));
}

static const struct kt_option *find_option(const char *name)
{
	const struct kt_option *opt;

	for (opt = watch_options; opt->type != KT_OPT_TYPE_END; opt++)
		if (!strcmp(opt->long_name, name))
			return opt;
	return NULL;
}

struct config {
	struct kt_strlist *out;
	struct strbuf arg;
};

static int config_key(void *data, struct kt_ctx *ctx, const char *section,
		      const char *key, const char *value, int line)
{
	struct config *c = data;
	const struct kt_option *opt = find_option(key);

	if (*section && strcmp(section, "watch"))
		return 0;	/* another command's section */
	if (!opt || !strcmp(key, "config"))
		return kt_failf(ctx, KT_ERR_PARSE, "line %d: unknown option '%s'",
				line, key);
	strbuf_reset(&c->arg);
	if (opt->type == KT_OPT_TYPE_BOOL) {
		if (!strcmp(value, "false") || !strcmp(value, "no") ||
		    !strcmp(value, "0"))
			return 0;
		if (strcmp(value, "true") && strcmp(value, "yes") &&
		    strcmp(value, "1"))
			return kt_failf(ctx, KT_ERR_PARSE,
					"line %d: '%s' is not true or false",
					line, key);
		strbuf_addf(&c->arg, "--%s", key);
	} else {
		strbuf_addf(&c->arg, "--%s=%s", key, value);
	}
	kt_strlist_add(c->out, xstrdup(c->arg.buf));
	return 0;
}

/*
 * The configuration file: INI (base/ini.h), the keys of a [watch]
 * section (or before any section) are the long options without "--",
 * switches take true or false.  Appends the equivalent arguments to
 * out, which owns them.
 */
static int read_config(struct kt_ctx *ctx, const char *path,
		       struct kt_strlist *out)
{
	struct config c = { out, STRBUF_INIT };
	int rc = kt_ini_load(ctx, path, config_key, &c);

	strbuf_release(&c.arg);
	if (rc == KT_ERR_NOTFOUND)
		return kt_failf(ctx, rc, "cannot read '%s': %s", path,
				strerror(ENOENT));
	return rc;
}

static int parse_duration(const char *what, const char *s, int64_t def,
			  int64_t *out)
{
	if (!s) {
		*out = def;
		return 0;
	}
	if (kt_cstr_to_duration_us(s, out) || *out < 0)
		return error("--%s: '%s' is not a duration (e.g. 500ms, 10m, 1h)",
			     what, s);
	return 0;
}

/*
 * Parses the configuration file (if any) and then the command line into
 * w->o, and checks and derives the rest.  Returns 1 for --help, -1 for
 * an error (printed), 0 otherwise.
 */
static int parse_all(struct watch *w)
{
	struct kt_strlist all = { 0 };
	struct watch_opts first = { 0 };
	struct kt_strlist ignored = { 0 };
	size_t i, k, sink_alloc = 0;
	enum kt_severity dflt;
	int rc;

	opts_release(&w->o);
	kt_strlist_release(&w->args);
	owned_release(&w->cfg);
	free(w->sink);
	w->sink = NULL;
	w->sink_nr = 0;

	/* the command line alone says where the configuration is */
	rc = kt_cmd_parse_options(watch_options, &first, w->argc, w->argv,
				  &ignored, watch_usage, watch_summary);
	if (!rc && first.config && read_config(w->ctx, first.config, &w->cfg))
		rc = error("%s", kt_ctx_error(w->ctx));
	opts_release(&first);
	kt_strlist_release(&ignored);
	if (rc)
		return rc;
	/* the options borrow these strings: w->cfg keeps them */
	for (i = 0; i < w->cfg.nr; i++)
		kt_strlist_add(&all, w->cfg.v[i]);
	for (i = 0; i < (size_t)w->argc; i++)
		kt_strlist_add(&all, w->argv[i]);
	w->o.retain_days = 90;
	w->o.max_db_mb = 512;
	w->o.storm_cap = 30;
	rc = kt_cmd_parse_options(watch_options, &w->o, (int)all.nr,
				  (const char **)all.v, &w->args, watch_usage,
				  watch_summary);
	kt_strlist_release(&all);
	if (rc)
		return rc;
	if (!w->o.db)
		w->o.db = DEFAULT_DB;
	if (!w->o.lang)
		w->o.lang = kt_cmd_locale_lang();
	if (parse_duration("idle", w->o.idle, 50000, &w->idle_us) ||
	    parse_duration("alert-cooldown", w->o.cooldown,
			   600 * INT64_C(1000000), &w->cooldown_us) ||
	    parse_duration("alert-resolve", w->o.resolve,
			   300 * INT64_C(1000000), &w->resolve_us) ||
	    parse_duration("alert-timeout", w->o.timeout,
			   10 * INT64_C(1000000), &w->timeout_us))
		return -1;
	if (w->timeout_us < 1000)
		return error("--alert-timeout: '%s' is under a millisecond",
			     w->o.timeout);
	if (w->idle_us < 1000)
		return error("--idle: '%s' is under a millisecond", w->o.idle);
	if (!w->o.alert_severity)
		w->o.alert_severity = "minor";
	dflt = (enum kt_severity)kt_alert_severity_from_name(
		w->o.alert_severity);
	for (k = 0; k < KT_ALERT_KIND_NR; k++)
		for (i = 0; i < w->o.sink[k].nr; i++) {
			ALLOC_GROW(w->sink, w->sink_nr + 1, sink_alloc);
			w->sink_nr++;
			if (kt_alert_sink_parse(w->ctx, (enum kt_alert_kind)k,
						w->o.sink[k].v[i], dflt,
						&w->sink[w->sink_nr - 1]))
				return error("%s", kt_ctx_error(w->ctx));
		}
	if (w->o.syslog) {
		ALLOC_GROW(w->sink, w->sink_nr + 1, sink_alloc);
		w->sink_nr++;
		if (kt_alert_sink_parse(w->ctx, KT_ALERT_SYSLOG, NULL, dflt,
					&w->sink[w->sink_nr - 1]))
			return error("%s", kt_ctx_error(w->ctx));
	}
	return 0;
}

/* ------------------------------------------------------------ sources */

static void src_release(struct wsrc *s)
{
	free(s->path);
	free(s->key);
}

static void add_source(struct watch *w, enum kt_live_kind kind,
		       const char *path)
{
	struct strbuf key = STRBUF_INIT;
	struct wsrc *s;

	if (kind == KT_LIVE_FILE) {
		char cwd[4096];

		strbuf_addstr(&key, "file:");
		if (path[0] != '/' && getcwd(cwd, sizeof(cwd)))
			strbuf_addf(&key, "%s/", cwd);
		strbuf_addstr(&key, path);
	} else {
		strbuf_addstr(&key, kind == KT_LIVE_KMSG ? "kmsg" : "journal");
	}
	for (size_t i = 0; i < w->src_nr; i++)
		if (!strcmp(w->src[i].key, key.buf)) {
			strbuf_release(&key);
			return;	/* named twice */
		}
	ALLOC_GROW(w->src, w->src_nr + 1, w->src_alloc);
	s = &w->src[w->src_nr++];
	memset(s, 0, sizeof(*s));
	s->w = w;
	s->kind = kind;
	s->path = path ? xstrdup(path) : NULL;
	s->key = strbuf_detach(&key, NULL);
}

/* The sources named, or the default one. */
static int pick_sources(struct watch *w)
{
	size_t i;

	for (i = 0; i < w->src_nr; i++)
		src_release(&w->src[i]);
	w->src_nr = 0;
	for (i = 0; i < w->o.sources.nr; i++) {
		const char *v = w->o.sources.v[i];

		if (!strcmp(v, "kmsg"))
			add_source(w, KT_LIVE_KMSG, NULL);
		else if (!strcmp(v, "journal"))
			add_source(w, KT_LIVE_JOURNAL, NULL);
		else
			add_source(w, KT_LIVE_FILE, v);
	}
	for (i = 0; i < w->args.nr; i++)
		add_source(w, KT_LIVE_FILE, w->args.v[i]);
	if (w->src_nr)
		return 0;
	if (!access("/dev/kmsg", R_OK)) {
		add_source(w, KT_LIVE_KMSG, NULL);
		return 0;
	}
	if (errno != ENOENT)
		kt_log(w->ctx, KT_LOG_INFO,
		       "cannot read '/dev/kmsg' (%s): following the journal",
		       strerror(errno));
	add_source(w, KT_LIVE_JOURNAL, NULL);
	return 0;
}

static void on_event(void *data, struct kt_event *ev);
static void on_stream_event(void *data, struct kt_event *ev);

/* Opens s at its committed cursor; a failure is retried later. */
static void src_open(struct watch *w, struct wsrc *s, int64_t now)
{
	struct strbuf cur = STRBUF_INIT;
	struct kt_stream_pos from;
	int have;

	have = kt_store_get_cursor(w->ctx, w->st, s->key, &cur);
	if (have < 0)
		goto fail;
	if (kt_live_open(w->ctx, s->kind, s->path, have ? cur.buf : NULL,
			 &s->live))
		goto fail;
	from.offset = kt_live_resume_offset(s->live);
	from.lines = kt_live_resume_lines(s->live);
	s->stream = kt_stream_new(w->pl, kt_live_name(s->live), w->idle_us,
				  from, on_stream_event, s);
	s->saved = from;
	s->fresh = !have;
	s->lines_told = from.lines;
	s->lost_told = 0;
	/* kmsg stamps are time since boot: when was that? */
	s->boot_wall_us = kt_wall_us() - kt_mono_us();
	s->up = true;
	kt_metrics_source_up(w->m, s->key, true);
	strbuf_release(&cur);
	return;
fail:
	if (s->up || !s->retry_us)
		warning("%s", kt_ctx_error(w->ctx));
	s->up = false;
	s->retry_us = now + RETRY_US;
	kt_metrics_source_up(w->m, s->key, false);
	strbuf_release(&cur);
}

static void src_close(struct watch *w, struct wsrc *s)
{
	/* open reports are read again from the cursor: not flushed */
	if (s->stream)
		kt_stream_free(w->ctx, s->stream, false);
	kt_live_close(s->live);
	s->stream = NULL;
	s->live = NULL;
}

static void sources_open(struct watch *w)
{
	int64_t now = kt_mono_us();

	for (size_t i = 0; i < w->src_nr; i++)
		src_open(w, &w->src[i], now);
}

static void sources_close(struct watch *w)
{
	for (size_t i = 0; i < w->src_nr; i++)
		src_close(w, &w->src[i]);
}

/* Reads what s has now into its stream; false when it failed. */
static bool src_pump(struct watch *w, struct wsrc *s, int64_t now,
		     struct strbuf *buf)
{
	size_t turn = 0;
	int rc;

	while (turn < TURN_CAP) {
		strbuf_reset(buf);
		rc = kt_live_read(w->ctx, s->live, buf, READ_CAP);
		if (rc < 0) {
			if (s->up)
				warning("%s", kt_ctx_error(w->ctx));
			s->up = false;
			s->retry_us = now + RETRY_US;
			kt_metrics_source_up(w->m, s->key, false);
			return false;
		}
		if (!buf->len)
			break;
		if (!s->up) {
			s->up = true;
			kt_metrics_source_up(w->m, s->key, true);
		}
		kt_stream_push(w->ctx, s->stream, buf->buf, buf->len, now);
		turn += buf->len;
	}
	if (!s->up && rc == 0) {
		s->up = true;
		kt_metrics_source_up(w->m, s->key, true);
	}
	return true;
}

/* ------------------------------------------------------------ events */

static void on_event(void *data, struct kt_event *ev)
{
	struct watch *w = data;
	const char *json;
	size_t len;
	bool added = false;
	unsigned q = 0;

	if (w->store_err)
		goto out;	/* the turn is rolled back anyway */
	w->store_err = kt_store_add_event(w->ctx, w->st, ev, &added);
	if (w->store_err || !added)
		goto out;
	/* the object stored, kept: the alerter uses the store too */
	json = kt_store_event_json(w->st, &len);
	strbuf_reset(&w->json);
	strbuf_add(&w->json, json, len);
	w->added++;
	kt_metrics_event(w->m, ev->type, ev->severity, ev->wall_us);
	if (w->al) {
		w->store_err = kt_alerter_event(w->ctx, w->al, ev, w->json.buf,
						kt_wall_us(), &q);
		w->queued += q;
	}
	if (w->o.to_stdout && !w->store_err) {
		strbuf_addch(&w->json, '\n');
		fwrite(w->json.buf, 1, w->json.len, stdout);
		fflush(stdout);
	}
out:
	kt_event_free(ev);
}

/*
 * An event of a live source.  kmsg records of this boot carry only the
 * time since boot; they get the wall-clock time that corresponds (off
 * by the time the machine was suspended, if it was).
 */
static void on_stream_event(void *data, struct kt_event *ev)
{
	struct wsrc *s = data;

	if (s->kind == KT_LIVE_KMSG && ev->wall_us == KT_NO_TIME &&
	    ev->mono_us >= 0)
		ev->wall_us = s->boot_wall_us + ev->mono_us;
	on_event(s->w, ev);
}

/* ------------------------------------------------------------ harvest */

/* Analyses each crash dump and pstore record not analysed before. */
static int harvest(struct watch *w)
{
	struct kt_input_list list;
	struct strbuf key = STRBUF_INIT;
	int rc = 0;

	kt_input_list_init(&list);
	kt_input_crash_records(w->ctx, w->o.sysroot, &list);
	for (size_t i = 0; i < list.nr && !rc; i++) {
		const struct kt_input_item *it = &list.item[i];
		struct stat sb;
		bool fresh = false;

		if (stat(it->path, &sb) < 0)
			continue;
		strbuf_reset(&key);
		strbuf_addf(&key, "%s %lld %lld", it->path,
			    (long long)sb.st_size, (long long)sb.st_mtime);
		if ((rc = kt_store_begin(w->ctx, w->st)) ||
		    (rc = kt_store_harvest(w->ctx, w->st, key.buf, &fresh)))
			break;
		if (fresh) {
			kt_pipeline_reset(w->pl);
			if (kt_pipeline_scan(w->ctx, w->pl, it))
				warning("%s", kt_ctx_error(w->ctx));
			kt_pipeline_finish(w->pl);
			kt_log(w->ctx, KT_LOG_INFO, "harvested '%s'",
			       it->display);
		}
		rc = w->store_err;
		if (!rc)
			rc = kt_store_commit(w->ctx, w->st);
		if (!rc && w->queued && w->al)
			kt_alerter_kick(w->al);
		w->queued = 0;
	}
	if (rc)
		kt_store_rollback(w->st);
	w->store_err = 0;
	kt_input_list_release(&list);
	strbuf_release(&key);
	return rc;
}

/* ------------------------------------------------------------ a turn */

/* Saves where each source stands, in the open transaction. */
static int save_cursors(struct watch *w)
{
	for (size_t i = 0; i < w->src_nr; i++) {
		struct wsrc *s = &w->src[i];
		struct kt_stream_pos pos;
		int rc;

		if (!s->stream)
			continue;
		pos = kt_stream_pending(s->stream);
		if (pos.offset == s->saved.offset &&
		    pos.lines == s->saved.lines && !s->fresh)
			continue;
		strbuf_reset(&w->cur);
		rc = kt_live_cursor(s->live, pos.offset, pos.lines, &w->cur);
		if (rc)
			return kt_failf(w->ctx, rc,
					"'%s': no cursor for offset %llu",
					s->key, (unsigned long long)pos.offset);
		rc = kt_store_set_cursor(w->ctx, w->st, s->key, w->cur.buf);
		if (!rc)
			rc = kt_store_set_input(w->ctx, w->st,
						kt_live_name(s->live),
						kt_stream_lines(s->stream));
		if (rc)
			return rc;
	}
	return 0;
}

/* After the commit: the sources forget what is committed. */
static void cursors_committed(struct watch *w)
{
	for (size_t i = 0; i < w->src_nr; i++) {
		struct wsrc *s = &w->src[i];

		if (!s->stream)
			continue;
		s->saved = kt_stream_pending(s->stream);
		s->fresh = false;
		kt_live_forget(s->live, s->saved.offset);
	}
}

static void count_lines(struct watch *w)
{
	for (size_t i = 0; i < w->src_nr; i++) {
		struct wsrc *s = &w->src[i];
		uint64_t n;

		if (!s->stream)
			continue;
		n = kt_stream_lines(s->stream);
		if (n > s->lines_told)
			kt_metrics_source_lines(w->m, s->key,
						n - s->lines_told);
		s->lines_told = n;
		n = kt_live_lost(s->live);
		if (n > s->lost_told)
			warning("%s: %llu records lost: the kernel overwrote "
				"them before they could be read (%llu in all)",
				s->key, (unsigned long long)(n - s->lost_told),
				(unsigned long long)n);
		s->lost_told = n;
		kt_metrics_source_lost(w->m, s->key, n);
	}
}

static void housekeeping(struct watch *w, int64_t now_wall, int64_t now)
{
	uint64_t n;

	if (w->last_retain_us == 0 || now - w->last_retain_us >=
	    RETAIN_EVERY_US) {
		int64_t older = w->o.retain_days ?
			now_wall - (int64_t)w->o.retain_days * 86400 *
			INT64_C(1000000) : KT_NO_TIME;

		w->last_retain_us = now;
		if (kt_store_retain(w->ctx, w->st, older,
				    w->o.max_db_mb << 20, &n))
			warning("%s", kt_ctx_error(w->ctx));
		else if (n)
			kt_log(w->ctx, KT_LOG_INFO,
			       "retention: %llu old events deleted",
			       (unsigned long long)n);
	}
	if (now - w->last_spool_us >= SPOOL_EVERY_US) {
		w->last_spool_us = now;
		if (!kt_store_spool_count(w->ctx, w->st, &n))
			kt_metrics_spool(w->m, n);
	}
	if (w->dog_us && now - w->last_dog_us >= (int64_t)w->dog_us / 2) {
		w->last_dog_us = now;
		sd_notify(0, "WATCHDOG=1");
	}
}

/*
 * One turn: read every source, close idle reports, commit the events,
 * alerts and cursors together.  A failed commit is rolled back and the
 * sources reopened from the store.
 */
static void turn(struct watch *w, struct strbuf *buf)
{
	int64_t now = kt_mono_us(), now_wall = kt_wall_us();
	int rc;

	w->ctx->now = now_wall / 1000000;
	if (w->reopen) {
		sources_close(w);
		sources_open(w);
		w->reopen = false;
	}
	rc = kt_store_begin(w->ctx, w->st);
	if (rc)
		goto fail;
	for (size_t i = 0; i < w->src_nr; i++) {
		struct wsrc *s = &w->src[i];

		if (!s->live) {
			if (now >= s->retry_us)
				src_open(w, s, now);
			if (!s->live)
				continue;
		}
		if (s->up || now >= s->retry_us)
			src_pump(w, s, now, buf);
		kt_stream_tick(s->stream, now);
	}
	if (w->al && now - w->last_tick_us >= 1000000) {
		unsigned q = 0;

		w->last_tick_us = now;
		if (!w->store_err)
			w->store_err = kt_alerter_tick(w->ctx, w->al,
						       now_wall, &q);
		w->queued += q;
	}
	rc = w->store_err;
	if (!rc)
		rc = save_cursors(w);
	if (!rc)
		rc = kt_store_commit(w->ctx, w->st);
	if (rc)
		goto fail;
	cursors_committed(w);
	count_lines(w);
	if (w->queued)
		kt_alerter_kick(w->al);
	w->queued = 0;
	housekeeping(w, now_wall, now);
	return;
fail:
	error("%s; reading again from the last commit", kt_ctx_error(w->ctx));
	kt_store_rollback(w->st);
	w->store_err = 0;
	w->queued = 0;
	w->reopen = true;
	/* do not spin on a store that keeps failing (a full disk) */
	sleep(1);
}

/*
 * SIGTERM: the reports still open are complete as far as anyone will
 * know (after a reboot /dev/kmsg holds only the new boot), so they are
 * delivered, and stored with cursors at the end of what was read.
 */
static int finish(struct watch *w)
{
	int rc = kt_store_begin(w->ctx, w->st);

	for (size_t i = 0; i < w->src_nr && !rc; i++) {
		struct wsrc *s = &w->src[i];
		uint64_t lines;

		if (!s->stream)
			continue;
		lines = kt_stream_lines(s->stream);
		kt_stream_free(w->ctx, s->stream, true);
		s->stream = NULL;
		rc = w->store_err;
		if (rc)
			break;
		strbuf_reset(&w->cur);
		rc = kt_live_cursor(s->live, kt_live_offset(s->live), lines,
				    &w->cur);
		if (rc) {
			rc = kt_failf(w->ctx, rc, "'%s': no cursor at its end",
				      s->key);
			break;
		}
		rc = kt_store_set_cursor(w->ctx, w->st, s->key, w->cur.buf);
		if (!rc)
			rc = kt_store_set_input(w->ctx, w->st,
						kt_live_name(s->live), lines);
	}
	if (!rc)
		rc = kt_store_commit(w->ctx, w->st);
	if (rc) {
		kt_store_rollback(w->st);
		return error("%s; the open reports will be read again",
			     kt_ctx_error(w->ctx));
	}
	if (w->queued && w->al)
		kt_alerter_kick(w->al);
	return 0;
}

/* A turn right after the sources were opened (see cmd_watch()). */
static void first_turn(struct watch *w)
{
	struct strbuf buf = STRBUF_INIT;

	turn(w, &buf);
	strbuf_release(&buf);
}

/* How long poll() may sleep. */
static int poll_timeout(const struct watch *w)
{
	int ms = IDLE_POLL_MS;

	for (size_t i = 0; i < w->src_nr; i++) {
		const struct wsrc *s = &w->src[i];
		struct kt_stream_pos pos;

		if (!s->live || w->reopen)
			return NOFD_POLL_MS;
		if (kt_live_fd(s->live) < 0 && ms > NOFD_POLL_MS)
			ms = NOFD_POLL_MS;
		pos = kt_stream_pending(s->stream);
		/* a report is open: tick often enough to close it in time */
		if (pos.offset < kt_live_offset(s->live)) {
			int idle_ms = (int)(w->idle_us / 10000);

			if (idle_ms < 1)
				idle_ms = 1;
			if (ms > idle_ms)
				ms = idle_ms;
		}
	}
	if (w->dog_us && ms > (int)(w->dog_us / 4000))
		ms = (int)(w->dog_us / 4000);
	return ms;
}

/* ------------------------------------------------------------ set-up */

static int build(struct watch *w)
{
	struct kt_pipeline_opts po = { 0 };
	struct strbuf cache = STRBUF_INIT;
	struct kt_alert_conf ac;
	int rc;

	po.rule_paths = w->o.rules.v;
	po.nr_rule_paths = w->o.rules.nr;
	po.no_default_rules = w->o.no_default_rules;
	po.cache_dir = kt_cmd_cache_dir(&cache);
	rc = kt_pipeline_new(w->ctx, &po, on_event, w, &w->pl);
	strbuf_release(&cache);
	if (rc)
		return error("%s", kt_ctx_error(w->ctx));
	if (!w->m)
		w->m = kt_metrics_new(kt_pipeline_rules(w->pl), kt_wall_us());
	if (!w->sink_nr || !w->st)
		return 0;	/* no alerts, or only checking the options */
	kt_alert_conf_init(&ac);
	ac.sink = w->sink;
	ac.sink_nr = w->sink_nr;
	ac.cooldown_us = w->cooldown_us;
	ac.storm_per_min = (unsigned)w->o.storm_cap;
	ac.resolve_us = w->resolve_us;
	ac.http_timeout_us = w->timeout_us;
	ac.lang = (enum kt_lang)kt_lang_from_name(w->o.lang);
	ac.host = w->host;
	if (kt_alerter_new(w->ctx, &ac, w->st, w->m, &w->al))
		return error("%s", kt_ctx_error(w->ctx));
	return 0;
}

static void unbuild(struct watch *w)
{
	if (w->al)
		kt_alerter_stop(w->al);
	kt_alerter_free(w->al);
	w->al = NULL;
	kt_pipeline_free(w->pl);
	w->pl = NULL;
}

static int start_delivery(struct watch *w)
{
	if (w->al && kt_alerter_start(w->ctx, w->al, w->o.db))
		return error("%s", kt_ctx_error(w->ctx));
	return 0;
}

/*
 * SIGHUP: the configuration and rules again.  The sources are reopened
 * from the committed cursors, so open reports are read again whole.
 * When the new configuration is bad, the old one stays.
 */
static void reload(struct watch *w)
{
	struct watch saved = *w;
	int rc;

	sd_notify(0, "RELOADING=1");
	memset(&w->o, 0, sizeof(w->o));
	memset(&w->args, 0, sizeof(w->args));
	memset(&w->cfg, 0, sizeof(w->cfg));
	w->sink = NULL;
	w->sink_nr = 0;
	w->pl = NULL;
	w->al = NULL;
	rc = parse_all(w);
	if (!rc && strcmp(w->o.db, saved.o.db))
		rc = error("--db cannot change on reload");
	if (!rc)
		rc = build(w);
	if (rc) {
		error("reload failed; the configuration stays as it was");
		unbuild(w);
		opts_release(&w->o);
		kt_strlist_release(&w->args);
		owned_release(&w->cfg);
		free(w->sink);
		w->o = saved.o;
		w->args = saved.args;
		w->cfg = saved.cfg;
		w->sink = saved.sink;
		w->sink_nr = saved.sink_nr;
		w->pl = saved.pl;
		w->al = saved.al;
		sd_notify(0, "READY=1");
		return;
	}
	/* the new configuration: tear down the old one */
	{
		struct kt_pipeline *new_pl = w->pl;
		struct kt_alerter *new_al = w->al;

		sources_close(w);
		w->pl = saved.pl;
		w->al = saved.al;
		unbuild(w);
		w->pl = new_pl;
		w->al = new_al;
	}
	opts_release(&saved.o);
	kt_strlist_release(&saved.args);
	owned_release(&saved.cfg);
	free(saved.sink);
	pick_sources(w);
	sources_open(w);
	first_turn(w);
	start_delivery(w);
	kt_log(w->ctx, KT_LOG_INFO, "configuration and rules read again");
	sd_notify(0, "READY=1");
}

static int block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, set, NULL) < 0)
		return -1;
	return signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Polls the sources and the signals until SIGTERM. */
static int run(struct watch *w, int sfd)
{
	struct pollfd *pfd = NULL;
	size_t alloc = 0;
	struct strbuf buf = STRBUF_INIT;
	bool stop = false;

	while (!stop) {
		size_t n = 0;
		struct signalfd_siginfo si;

		ALLOC_GROW(pfd, w->src_nr + 1, alloc);
		pfd[n].fd = sfd;
		pfd[n++].events = POLLIN;
		for (size_t i = 0; i < w->src_nr; i++) {
			int fd = w->src[i].live ? kt_live_fd(w->src[i].live)
						: -1;

			if (fd >= 0) {
				pfd[n].fd = fd;
				pfd[n++].events = POLLIN;
			}
		}
		if (poll(pfd, n, poll_timeout(w)) < 0 && errno != EINTR) {
			error("poll: %s", strerror(errno));
			break;
		}
		while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			if (si.ssi_signo == SIGHUP)
				reload(w);
			else
				stop = true;
		}
		turn(w, &buf);
	}
	sd_notify(0, "STOPPING=1");
	free(pfd);
	strbuf_release(&buf);
	return finish(w) ? 1 : 0;
}

int cmd_watch(int argc, const char **argv, struct kt_ctx *ctx)
{
	struct watch w = { 0 };
	sigset_t set;
	int rc, sfd = -1;

	w.ctx = ctx;
	w.argc = argc;
	w.argv = argv;
	strbuf_init(&w.json, 0);
	strbuf_init(&w.cur, 0);
	if (gethostname(w.host, sizeof(w.host) - 1) < 0)
		snprintf(w.host, sizeof(w.host), "localhost");
	rc = parse_all(&w);
	if (rc) {
		rc = rc > 0 ? 0 : 1;
		goto cleanup;
	}
	rc = 1;
	if (w.o.check_config) {
		if (!build(&w)) {
			pick_sources(&w);
			printf("configuration ok: %zu source%s, %zu sink%s\n",
			       w.src_nr, w.src_nr == 1 ? "" : "s", w.sink_nr,
			       w.sink_nr == 1 ? "" : "s");
			for (size_t i = 0; i < w.src_nr; i++)
				printf("source %s\n", w.src[i].key);
			rc = 0;
		}
		goto cleanup;
	}
	if (kt_store_open(ctx, w.o.db, KT_STORE_CREATE, &w.st)) {
		error("%s", kt_ctx_error(ctx));
		goto cleanup;
	}
	if (build(&w))
		goto cleanup;
	if (w.o.test_alert) {
		if (!w.al)
			error("--test-alert: no sink given");
		else if (kt_alerter_test(ctx, w.al))
			error("%s", kt_ctx_error(ctx));
		else
			rc = 0;
		goto cleanup;
	}
	sfd = block_signals(&set);
	if (sfd < 0) {
		error("signalfd: %s", strerror(errno));
		goto cleanup;
	}
	if (w.o.metrics &&
	    kt_metrics_serve(ctx, w.m, w.o.metrics, &w.srv)) {
		error("%s", kt_ctx_error(ctx));
		goto cleanup;
	}
	if (start_delivery(&w))
		goto cleanup;
	if (!w.o.no_harvest && harvest(&w))
		error("harvest: %s", kt_ctx_error(ctx));
	pick_sources(&w);
	sources_open(&w);
	/*
	 * A source opened without a cursor starts at the end of a file or
	 * journal: that place is committed before anything else happens,
	 * or a crash before the first event would skip what came since.
	 */
	first_turn(&w);
	if (sd_watchdog_enabled(0, &w.dog_us) <= 0)
		w.dog_us = 0;
	sd_notify(0, "READY=1");
	rc = run(&w, sfd);
cleanup:
	sources_close(&w);
	unbuild(&w);
	kt_metrics_stop(w.srv);
	kt_metrics_free(w.m);
	kt_store_close(w.st);
	if (sfd >= 0)
		close(sfd);
	for (size_t i = 0; i < w.src_nr; i++)
		src_release(&w.src[i]);
	free(w.src);
	free(w.sink);
	opts_release(&w.o);
	kt_strlist_release(&w.args);
	owned_release(&w.cfg);
	strbuf_release(&w.json);
	strbuf_release(&w.cur);
	return rc;
}
