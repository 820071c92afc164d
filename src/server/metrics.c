/*
 * metrics.c - watch's counters and their /metrics endpoint (see
 * metrics.h).
 *
 * Part of the server stage.  One mutex guards everything: the loop
 * updates a few counters per event, the HTTP thread renders them now and
 * then, so contention is nil.
 */
#include "base/compat.h"
#include "base/strmap.h"
#include "base/xalloc.h"
#include "server/metrics.h"
#include "server/mhd.h"
#include <netdb.h>
#include <pthread.h>
#include <sys/socket.h>

#define SEVERITIES 3

struct source {
	uint64_t lines, lost;
	bool up;
};

struct kt_metrics {
	pthread_mutex_t lock;
	int64_t start_us;
	struct kt_strmap types;	/* type name -> index */
	uint64_t (*events)[SEVERITIES];	/* owned; per type */
	double *last_s;		/* owned; per type, 0: never */
	size_t alloc_types;
	struct kt_strmap sources;	/* name -> source[] */
	struct source *source;	/* owned */
	size_t alloc_source;
	struct kt_strmap alerts;	/* "sink\tresult" -> alerts[] */
	uint64_t *alert;	/* owned */
	size_t alloc_alert;
	uint64_t spool;
};

static const char *const sev_names[SEVERITIES] = {
	"minor", "major", "critical"
};

static size_t type_index(struct kt_metrics *m, const char *type)
{
	size_t i = kt_strmap_intern(&m->types, type, NULL);

	if (i >= m->alloc_types) {
		size_t old = m->alloc_types, n = st_mult(i + 1, 2);

		m->events = xrealloc(m->events, st_mult(n, sizeof(*m->events)));
		m->last_s = xrealloc(m->last_s, st_mult(n, sizeof(*m->last_s)));
		memset(m->events + old, 0, (n - old) * sizeof(*m->events));
		memset(m->last_s + old, 0, (n - old) * sizeof(*m->last_s));
		m->alloc_types = n;
	}
	return i;
}

static struct source *source_of(struct kt_metrics *m, const char *name)
{
	size_t i = kt_strmap_intern(&m->sources, name, NULL);

	if (i >= m->alloc_source) {
		size_t old = m->alloc_source;

		ALLOC_GROW(m->source, i + 1, m->alloc_source);
		memset(m->source + old, 0,
		       (m->alloc_source - old) * sizeof(*m->source));
	}
	return &m->source[i];
}

struct kt_metrics *kt_metrics_new(const struct kt_ruleset *rs,
				  int64_t start_us)
{
	struct kt_metrics *m = xcalloc(1, sizeof(*m));
	size_t i;

	pthread_mutex_init(&m->lock, NULL);
	m->start_us = start_us;
	for (i = 0; rs && i < rs->nr_types; i++)
		type_index(m, rs->types[i]);
	return m;
}

void kt_metrics_free(struct kt_metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	kt_strmap_release(&m->types);
	kt_strmap_release(&m->sources);
	kt_strmap_release(&m->alerts);
	free(m->events);
	free(m->last_s);
	free(m->source);
	free(m->alert);
	free(m);
}

void kt_metrics_event(struct kt_metrics *m, const char *type,
		      enum kt_severity sev, int64_t wall_us)
{
	size_t i;

	pthread_mutex_lock(&m->lock);
	i = type_index(m, type);
	if ((int)sev >= 0 && sev < SEVERITIES)
		m->events[i][sev]++;
	if (wall_us != INT64_MIN)
		m->last_s[i] = (double)wall_us / 1e6;
	pthread_mutex_unlock(&m->lock);
}

void kt_metrics_source_lines(struct kt_metrics *m, const char *source,
			     uint64_t n)
{
	pthread_mutex_lock(&m->lock);
	source_of(m, source)->lines += n;
	pthread_mutex_unlock(&m->lock);
}

void kt_metrics_source_lost(struct kt_metrics *m, const char *source,
			    uint64_t lost)
{
	struct source *s;

	pthread_mutex_lock(&m->lock);
	s = source_of(m, source);
	if (lost > s->lost)
		s->lost = lost;
	pthread_mutex_unlock(&m->lock);
}

void kt_metrics_source_up(struct kt_metrics *m, const char *source, bool up)
{
	pthread_mutex_lock(&m->lock);
	source_of(m, source)->up = up;
	pthread_mutex_unlock(&m->lock);
}

void kt_metrics_alert(struct kt_metrics *m, const char *sink,
		      const char *result)
{
	struct strbuf key = STRBUF_INIT;
	size_t i;

	strbuf_addstr(&key, sink);
	strbuf_addch(&key, '\t');
	strbuf_addstr(&key, result);
	pthread_mutex_lock(&m->lock);
	i = kt_strmap_intern(&m->alerts, key.buf, NULL);
	if (i >= m->alloc_alert) {
		size_t old = m->alloc_alert;

		ALLOC_GROW(m->alert, i + 1, m->alloc_alert);
		memset(m->alert + old, 0,
		       (m->alloc_alert - old) * sizeof(*m->alert));
	}
	m->alert[i]++;
	pthread_mutex_unlock(&m->lock);
	strbuf_release(&key);
}

void kt_metrics_spool(struct kt_metrics *m, uint64_t items)
{
	pthread_mutex_lock(&m->lock);
	m->spool = items;
	pthread_mutex_unlock(&m->lock);
}

/* ------------------------------------------------------------ rendering */

/* A label value: \, " and newline escaped, as the format asks. */
static void label(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			strbuf_addch(out, '\\');
		if (*s == '\n') {
			strbuf_addstr(out, "\\n");
			continue;
		}
		strbuf_addch(out, *s);
	}
}

static void head(struct strbuf *out, const char *name, const char *type,
		 const char *help)
{
	strbuf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		    type);
}

void kt_metrics_render(struct kt_metrics *m, struct strbuf *out)
{
	size_t i;
	int s;

	pthread_mutex_lock(&m->lock);
	head(out, "ktriage_build_info", "gauge",
	     "ktriage version, always 1");
	strbuf_addstr(out, "ktriage_build_info{version=\"");
	label(out, KT_VERSION);
	strbuf_addstr(out, "\"} 1\n");
	head(out, "ktriage_start_time_seconds", "gauge",
	     "when watch started, seconds since the epoch");
	strbuf_addf(out, "ktriage_start_time_seconds %.3f\n",
		    (double)m->start_us / 1e6);
	head(out, "ktriage_events_total", "counter",
	     "anomaly events found, by type and severity");
	for (i = 0; i < m->types.nr; i++)
		for (s = 0; s < SEVERITIES; s++) {
			strbuf_addstr(out, "ktriage_events_total{type=\"");
			label(out, m->types.keys[i]);
			strbuf_addf(out, "\",severity=\"%s\"} %llu\n",
				    sev_names[s],
				    (unsigned long long)m->events[i][s]);
		}
	head(out, "ktriage_last_event_timestamp_seconds", "gauge",
	     "time of the latest event of each type seen");
	for (i = 0; i < m->types.nr; i++) {
		if (!m->last_s[i])
			continue;
		strbuf_addstr(out,
			      "ktriage_last_event_timestamp_seconds{type=\"");
		label(out, m->types.keys[i]);
		strbuf_addf(out, "\"} %.3f\n", m->last_s[i]);
	}
	head(out, "ktriage_source_lines_total", "counter",
	     "lines read from each source");
	for (i = 0; i < m->sources.nr; i++) {
		strbuf_addstr(out, "ktriage_source_lines_total{source=\"");
		label(out, m->sources.keys[i]);
		strbuf_addf(out, "\"} %llu\n",
			    (unsigned long long)m->source[i].lines);
	}
	head(out, "ktriage_source_lost_records_total", "counter",
	     "records a source lost before they could be read");
	for (i = 0; i < m->sources.nr; i++) {
		strbuf_addstr(out,
			      "ktriage_source_lost_records_total{source=\"");
		label(out, m->sources.keys[i]);
		strbuf_addf(out, "\"} %llu\n",
			    (unsigned long long)m->source[i].lost);
	}
	head(out, "ktriage_source_up", "gauge",
	     "1 while a source is read, 0 when it failed");
	for (i = 0; i < m->sources.nr; i++) {
		strbuf_addstr(out, "ktriage_source_up{source=\"");
		label(out, m->sources.keys[i]);
		strbuf_addf(out, "\"} %d\n", m->source[i].up ? 1 : 0);
	}
	head(out, "ktriage_alerts_sent_total", "counter",
	     "alert deliveries, by sink and result");
	for (i = 0; i < m->alerts.nr; i++) {
		const char *k = m->alerts.keys[i], *tab = strchr(k, '\t');
		struct strbuf sink = STRBUF_INIT;

		strbuf_add(&sink, k, (size_t)(tab - k));
		strbuf_addstr(out, "ktriage_alerts_sent_total{sink=\"");
		label(out, sink.buf);
		strbuf_addstr(out, "\",result=\"");
		label(out, tab + 1);
		strbuf_addf(out, "\"} %llu\n",
			    (unsigned long long)m->alert[i]);
		strbuf_release(&sink);
	}
	head(out, "ktriage_alert_spool_items", "gauge",
	     "alerts waiting for delivery");
	strbuf_addf(out, "ktriage_alert_spool_items %llu\n",
		    (unsigned long long)m->spool);
	pthread_mutex_unlock(&m->lock);
}

/* ------------------------------------------------------------ HTTP */

struct kt_metrics_server {
	struct kt_mhd lib;
	struct MHD_Daemon *mhd;
	struct kt_metrics *m;	/* borrowed */
};

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_size, void **req)
{
	struct kt_metrics_server *srv = cls;
	struct strbuf body = STRBUF_INIT;
	struct MHD_Response *resp;
	const char *type = "text/plain; charset=utf-8";
	unsigned status = MHD_HTTP_OK;
	enum MHD_Result rc;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)req;
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
		strbuf_addstr(&body, "method not allowed\n");
	} else if (!strcmp(url, "/metrics")) {
		kt_metrics_render(srv->m, &body);
		type = "text/plain; version=0.0.4; charset=utf-8";
	} else if (!strcmp(url, "/")) {
		strbuf_addstr(&body, "ktriage watch: metrics at /metrics\n");
	} else {
		status = MHD_HTTP_NOT_FOUND;
		strbuf_addstr(&body, "not found\n");
	}
	resp = srv->lib.create_response_from_buffer(body.len, body.buf,
						    MHD_RESPMEM_MUST_COPY);
	strbuf_release(&body);
	if (!resp)
		return MHD_NO;
	srv->lib.add_response_header(resp, "Content-Type", type);
	rc = srv->lib.queue_response(conn, status, resp);
	srv->lib.destroy_response(resp);
	return rc;
}

/* "9100", "127.0.0.1:9100", "[::1]:9100", "localhost:9100" */
static int parse_addr(struct kt_ctx *ctx, const char *addr,
		      struct sockaddr_storage *ss, socklen_t *len)
{
	struct strbuf host = STRBUF_INIT;
	struct addrinfo hints, *res = NULL;
	const char *port = strrchr(addr, ':');
	int rc = 0, e;

	if (!port) {
		port = addr;
		strbuf_addstr(&host, "0.0.0.0");
	} else if (addr[0] == '[') {
		const char *close = strchr(addr, ']');

		if (!close || close + 1 != port)
			return kt_failf(ctx, KT_ERR_USAGE,
					"bad address '%s'", addr);
		strbuf_add(&host, addr + 1, (size_t)(close - addr - 1));
		port++;
	} else {
		strbuf_add(&host, addr, (size_t)(port - addr));
		port++;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	e = getaddrinfo(host.len ? host.buf : NULL, port, &hints, &res);
	if (e || !res || res->ai_addrlen > sizeof(*ss)) {
		rc = kt_failf(ctx, KT_ERR_USAGE, "bad address '%s': %s", addr,
			      e ? gai_strerror(e) : "no address");
	} else {
		memcpy(ss, res->ai_addr, res->ai_addrlen);
		*len = res->ai_addrlen;
	}
	if (res)
		freeaddrinfo(res);
	strbuf_release(&host);
	return rc;
}

int kt_metrics_serve(struct kt_ctx *ctx, struct kt_metrics *m,
		     const char *addr, struct kt_metrics_server **out)
{
	struct kt_metrics_server *srv;
	struct sockaddr_storage ss;
	socklen_t len = 0;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD;
	uint16_t port;
	int rc = parse_addr(ctx, addr, &ss, &len);

	if (rc)
		return rc;
	if (ss.ss_family == AF_INET6) {
		flags |= MHD_USE_IPv6;
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	} else {
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	srv = xcalloc(1, sizeof(*srv));
	srv->m = m;
	rc = kt_mhd_open(ctx, &srv->lib);
	if (rc) {
		free(srv);
		return rc;
	}
	srv->mhd = srv->lib.start_daemon(flags, port, NULL, NULL, answer, srv,
				    MHD_OPTION_SOCK_ADDR, &ss,
				    MHD_OPTION_CONNECTION_LIMIT, 16U,
				    MHD_OPTION_CONNECTION_TIMEOUT, 10U,
				    MHD_OPTION_END);
	if (!srv->mhd) {
		free(srv);
		return kt_failf(ctx, KT_ERR_IO,
				"cannot serve metrics on '%s': %s", addr,
				strerror(errno ? errno : EADDRINUSE));
	}
	*out = srv;
	return 0;
}

void kt_metrics_stop(struct kt_metrics_server *srv)
{
	if (!srv)
		return;
	srv->lib.stop_daemon(srv->mhd);
	free(srv);
}
