/*
 * alert.c - the alerts of `ktriage watch` (see alert.h, docs/ALERTS.md).
 *
 * Part of the server stage.  The decision side runs in the watch loop on
 * its store connection; the delivery thread owns a second connection,
 * the HTTP client and each sink's backoff, and shares with the loop only
 * the read-only sink list, the metrics and the kick flag under a mutex.
 */
#include "base/compat.h"
#include "base/str.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "output/http.h"
#include "server/alert.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define MIN_US INT64_C(60000000)
#define SEC_US INT64_C(1000000)
#define BACKOFF_MIN_US SEC_US
#define BACKOFF_MAX_US (5 * MIN_US)
#define STORE_RETRY_US (100 * 1000)	/* after a failed store call */

/* The storm window of one sink; the loop's alone. */
struct storm {
	int64_t start_us;	/* KT_NO_TIME: no window open */
	unsigned sent;		/* alerts queued in the window */
	uint64_t suppressed;	/* alerts counted instead */
};

/* A sink's delivery state; the delivery thread's alone. */
struct backoff {
	unsigned failures;	/* in a row */
	int64_t until_us;	/* no attempt before */
	struct strbuf error;	/* owned; the last failure */
};

struct kt_alerter {
	struct kt_alert_conf conf;	/* sink and host point below */
	struct kt_alert_sink *sink;	/* owned; targets owned */
	char **name;			/* owned; "webhook-2" */
	char *host;			/* owned; or NULL */
	char *generator_url;		/* owned; or NULL */
	struct storm *storm;		/* owned; one per sink */
	struct kt_store *st;		/* borrowed: the loop's */
	struct kt_metrics *m;		/* borrowed; may be NULL */

	/* the delivery thread */
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t wake;		/* on CLOCK_MONOTONIC */
	bool kicked, stop;		/* under lock */
	struct kt_ctx tctx;		/* the thread's; logs like the loop */
	struct kt_store *tst;		/* owned: the thread's connection */
	struct kt_http *http;		/* owned; NULL without HTTP sinks */
	struct backoff *backoff;	/* owned; one per sink */
	uint64_t seed;			/* of the jitter */
};

/* ------------------------------------------------------------ conf */

void kt_alert_conf_init(struct kt_alert_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->cooldown_us = 10 * MIN_US;
	c->storm_per_min = 30;
	c->resolve_us = 5 * MIN_US;
	c->http_timeout_us = 10 * SEC_US;
	c->lang = KT_LANG_EN;
}

int kt_alert_severity_from_name(const char *name)
{
	int s;

	for (s = KT_SEV_MINOR; s <= KT_SEV_CRITICAL; s++)
		if (!strcmp(name, kt_severity_name(s)))
			return s;
	return -1;
}

/* A leading "minor:", "major:" or "critical:"; its length, else 0. */
static size_t severity_prefix(const char *arg, int *sev)
{
	const char *colon = strchr(arg, ':');
	char word[16];
	size_t n;

	if (!colon || (size_t)(colon - arg) >= sizeof(word))
		return 0;
	n = (size_t)(colon - arg);
	memcpy(word, arg, n);
	word[n] = '\0';
	*sev = kt_alert_severity_from_name(word);
	return *sev < 0 ? 0 : n + 1;
}

static bool is_http_url(const char *s)
{
	return (!strncmp(s, "http://", 7) && s[7]) ||
	       (!strncmp(s, "https://", 8) && s[8]);
}

int kt_alert_sink_parse(struct kt_ctx *ctx, enum kt_alert_kind kind,
			const char *arg, enum kt_severity dflt,
			struct kt_alert_sink *out)
{
	const char *opt = kt_alert_kind_name(kind);
	int sev = dflt;
	size_t skip;

	if (kind >= KT_ALERT_KIND_NR)
		return kt_failf(ctx, KT_ERR_USAGE, "unknown kind of sink %d",
				(int)kind);
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	out->min_severity = dflt;
	if (kind == KT_ALERT_SYSLOG) {
		if (!arg || !*arg)
			return 0;
		sev = kt_alert_severity_from_name(arg);
		if (sev < 0 && severity_prefix(arg, &sev) != strlen(arg))
			sev = -1;
		if (sev < 0)
			return kt_failf(ctx, KT_ERR_USAGE,
					"bad --syslog '%s': not minor, major "
					"or critical", arg);
		out->min_severity = sev;
		return 0;
	}
	if (!arg)
		arg = "";
	skip = severity_prefix(arg, &sev);
	if (!skip)
		sev = dflt;
	out->min_severity = sev;
	out->target = arg + skip;
	if (kind == KT_ALERT_EXEC && !*out->target)
		return kt_failf(ctx, KT_ERR_USAGE,
				"bad --exec '%s': no command", arg);
	if (kind != KT_ALERT_EXEC && !is_http_url(out->target))
		return kt_failf(ctx, KT_ERR_USAGE,
				"bad --%s '%s': not an http:// or https:// URL",
				opt, arg);
	return 0;
}

/* ------------------------------------------------------------ alerter */

int kt_alerter_new(struct kt_ctx *ctx, const struct kt_alert_conf *conf,
		   struct kt_store *st, struct kt_metrics *m,
		   struct kt_alerter **out)
{
	struct kt_alerter *a = xcalloc(1, sizeof(*a));
	unsigned seen[KT_ALERT_KIND_NR] = { 0 };
	pthread_condattr_t attr;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	a->conf = *conf;
	a->st = st;
	a->m = m;
	a->host = conf->host ? xstrdup(conf->host) : NULL;
	a->generator_url = conf->generator_url ?
			   xstrdup(conf->generator_url) : NULL;
	a->conf.host = a->host;
	a->conf.generator_url = a->generator_url;
	a->sink = xcalloc(conf->sink_nr ? conf->sink_nr : 1, sizeof(*a->sink));
	a->name = xcalloc(conf->sink_nr ? conf->sink_nr : 1, sizeof(*a->name));
	a->storm = xcalloc(conf->sink_nr ? conf->sink_nr : 1,
			   sizeof(*a->storm));
	a->backoff = xcalloc(conf->sink_nr ? conf->sink_nr : 1,
			     sizeof(*a->backoff));
	for (i = 0; i < conf->sink_nr; i++) {
		const struct kt_alert_sink *s = &conf->sink[i];

		if (s->kind >= KT_ALERT_KIND_NR)
			BUG("unknown kind of sink %d", (int)s->kind);
		a->sink[i] = *s;
		a->sink[i].target = s->target ? xstrdup(s->target) : NULL;
		strbuf_reset(&sb);
		strbuf_addstr(&sb, kt_alert_kind_name(s->kind));
		if (seen[s->kind]++)
			strbuf_addf(&sb, "-%u", seen[s->kind]);
		a->name[i] = xstrdup(sb.buf);
		a->storm[i].start_us = KT_NO_TIME;
		strbuf_init(&a->backoff[i].error, 0);
	}
	a->conf.sink = a->sink;
	strbuf_release(&sb);
	pthread_mutex_init(&a->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&a->wake, &attr);
	pthread_condattr_destroy(&attr);
	kt_ctx_init(&a->tctx);
	a->seed = (uint64_t)kt_mono_us() ^ (uint64_t)(uintptr_t)a;
	*out = a;
	return 0;
}

void kt_alerter_free(struct kt_alerter *a)
{
	size_t i;

	if (!a)
		return;
	kt_alerter_stop(a);
	for (i = 0; i < a->conf.sink_nr; i++) {
		free((char *)a->sink[i].target);
		free(a->name[i]);
		strbuf_release(&a->backoff[i].error);
	}
	free(a->sink);
	free(a->name);
	free(a->storm);
	free(a->backoff);
	free(a->host);
	free(a->generator_url);
	pthread_cond_destroy(&a->wake);
	pthread_mutex_destroy(&a->lock);
	kt_ctx_release(&a->tctx);
	free(a);
}

const char *kt_alerter_sink_name(const struct kt_alerter *a, size_t i)
{
	return i < a->conf.sink_nr ? a->name[i] : NULL;
}

/* The sink called name, or -1 (its option was dropped since). */
static ssize_t sink_find(const struct kt_alerter *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->conf.sink_nr; i++)
		if (!strcmp(a->name[i], name))
			return (ssize_t)i;
	return -1;
}

/* ------------------------------------------------------------ deciding */

/* Queues the "suppressed" record of sink i's window if it is over. */
static int storm_close(struct kt_ctx *ctx, struct kt_alerter *a, size_t i,
		       int64_t now_us, unsigned *queued)
{
	struct storm *w = &a->storm[i];
	int64_t end = w->start_us + MIN_US;
	char *rec;
	int rc;

	if (w->start_us == KT_NO_TIME || (now_us < end &&
					  now_us >= w->start_us))
		return 0;
	if (w->suppressed) {
		rec = kt_alert_record_suppressed(w->suppressed, w->start_us,
						 end, a->host);
		rc = kt_store_spool_add(ctx, a->st, a->name[i], rec, now_us);
		free(rec);
		if (rc)
			return rc;
		(*queued)++;
	}
	w->start_us = KT_NO_TIME;
	w->sent = 0;
	w->suppressed = 0;
	return 0;
}

/* Whether sink i may have one more alert this minute (counting it). */
static bool storm_allows(struct kt_alerter *a, size_t i, int64_t now_us)
{
	struct storm *w = &a->storm[i];

	if (!a->conf.storm_per_min)
		return true;
	if (w->start_us == KT_NO_TIME)
		w->start_us = now_us;
	if (w->sent < a->conf.storm_per_min) {
		w->sent++;
		return true;
	}
	w->suppressed++;
	return false;
}

int kt_alerter_event(struct kt_ctx *ctx, struct kt_alerter *a,
		     const struct kt_event *ev, const char *event_json,
		     int64_t now_us, unsigned *queued)
{
	unsigned n = 0;
	uint64_t repeats;
	bool send;
	size_t i;
	int rc = 0;

	for (i = 0; i < a->conf.sink_nr && !rc; i++) {
		char *rec;

		if (ev->severity < a->sink[i].min_severity)
			continue;
		rc = storm_close(ctx, a, i, now_us, &n);
		if (!rc)
			rc = kt_store_alert_note(ctx, a->st, a->name[i],
						 ev->fingerprint, now_us,
						 a->conf.cooldown_us, &send,
						 &repeats);
		if (rc || !send || !storm_allows(a, i, now_us))
			continue;
		rec = kt_alert_record_event(event_json, repeats, now_us);
		if (!rec) {
			rc = kt_failf(ctx, KT_ERR_FORMAT,
				      "event '%s' is not a JSON object",
				      ev->id);
			break;
		}
		rc = kt_store_spool_add(ctx, a->st, a->name[i], rec, now_us);
		free(rec);
		if (!rc)
			n++;
	}
	if (queued)
		*queued = n;
	return rc;
}

int kt_alerter_tick(struct kt_ctx *ctx, struct kt_alerter *a, int64_t now_us,
		    unsigned *queued)
{
	unsigned n = 0;
	size_t i;
	int rc = 0;

	for (i = 0; i < a->conf.sink_nr && !rc; i++)
		rc = storm_close(ctx, a, i, now_us, &n);
	if (queued)
		*queued = n;
	return rc;
}

/* ------------------------------------------------------------ sending */

static int send_http(struct kt_ctx *ctx, struct kt_http *http,
		     const struct kt_alert_sink *s, const struct strbuf *body,
		     int64_t timeout_us)
{
	static const char *const headers[] = {
		"Content-Type: application/json; charset=utf-8", NULL,
	};
	struct kt_http_request rq = {
		.url = s->target, .headers = headers, .body = body->buf,
		.len = body->len,
		.timeout_ms = (uint64_t)KT_MAX(timeout_us, 0) / 1000,
		.body_max = 64 * 1024,
	};
	struct kt_http_response rs;
	struct strbuf host = STRBUF_INIT;
	int rc;

	kt_http_response_init(&rs);
	rc = kt_http_post(ctx, http, &rq, &rs);
	if (!rc && (rs.status < 200 || rs.status > 299)) {
		kt_http_url_host(s->target, &host);
		rc = kt_failf(ctx, KT_ERR_IO, "'%s' answered HTTP %ld",
			      host.buf, rs.status);
	}
	strbuf_release(&host);
	kt_http_response_release(&rs);
	return rc;
}

/* In the child: async-signal-safe calls only, then /bin/sh -c cmd. */
static void exec_child(int in, const char *cmd)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	if (dup2(in, STDIN_FILENO) < 0 || dup2(STDERR_FILENO,
					       STDOUT_FILENO) < 0)
		_exit(127);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/*
 * Writes body to fd before deadline and closes fd.  A command that
 * stops reading is no reason to die of SIGPIPE, whichever thread runs
 * this: the signal is held and taken back.
 */
static void feed(int fd, const struct strbuf *body, int64_t deadline)
{
	static const struct timespec zero = { 0, 0 };
	sigset_t pipe_set, old, pending;
	bool had;
	size_t off = 0;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	had = sigismember(&pending, SIGPIPE);

	while (off < body->len) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int64_t left = deadline - kt_mono_us();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)(left / 1000) + 1) <= 0)
			break;
		n = write(fd, body->buf + off, body->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* EPIPE: the command reads no more */
		off += (size_t)n;
	}
	close(fd);
	sigpending(&pending);
	if (!had && sigismember(&pending, SIGPIPE))
		sigtimedwait(&pipe_set, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static int send_exec(struct kt_ctx *ctx, const struct kt_alert_sink *s,
		     const char *name, const struct strbuf *body,
		     int64_t timeout_us)
{
	int64_t deadline = kt_mono_us() + timeout_us;
	int fd[2], status = 0;
	pid_t pid, w = 0;

	if (pipe2(fd, O_CLOEXEC) < 0)
		return kt_failf(ctx, KT_ERR_IO, "cannot run %s: %s", name,
				strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return kt_failf(ctx, KT_ERR_IO, "cannot run %s: %s", name,
				strerror(errno));
	}
	if (!pid)
		exec_child(fd[0], s->target);
	setpgid(pid, pid);	/* as the child does: whoever runs first */
	close(fd[0]);
	fcntl(fd[1], F_SETFL, O_NONBLOCK);
	feed(fd[1], body, deadline);
	while (kt_mono_us() < deadline) {
		w = waitpid(pid, &status, WNOHANG);
		if (w != 0 && !(w < 0 && errno == EINTR))
			break;
		usleep(5000);
	}
	if (w == 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return kt_failf(ctx, KT_ERR_IO,
				"%s took more than %lld ms and was killed",
				name, (long long)(timeout_us / 1000));
	}
	if (w < 0)
		return kt_failf(ctx, KT_ERR_IO, "cannot wait for %s: %s", name,
				strerror(errno));
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	if (WIFEXITED(status))
		return kt_failf(ctx, KT_ERR_IO, "%s exited with status %d",
				name, WEXITSTATUS(status));
	return kt_failf(ctx, KT_ERR_IO, "%s was killed by signal %d", name,
			WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/*
 * Renders record for sink i and sends it once.  http is the client for
 * HTTP sinks (NULL when there are none).
 */
static int deliver(struct kt_ctx *ctx, struct kt_alerter *a,
		   struct kt_http *http, size_t i, const char *record)
{
	const struct kt_alert_sink *s = &a->sink[i];
	struct kt_alertfmt_opts o = {
		.lang = a->conf.lang, .now_us = kt_wall_us(),
		.resolve_us = a->conf.resolve_us, .host = a->host,
		.generator_url = a->generator_url,
	};
	struct strbuf body = STRBUF_INIT;
	int prio = LOG_WARNING, rc;

	rc = kt_alertfmt_render(ctx, s->kind, record, &o, &body, &prio);
	if (rc)
		goto cleanup;
	if (s->kind == KT_ALERT_SYSLOG)
		syslog(LOG_DAEMON | prio, "%s", body.buf);
	else if (s->kind == KT_ALERT_EXEC)
		rc = send_exec(ctx, s, a->name[i], &body,
			       a->conf.http_timeout_us);
	else if (!http)
		BUG("HTTP sink %s without a client", a->name[i]);
	else
		rc = send_http(ctx, http, s, &body, a->conf.http_timeout_us);
cleanup:
	strbuf_release(&body);
	if (a->m)
		kt_metrics_alert(a->m, a->name[i], rc ? "error" : "ok");
	return rc;
}

static bool has_http(const struct kt_alerter *a)
{
	size_t i;

	for (i = 0; i < a->conf.sink_nr; i++)
		if (kt_alert_kind_is_http(a->sink[i].kind))
			return true;
	return false;
}

static bool has_syslog(const struct kt_alerter *a)
{
	size_t i;

	for (i = 0; i < a->conf.sink_nr; i++)
		if (a->sink[i].kind == KT_ALERT_SYSLOG)
			return true;
	return false;
}

int kt_alerter_test(struct kt_ctx *ctx, struct kt_alerter *a)
{
	struct kt_http *http = NULL;
	char *rec = kt_alert_record_test(kt_wall_us(), a->host);
	int rc = 0, first = 0;
	size_t i;

	if (has_http(a))
		rc = kt_http_new(ctx, &http);
	if (!rc && has_syslog(a))
		openlog("ktriage", LOG_PID, LOG_DAEMON);
	for (i = 0; i < a->conf.sink_nr && !rc; i++) {
		struct kt_ctx one;

		kt_ctx_init(&one);
		if (deliver(&one, a, http, i, rec) && !first) {
			first = kt_failf(ctx, KT_ERR_IO, "alert sink %s: %s",
					 a->name[i], kt_ctx_error(&one));
		}
		kt_ctx_release(&one);
	}
	kt_http_free(http);
	free(rec);
	return rc ? rc : first;
}

/* ------------------------------------------------------------ thread */

/* 1 s doubling to 5 min, minus up to a fifth at random. */
static int64_t backoff_us(struct kt_alerter *a, unsigned failures)
{
	int64_t d = BACKOFF_MIN_US;

	while (--failures && d < BACKOFF_MAX_US)
		d *= 2;
	if (d > BACKOFF_MAX_US)
		d = BACKOFF_MAX_US;
	a->seed = a->seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return d - (int64_t)((a->seed >> 33) % (uint64_t)(d / 5 + 1));
}

static bool stopping(struct kt_alerter *a)
{
	bool stop;

	pthread_mutex_lock(&a->lock);
	stop = a->stop;
	pthread_mutex_unlock(&a->lock);
	return stop;
}

/* Sleeps until kicked, stopped or us have passed. */
static void nap(struct kt_alerter *a, int64_t us)
{
	int64_t until = kt_mono_us() + us;
	struct timespec ts = {
		.tv_sec = until / SEC_US,
		.tv_nsec = (long)(until % SEC_US) * 1000,
	};

	pthread_mutex_lock(&a->lock);
	while (!a->kicked && !a->stop &&
	       pthread_cond_timedwait(&a->wake, &a->lock, &ts) != ETIMEDOUT)
		;
	a->kicked = false;
	pthread_mutex_unlock(&a->lock);
}

/*
 * A store call of the thread failed (the loop holding the write lock
 * past the busy timeout, most likely): says so and waits a little.
 */
static void store_trouble(struct kt_alerter *a)
{
	kt_log(&a->tctx, KT_LOG_WARN, "alert spool: %s",
	       kt_ctx_error(&a->tctx));
	nap(a, STORE_RETRY_US);
}

/* Removes a delivered item, insisting: a second delivery is worse. */
static void item_done(struct kt_alerter *a, int64_t id)
{
	while (kt_store_spool_done(&a->tctx, a->tst, id)) {
		store_trouble(a);
		if (stopping(a))
			break;
	}
}

static void item_retry(struct kt_alerter *a, int64_t id, int64_t due_us,
		       const char *error)
{
	while (kt_store_spool_retry(&a->tctx, a->tst, id, due_us, error)) {
		store_trouble(a);
		if (stopping(a))
			break;
	}
}

/* Handles one due item of the spool. */
static void handle(struct kt_alerter *a, struct kt_spool_item *it)
{
	ssize_t i = sink_find(a, it->sink);
	struct backoff *b;
	int64_t now = kt_mono_us();

	if (i < 0) {
		kt_log(&a->tctx, KT_LOG_WARN,
		       "alert spool: dropping an alert for sink '%s', which "
		       "is no longer configured", it->sink);
		item_done(a, it->id);
		return;
	}
	b = &a->backoff[i];
	if (b->until_us > now) {
		/* the receiver failed lately: wait with the item before */
		item_retry(a, it->id, kt_wall_us() + (b->until_us - now),
			   b->error.buf);
		return;
	}
	if (!deliver(&a->tctx, a, a->http, (size_t)i, it->payload)) {
		b->failures = 0;
		b->until_us = 0;
		item_done(a, it->id);
		return;
	}
	strbuf_reset(&b->error);
	strbuf_addstr(&b->error, kt_ctx_error(&a->tctx));
	b->failures++;
	b->until_us = kt_mono_us() + backoff_us(a, b->failures);
	kt_log(&a->tctx, KT_LOG_WARN, "alert to %s failed (attempt %u): %s",
	       a->name[i], it->attempts + 1, b->error.buf);
	item_retry(a, it->id, kt_wall_us() + (b->until_us - kt_mono_us()),
		   b->error.buf);
}

static void count_spool(struct kt_alerter *a)
{
	uint64_t n;

	if (a->m && !kt_store_spool_count(&a->tctx, a->tst, &n))
		kt_metrics_spool(a->m, n);
}

static void *run(void *data)
{
	struct kt_alerter *a = data;
	struct kt_spool_item it;
	int64_t counted = 0;
	int rc;

	while (!stopping(a)) {
		rc = kt_store_spool_next(&a->tctx, a->tst, kt_wall_us(), &it);
		if (rc < 0) {
			store_trouble(a);
			continue;
		}
		if (rc > 0) {
			handle(a, &it);
			kt_spool_item_release(&it);
			count_spool(a);
			counted = kt_mono_us();
			continue;
		}
		if (kt_mono_us() - counted >= SEC_US) {
			count_spool(a);
			counted = kt_mono_us();
		}
		nap(a, SEC_US);
	}
	return NULL;
}

int kt_alerter_start(struct kt_ctx *ctx, struct kt_alerter *a,
		     const char *db_path)
{
	sigset_t all, old;
	int rc;

	if (a->running)
		return kt_failf(ctx, KT_ERR_USAGE,
				"the alert delivery thread runs already");
	a->tctx.log_fn = ctx->log_fn;
	a->tctx.log_data = ctx->log_data;
	a->tctx.log_level = ctx->log_level;
	a->tctx.now = ctx->now;
	a->stop = false;
	a->kicked = false;
	rc = kt_store_open(ctx, db_path, 0, &a->tst);
	if (!rc && has_http(a))
		rc = kt_http_new(ctx, &a->http);
	if (rc)
		goto fail;
	if (has_syslog(a))
		openlog("ktriage", LOG_PID, LOG_DAEMON);
	/* signals go to the loop; EPIPE comes back as an error here */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&a->thread, NULL, run, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		rc = kt_failf(ctx, KT_ERR_INTERNAL,
			      "cannot start the alert delivery thread: %s",
			      strerror(rc));
		goto fail;
	}
	a->running = true;
	return 0;
fail:
	kt_http_free(a->http);
	a->http = NULL;
	kt_store_close(a->tst);
	a->tst = NULL;
	return rc;
}

void kt_alerter_kick(struct kt_alerter *a)
{
	pthread_mutex_lock(&a->lock);
	a->kicked = true;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
}

void kt_alerter_stop(struct kt_alerter *a)
{
	size_t i;

	if (!a->running)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	a->running = false;
	kt_http_free(a->http);
	a->http = NULL;
	kt_store_close(a->tst);
	a->tst = NULL;
	for (i = 0; i < a->conf.sink_nr; i++) {
		a->backoff[i].failures = 0;
		a->backoff[i].until_us = 0;
	}
}
