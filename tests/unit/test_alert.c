/*
 * test_alert.c - unit tests of server/alert: the decisions (cooldown
 * with repeats folded in, severity thresholds, the storm cap and its
 * "suppressed" record, sink names and options) on a real temporary
 * store, and delivery by the thread to a receiver in this process
 * (once, again after failures with backoff, across a restart), to a
 * command's standard input, and a hanging command killed in time.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "server/alert.h"
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#define SEC_US INT64_C(1000000)
#define MIN_US (60 * SEC_US)
/* 2026-06-06T21:40:00Z */
#define T0 (INT64_C(1780782000) * SEC_US)

/* ------------------------------------------------------------ fixture */

struct fix {
	char dir[64];
	char db[96];
	struct kt_ctx ctx;
	struct kt_store *st;
	struct kt_alert_sink sink[4];
	struct kt_alert_conf conf;
	struct kt_alerter *a;
};

static int setup(void **state)
{
	struct fix *f = xcalloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	snprintf(f->dir, sizeof(f->dir), "%s/kt-alert-XXXXXX",
		 tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/events.db", f->dir);
	kt_ctx_init(&f->ctx);
	assert_int_equal(kt_store_open(&f->ctx, f->db, KT_STORE_CREATE,
				       &f->st), 0);
	kt_alert_conf_init(&f->conf);
	f->conf.sink = f->sink;
	f->conf.host = "watcher-1";
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	struct strbuf path = STRBUF_INIT;
	struct dirent *e;
	DIR *d;

	kt_alerter_free(f->a);
	kt_store_close(f->st);
	kt_ctx_release(&f->ctx);
	d = opendir(f->dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", f->dir, e->d_name);
		assert_int_equal(unlink(path.buf), 0);
	}
	closedir(d);
	assert_int_equal(rmdir(f->dir), 0);
	strbuf_release(&path);
	free(f);
	return 0;
}

static void add_sink(struct fix *f, enum kt_alert_kind kind,
		     const char *target, enum kt_severity min)
{
	struct kt_alert_sink *s = &f->sink[f->conf.sink_nr++];

	s->kind = kind;
	s->target = target;
	s->min_severity = min;
}

static void new_alerter(struct fix *f)
{
	assert_int_equal(kt_alerter_new(&f->ctx, &f->conf, f->st, NULL,
					&f->a), 0);
}

static void make_event(struct kt_event *ev, const char *fp,
		       enum kt_severity sev, struct strbuf *json)
{
	memset(ev, 0, sizeof(*ev));
	snprintf(ev->id, sizeof(ev->id), "%.8s%08x", fp, (unsigned)sev);
	snprintf(ev->fingerprint, sizeof(ev->fingerprint), "%s", fp);
	ev->severity = sev;
	strbuf_reset(json);
	strbuf_addf(json, "{\"id\":\"%s\",\"type\":\"oom\",\"subtype\":"
		    "\"oom_kill\",\"severity\":\"%s\",\"title\":\"Out of "
		    "memory\",\"host\":\"video-stream\",\"fingerprint\":\"%s\"}",
		    ev->id, kt_severity_name(sev), fp);
}

/* Runs the alerter on one event in a transaction; the number queued. */
static unsigned event_at(struct fix *f, const char *fp, enum kt_severity sev,
			 int64_t now)
{
	struct strbuf json = STRBUF_INIT;
	struct kt_event ev;
	unsigned n = 99;

	make_event(&ev, fp, sev, &json);
	assert_int_equal(kt_store_begin(&f->ctx, f->st), 0);
	assert_int_equal(kt_alerter_event(&f->ctx, f->a, &ev, json.buf, now,
					  &n), 0);
	assert_int_equal(kt_store_commit(&f->ctx, f->st), 0);
	strbuf_release(&json);
	return n;
}

static unsigned tick_at(struct fix *f, int64_t now)
{
	unsigned n = 99;

	assert_int_equal(kt_store_begin(&f->ctx, f->st), 0);
	assert_int_equal(kt_alerter_tick(&f->ctx, f->a, now, &n), 0);
	assert_int_equal(kt_store_commit(&f->ctx, f->st), 0);
	return n;
}

/* Takes the spool's next item: its sink into sink, its record parsed. */
static json_t *take(struct fix *f, struct strbuf *sink)
{
	struct kt_spool_item it;
	json_t *j;
	int rc = kt_store_spool_next(&f->ctx, f->st, INT64_MAX, &it);

	assert_true(rc >= 0);
	if (!rc)
		return NULL;
	strbuf_reset(sink);
	strbuf_addstr(sink, it.sink);
	j = json_loads(it.payload, 0, NULL);
	assert_non_null(j);
	assert_int_equal(kt_store_spool_done(&f->ctx, f->st, it.id), 0);
	kt_spool_item_release(&it);
	return j;
}

static uint64_t spool_count(struct fix *f)
{
	uint64_t n = 99;

	assert_int_equal(kt_store_spool_count(&f->ctx, f->st, &n), 0);
	return n;
}

static json_int_t int_of(const json_t *j, const char *key)
{
	const json_t *v = json_object_get(j, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static const char *str_of(const json_t *j, const char *key)
{
	const json_t *v = json_object_get(j, key);

	assert_true(json_is_string(v));
	return json_string_value(v);
}

/* ------------------------------------------------------------ options */

static void test_sink_parse(void **state)
{
	struct kt_alert_sink s;
	struct kt_ctx ctx;

	(void)state;
	kt_ctx_init(&ctx);
	assert_int_equal(kt_alert_sink_parse(&ctx, KT_ALERT_WEBHOOK,
					     "https://hooks.example/x",
					     KT_SEV_MINOR, &s), 0);
	assert_string_equal(s.target, "https://hooks.example/x");
	assert_int_equal(s.min_severity, KT_SEV_MINOR);
	assert_int_equal(kt_alert_sink_parse(&ctx, KT_ALERT_DINGTALK,
		"critical:https://oapi.dingtalk.com/robot/send?access_token=t",
		KT_SEV_MINOR, &s), 0);
	assert_int_equal(s.kind, KT_ALERT_DINGTALK);
	assert_int_equal(s.min_severity, KT_SEV_CRITICAL);
	assert_string_equal(s.target,
		"https://oapi.dingtalk.com/robot/send?access_token=t");
	assert_int_equal(kt_alert_sink_parse(&ctx, KT_ALERT_EXEC,
					     "major:logger -t x", KT_SEV_MINOR,
					     &s), 0);
	assert_int_equal(s.min_severity, KT_SEV_MAJOR);
	assert_string_equal(s.target, "logger -t x");
	assert_int_equal(kt_alert_sink_parse(&ctx, KT_ALERT_EXEC,
					     "/usr/bin/page: now", KT_SEV_MAJOR,
					     &s), 0);
	assert_int_equal(s.min_severity, KT_SEV_MAJOR);
	assert_string_equal(s.target, "/usr/bin/page: now");
	assert_int_equal(kt_alert_sink_parse(&ctx, KT_ALERT_SYSLOG, NULL,
					     KT_SEV_MAJOR, &s), 0);
	assert_null(s.target);
	assert_int_equal(s.min_severity, KT_SEV_MAJOR);
	assert_int_equal(kt_alert_sink_parse(&ctx, KT_ALERT_SYSLOG,
					     "critical", KT_SEV_MINOR, &s), 0);
	assert_int_equal(s.min_severity, KT_SEV_CRITICAL);

	assert_int_equal(kt_alert_sink_parse(&ctx, KT_ALERT_SLACK,
					     "ftp://x", KT_SEV_MINOR, &s),
			 KT_ERR_USAGE);
	assert_string_equal(kt_ctx_error(&ctx),
		"bad --slack 'ftp://x': not an http:// or https:// URL");
	assert_int_equal(kt_alert_sink_parse(&ctx, KT_ALERT_WEBHOOK,
					     "severe:http://x", KT_SEV_MINOR,
					     &s), KT_ERR_USAGE);
	assert_int_equal(kt_alert_sink_parse(&ctx, KT_ALERT_WECOM,
					     "major:", KT_SEV_MINOR, &s),
			 KT_ERR_USAGE);
	assert_int_equal(kt_alert_sink_parse(&ctx, KT_ALERT_EXEC, "",
					     KT_SEV_MINOR, &s), KT_ERR_USAGE);
	assert_int_equal(kt_alert_sink_parse(&ctx, KT_ALERT_SYSLOG, "loud",
					     KT_SEV_MINOR, &s), KT_ERR_USAGE);
	assert_int_equal(kt_alert_severity_from_name("critical"),
			 KT_SEV_CRITICAL);
	assert_int_equal(kt_alert_severity_from_name("Critical"), -1);
	kt_ctx_release(&ctx);
}

static void test_sink_names(void **state)
{
	struct fix *f = *state;

	add_sink(f, KT_ALERT_WEBHOOK, "http://a.example/", KT_SEV_MINOR);
	add_sink(f, KT_ALERT_SLACK, "https://hooks.slack.com/x",
		 KT_SEV_MINOR);
	add_sink(f, KT_ALERT_WEBHOOK, "http://b.example/", KT_SEV_MINOR);
	add_sink(f, KT_ALERT_WEBHOOK, "http://c.example/", KT_SEV_MINOR);
	new_alerter(f);
	assert_string_equal(kt_alerter_sink_name(f->a, 0), "webhook");
	assert_string_equal(kt_alerter_sink_name(f->a, 1), "slack");
	assert_string_equal(kt_alerter_sink_name(f->a, 2), "webhook-2");
	assert_string_equal(kt_alerter_sink_name(f->a, 3), "webhook-3");
	assert_null(kt_alerter_sink_name(f->a, 4));
}

/* ------------------------------------------------------------ deciding */

static void test_cooldown(void **state)
{
	struct fix *f = *state;
	struct strbuf sink = STRBUF_INIT;
	json_t *r;

	add_sink(f, KT_ALERT_WEBHOOK, "http://a.example/", KT_SEV_MINOR);
	new_alerter(f);
	assert_int_equal(event_at(f, "aaaaaaaaaaaaaaaa", KT_SEV_MAJOR, T0), 1);
	assert_int_equal(event_at(f, "aaaaaaaaaaaaaaaa", KT_SEV_MAJOR,
				  T0 + SEC_US), 0);
	assert_int_equal(event_at(f, "aaaaaaaaaaaaaaaa", KT_SEV_MAJOR,
				  T0 + 9 * MIN_US), 0);
	/* another problem is alerted on at once */
	assert_int_equal(event_at(f, "bbbbbbbbbbbbbbbb", KT_SEV_MAJOR,
				  T0 + 9 * MIN_US), 1);
	/* the window is over: one alert with the two repeats folded in */
	assert_int_equal(event_at(f, "aaaaaaaaaaaaaaaa", KT_SEV_MAJOR,
				  T0 + 10 * MIN_US), 1);

	r = take(f, &sink);
	assert_string_equal(sink.buf, "webhook");
	assert_string_equal(str_of(r, "kind"), "event");
	assert_int_equal(int_of(r, "repeats"), 0);
	assert_string_equal(str_of(json_object_get(r, "event"), "fingerprint"),
			    "aaaaaaaaaaaaaaaa");
	json_decref(r);
	r = take(f, &sink);
	assert_string_equal(str_of(json_object_get(r, "event"), "fingerprint"),
			    "bbbbbbbbbbbbbbbb");
	json_decref(r);
	r = take(f, &sink);
	assert_int_equal(int_of(r, "repeats"), 2);
	assert_string_equal(str_of(r, "created"), "2026-06-06T21:50:00Z");
	json_decref(r);
	assert_null(take(f, &sink));
	strbuf_release(&sink);
}

static void test_severity(void **state)
{
	struct fix *f = *state;
	struct strbuf sink = STRBUF_INIT;
	json_t *r;

	add_sink(f, KT_ALERT_WEBHOOK, "http://a.example/", KT_SEV_MINOR);
	add_sink(f, KT_ALERT_SLACK, "https://hooks.slack.com/x",
		 KT_SEV_CRITICAL);
	add_sink(f, KT_ALERT_WEBHOOK, "http://b.example/", KT_SEV_MAJOR);
	new_alerter(f);
	assert_int_equal(event_at(f, "1111111111111111", KT_SEV_MINOR, T0), 1);
	r = take(f, &sink);
	assert_string_equal(sink.buf, "webhook");
	json_decref(r);
	assert_null(take(f, &sink));

	assert_int_equal(event_at(f, "2222222222222222", KT_SEV_MAJOR, T0), 2);
	r = take(f, &sink);
	assert_string_equal(sink.buf, "webhook");
	json_decref(r);
	r = take(f, &sink);
	assert_string_equal(sink.buf, "webhook-2");
	json_decref(r);

	assert_int_equal(event_at(f, "3333333333333333", KT_SEV_CRITICAL, T0),
			 3);
	assert_int_equal(spool_count(f), 3);
	/* the cooldown is over for the one sink the minor event reaches */
	assert_int_equal(event_at(f, "1111111111111111", KT_SEV_MINOR,
				  T0 + 11 * MIN_US), 1);
	strbuf_release(&sink);
}

static void test_storm(void **state)
{
	struct fix *f = *state;
	struct strbuf sink = STRBUF_INIT;
	char fp[17];
	json_t *r;
	int i;

	f->conf.storm_per_min = 3;
	add_sink(f, KT_ALERT_WEBHOOK, "http://a.example/", KT_SEV_MINOR);
	add_sink(f, KT_ALERT_SYSLOG, NULL, KT_SEV_CRITICAL);
	new_alerter(f);
	for (i = 0; i < 10; i++) {
		snprintf(fp, sizeof(fp), "%016x", 0xf00 + i);
		assert_int_equal(event_at(f, fp, KT_SEV_MAJOR,
					  T0 + i * SEC_US),
				 i < 3 ? 1 : 0);
	}
	/* repeats in the cooldown are not alerts: not suppressed either */
	assert_int_equal(event_at(f, "0000000000000f00", KT_SEV_MAJOR,
				  T0 + 20 * SEC_US), 0);
	assert_int_equal(tick_at(f, T0 + 59 * SEC_US), 0);
	assert_int_equal(spool_count(f), 3);
	assert_int_equal(tick_at(f, T0 + 60 * SEC_US), 1);
	assert_int_equal(tick_at(f, T0 + 61 * SEC_US), 0);
	for (i = 0; i < 3; i++)
		json_decref(take(f, &sink));
	r = take(f, &sink);
	assert_string_equal(sink.buf, "webhook");
	assert_string_equal(str_of(r, "kind"), "suppressed");
	assert_int_equal(int_of(r, "suppressed"), 7);
	assert_string_equal(str_of(r, "since"), "2026-06-06T21:40:00Z");
	assert_string_equal(str_of(r, "until"), "2026-06-06T21:41:00Z");
	assert_string_equal(str_of(r, "host"), "watcher-1");
	json_decref(r);

	/* a new minute, a new window; syslog has its own */
	assert_int_equal(event_at(f, "ffffffffffffffff", KT_SEV_CRITICAL,
				  T0 + 90 * SEC_US), 2);
	assert_int_equal(spool_count(f), 2);
	strbuf_release(&sink);
}

/* ------------------------------------------------------------ receiver */

/* An HTTP server on 127.0.0.1 in a thread: answers fail first, then 200. */
struct receiver {
	int fd;
	int port;
	pthread_t thread;
	pthread_mutex_t lock;
	bool stop;
	unsigned fail;		/* answer 503 to this many requests */
	unsigned requests;	/* all of them */
	unsigned ok;		/* answered 200 */
	int64_t at[16];		/* mono_us of each request */
	struct strbuf body;	/* the last one answered 200 */
};

static int listen_on(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 16), 0);
	return fd;
}

static int port_of(int fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	return ntohs(sa.sin_port);
}

/* Reads one request from c; its body into body.  0 or -1. */
static int read_request(int c, struct strbuf *body)
{
	struct strbuf in = STRBUF_INIT;
	const char *end = NULL, *cl;
	size_t want = 0;
	char buf[4096];
	ssize_t n;
	int rc = -1;

	while ((n = read(c, buf, sizeof(buf))) > 0) {
		strbuf_add(&in, buf, (size_t)n);
		if (!end) {
			end = strstr(in.buf, "\r\n\r\n");
			if (!end)
				continue;
			cl = strcasestr(in.buf, "\r\ncontent-length:");
			if (!cl || cl > end)
				break;
			for (cl += 17; *cl == ' '; cl++)
				;
			for (; *cl >= '0' && *cl <= '9'; cl++)
				want = want * 10 + (size_t)(*cl - '0');
			want += (size_t)(end - in.buf) + 4;
		}
		if (in.len >= want) {
			end = strstr(in.buf, "\r\n\r\n");
			strbuf_reset(body);
			strbuf_addstr(body, end + 4);
			rc = 0;
			break;
		}
	}
	strbuf_release(&in);
	return rc;
}

static void *serve(void *data)
{
	struct receiver *r = data;
	struct strbuf body = STRBUF_INIT;

	for (;;) {
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		struct timeval tv = { .tv_sec = 2 };
		const char *answer;
		bool stop;
		int c;

		pthread_mutex_lock(&r->lock);
		stop = r->stop;
		pthread_mutex_unlock(&r->lock);
		if (stop)
			break;
		if (poll(&p, 1, 20) <= 0)
			continue;
		c = accept4(r->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (read_request(c, &body)) {
			close(c);
			continue;
		}
		pthread_mutex_lock(&r->lock);
		if (r->requests < KT_ARRAY_SIZE(r->at))
			r->at[r->requests] = kt_mono_us();
		r->requests++;
		if (r->fail) {
			r->fail--;
			answer = "HTTP/1.1 503 Busy\r\n";
		} else {
			r->ok++;
			strbuf_reset(&r->body);
			strbuf_add(&r->body, body.buf, body.len);
			answer = "HTTP/1.1 200 OK\r\n";
		}
		pthread_mutex_unlock(&r->lock);
		if (send(c, answer, strlen(answer), MSG_NOSIGNAL) < 0 ||
		    send(c, "Content-Length: 0\r\nConnection: close\r\n\r\n",
			 41, MSG_NOSIGNAL) < 0)
			fail_msg("cannot answer: %s", strerror(errno));
		close(c);
	}
	strbuf_release(&body);
	return NULL;
}

/* Starts a receiver on port (0: any). */
static void receiver_start(struct receiver *r, int port, unsigned fail)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->body, 0);
	pthread_mutex_init(&r->lock, NULL);
	r->fail = fail;
	r->fd = listen_on(port);
	r->port = port_of(r->fd);
	assert_int_equal(pthread_create(&r->thread, NULL, serve, r), 0);
}

static void receiver_stop(struct receiver *r)
{
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	close(r->fd);
	strbuf_release(&r->body);
	pthread_mutex_destroy(&r->lock);
}

static unsigned receiver_ok(struct receiver *r)
{
	unsigned n;

	pthread_mutex_lock(&r->lock);
	n = r->ok;
	pthread_mutex_unlock(&r->lock);
	return n;
}

/* Waits up to secs for cond(f, data); whether it came true. */
static bool wait_for(bool (*cond)(struct fix *, void *), struct fix *f,
		     void *data, int secs)
{
	int64_t until = kt_mono_us() + secs * SEC_US;

	while (!cond(f, data)) {
		if (kt_mono_us() > until)
			return false;
		usleep(2000);
	}
	return true;
}

static bool received(struct fix *f, void *data)
{
	(void)f;
	return receiver_ok(data) > 0;
}

static bool spool_empty(struct fix *f, void *data)
{
	(void)data;
	return spool_count(f) == 0;
}

static void url_of(struct strbuf *url, int port)
{
	strbuf_reset(url);
	strbuf_addf(url, "http://127.0.0.1:%d/hook", port);
}

/* ------------------------------------------------------------ delivery */

static void test_deliver_once(void **state)
{
	struct fix *f = *state;
	struct strbuf url = STRBUF_INIT;
	struct receiver r;
	json_t *j;

	receiver_start(&r, 0, 0);
	url_of(&url, r.port);
	add_sink(f, KT_ALERT_WEBHOOK, url.buf, KT_SEV_MINOR);
	new_alerter(f);
	assert_int_equal(kt_alerter_start(&f->ctx, f->a, f->db), 0);
	assert_int_equal(event_at(f, "abcdefabcdefabcd", KT_SEV_MAJOR,
				  kt_wall_us()), 1);
	kt_alerter_kick(f->a);
	assert_true(wait_for(received, f, &r, 10));
	assert_true(wait_for(spool_empty, f, NULL, 10));
	usleep(300 * 1000);
	kt_alerter_stop(f->a);
	assert_int_equal(r.requests, 1);
	j = json_loads(r.body.buf, 0, NULL);
	assert_non_null(j);
	assert_string_equal(str_of(j, "fingerprint"), "abcdefabcdefabcd");
	assert_int_equal(int_of(j, "repeats"), 0);
	json_decref(j);
	receiver_stop(&r);
	strbuf_release(&url);
}

/* The median time from a committed event to its alert arriving. */
static void test_latency(void **state)
{
	struct fix *f = *state;
	struct strbuf url = STRBUF_INIT;
	int64_t took[15], t;
	struct receiver r;
	char fp[17];
	unsigned i, j;

	receiver_start(&r, 0, 0);
	url_of(&url, r.port);
	add_sink(f, KT_ALERT_WEBHOOK, url.buf, KT_SEV_MINOR);
	new_alerter(f);
	assert_int_equal(kt_alerter_start(&f->ctx, f->a, f->db), 0);
	for (i = 0; i < KT_ARRAY_SIZE(took); i++) {
		snprintf(fp, sizeof(fp), "%016x", 0x1a7 + i);
		t = kt_mono_us();
		assert_int_equal(event_at(f, fp, KT_SEV_MAJOR, kt_wall_us()), 1);
		kt_alerter_kick(f->a);
		while (receiver_ok(&r) <= i) {
			assert_true(kt_mono_us() - t < 10 * SEC_US);
			usleep(200);
		}
		took[i] = kt_mono_us() - t;
	}
	kt_alerter_stop(f->a);
	for (i = 1; i < KT_ARRAY_SIZE(took); i++)
		for (j = i; j && took[j - 1] > took[j]; j--) {
			t = took[j];
			took[j] = took[j - 1];
			took[j - 1] = t;
		}
	print_message("alert latency: median %lld us, max %lld us\n",
		      (long long)took[KT_ARRAY_SIZE(took) / 2],
		      (long long)took[KT_ARRAY_SIZE(took) - 1]);
	assert_true(took[KT_ARRAY_SIZE(took) / 2] < 100 * 1000);
	receiver_stop(&r);
	strbuf_release(&url);
}

/* 503 twice: attempts 1 s, then 2 s apart (less a fifth of jitter). */
static void test_retry_backoff(void **state)
{
	struct fix *f = *state;
	struct strbuf url = STRBUF_INIT, out = STRBUF_INIT;
	struct kt_metrics *m = kt_metrics_new(NULL, 0);
	struct receiver r;

	receiver_start(&r, 0, 2);
	url_of(&url, r.port);
	add_sink(f, KT_ALERT_WEBHOOK, url.buf, KT_SEV_MINOR);
	assert_int_equal(kt_alerter_new(&f->ctx, &f->conf, f->st, m, &f->a),
			 0);
	assert_int_equal(kt_alerter_start(&f->ctx, f->a, f->db), 0);
	assert_int_equal(event_at(f, "abcdefabcdefabcd", KT_SEV_MAJOR,
				  kt_wall_us()), 1);
	kt_alerter_kick(f->a);
	assert_true(wait_for(received, f, &r, 15));
	assert_true(wait_for(spool_empty, f, NULL, 10));
	kt_alerter_stop(f->a);
	assert_int_equal(r.requests, 3);
	assert_true(r.at[1] - r.at[0] >= 800 * 1000);
	assert_true(r.at[1] - r.at[0] < 2 * SEC_US);
	assert_true(r.at[2] - r.at[1] >= 1600 * 1000);
	assert_true(r.at[2] - r.at[1] < 3 * SEC_US);
	kt_metrics_render(m, &out);
	assert_non_null(strstr(out.buf, "ktriage_alerts_sent_total{sink="
				"\"webhook\",result=\"error\"} 2\n"));
	assert_non_null(strstr(out.buf, "ktriage_alerts_sent_total{sink="
				"\"webhook\",result=\"ok\"} 1\n"));
	assert_non_null(strstr(out.buf, "ktriage_alert_spool_items 0\n"));
	kt_alerter_free(f->a);
	f->a = NULL;
	kt_metrics_free(m);
	receiver_stop(&r);
	strbuf_release(&url);
	strbuf_release(&out);
}

/* Nobody listens at first; the alert arrives once someone does. */
static void test_receiver_down(void **state)
{
	struct fix *f = *state;
	struct strbuf url = STRBUF_INIT;
	struct receiver r;
	int fd = listen_on(0), port = port_of(fd);

	close(fd);
	url_of(&url, port);
	add_sink(f, KT_ALERT_WEBHOOK, url.buf, KT_SEV_MINOR);
	new_alerter(f);
	assert_int_equal(kt_alerter_start(&f->ctx, f->a, f->db), 0);
	assert_int_equal(event_at(f, "abcdefabcdefabcd", KT_SEV_MAJOR,
				  kt_wall_us()), 1);
	kt_alerter_kick(f->a);
	usleep(1500 * 1000);
	assert_int_equal(spool_count(f), 1);
	receiver_start(&r, port, 0);
	assert_true(wait_for(received, f, &r, 15));
	assert_true(wait_for(spool_empty, f, NULL, 10));
	kt_alerter_stop(f->a);
	assert_int_equal(r.requests, 1);
	receiver_stop(&r);
	strbuf_release(&url);
}

/* Stopped while failing: the alert stays queued for the next alerter. */
static void test_restart(void **state)
{
	struct fix *f = *state;
	struct strbuf url = STRBUF_INIT;
	struct receiver r;
	bool tried;
	int64_t until;

	receiver_start(&r, 0, 1000);
	url_of(&url, r.port);
	add_sink(f, KT_ALERT_WEBHOOK, url.buf, KT_SEV_MINOR);
	new_alerter(f);
	assert_int_equal(kt_alerter_start(&f->ctx, f->a, f->db), 0);
	assert_int_equal(event_at(f, "abcdefabcdefabcd", KT_SEV_MAJOR,
				  kt_wall_us()), 1);
	kt_alerter_kick(f->a);
	until = kt_mono_us() + 10 * SEC_US;
	do {
		usleep(2000);
		pthread_mutex_lock(&r.lock);
		tried = r.requests > 0;
		pthread_mutex_unlock(&r.lock);
	} while (!tried && kt_mono_us() < until);
	assert_true(tried);
	kt_alerter_free(f->a);
	f->a = NULL;
	assert_int_equal(spool_count(f), 1);

	pthread_mutex_lock(&r.lock);
	r.fail = 0;
	pthread_mutex_unlock(&r.lock);
	new_alerter(f);
	assert_int_equal(kt_alerter_start(&f->ctx, f->a, f->db), 0);
	assert_true(wait_for(received, f, &r, 10));
	assert_true(wait_for(spool_empty, f, NULL, 10));
	kt_alerter_stop(f->a);
	assert_int_equal(r.ok, 1);
	assert_non_null(strstr(r.body.buf, "abcdefabcdefabcd"));
	receiver_stop(&r);
	strbuf_release(&url);
}

static bool file_has(struct fix *f, void *path)
{
	FILE *fp = fopen(path, "r");
	int c = fp ? fgetc(fp) : EOF;

	(void)f;
	if (fp)
		fclose(fp);
	return c == '{' && spool_count(f) == 0;
}

static void test_exec_stdin(void **state)
{
	struct fix *f = *state;
	struct strbuf cmd = STRBUF_INIT, path = STRBUF_INIT;
	json_t *j;

	strbuf_addf(&path, "%s/alert.json", f->dir);
	strbuf_addf(&cmd, "cat > '%s.tmp' && mv '%s.tmp' '%s'", path.buf,
		    path.buf, path.buf);
	add_sink(f, KT_ALERT_EXEC, cmd.buf, KT_SEV_MINOR);
	new_alerter(f);
	assert_int_equal(kt_alerter_start(&f->ctx, f->a, f->db), 0);
	assert_int_equal(event_at(f, "abcdefabcdefabcd", KT_SEV_CRITICAL,
				  kt_wall_us()), 1);
	kt_alerter_kick(f->a);
	assert_true(wait_for(file_has, f, path.buf, 10));
	kt_alerter_stop(f->a);
	j = json_load_file(path.buf, 0, NULL);
	assert_non_null(j);
	assert_string_equal(str_of(j, "fingerprint"), "abcdefabcdefabcd");
	assert_string_equal(str_of(j, "severity"), "critical");
	assert_int_equal(int_of(j, "repeats"), 0);
	json_decref(j);
	strbuf_release(&cmd);
	strbuf_release(&path);
}

/* A command that hangs, with a child of its own, is killed at the timeout. */
static void test_exec_timeout(void **state)
{
	struct fix *f = *state;
	struct strbuf cmd = STRBUF_INIT, path = STRBUF_INIT;
	char buf[32] = "";
	int64_t t;
	FILE *fp;
	int pid = 0, i;

	strbuf_addf(&path, "%s/pid", f->dir);
	strbuf_addf(&cmd, "sleep 60 & echo $! > '%s'; wait", path.buf);
	f->conf.http_timeout_us = 500 * 1000;
	add_sink(f, KT_ALERT_EXEC, cmd.buf, KT_SEV_MINOR);
	add_sink(f, KT_ALERT_EXEC, "exit 3", KT_SEV_MINOR);
	new_alerter(f);
	t = kt_mono_us();
	assert_int_equal(kt_alerter_test(&f->ctx, f->a), KT_ERR_IO);
	t = kt_mono_us() - t;
	assert_true(t >= 450 * 1000);
	assert_true(t < 3 * SEC_US);
	assert_string_equal(kt_ctx_error(&f->ctx),
			    "alert sink exec: exec took more than 500 ms and "
			    "was killed");
	fp = fopen(path.buf, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	for (i = 0; buf[i] >= '0' && buf[i] <= '9'; i++)
		pid = pid * 10 + buf[i] - '0';
	assert_true(pid > 0);
	/* the sleep was in the group: gone, or a zombie until reaped */
	for (i = 0; i < 200 && !kill(pid, 0); i++) {
		char st[64], state_c = 0;

		snprintf(st, sizeof(st), "/proc/%d/stat", pid);
		fp = fopen(st, "r");
		if (fp) {
			if (fscanf(fp, "%*d %*s %c", &state_c) != 1)
				state_c = 0;
			fclose(fp);
		}
		if (state_c == 'Z')
			break;
		usleep(10 * 1000);
	}
	assert_true(i < 200);
	strbuf_release(&cmd);
	strbuf_release(&path);
}

static void test_exec_status(void **state)
{
	struct fix *f = *state;

	add_sink(f, KT_ALERT_EXEC, "cat > /dev/null", KT_SEV_MINOR);
	add_sink(f, KT_ALERT_EXEC, "exit 3", KT_SEV_MINOR);
	/* reads nothing: writing to it may raise SIGPIPE, which must pass */
	add_sink(f, KT_ALERT_EXEC, "exec 0<&-; exit 0", KT_SEV_MINOR);
	new_alerter(f);
	assert_int_equal(kt_alerter_test(&f->ctx, f->a), KT_ERR_IO);
	assert_string_equal(kt_ctx_error(&f->ctx),
			    "alert sink exec-2: exec-2 exited with status 3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sink_parse),
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_sink_names),
		T(test_cooldown),
		T(test_severity),
		T(test_storm),
		T(test_deliver_once),
		T(test_latency),
		T(test_retry_backoff),
		T(test_receiver_down),
		T(test_restart),
		T(test_exec_stdin),
		T(test_exec_timeout),
		T(test_exec_status),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
