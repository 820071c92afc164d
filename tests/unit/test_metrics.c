/*
 * test_metrics.c - watch's metrics: every type x severity series at 0
 * from the start, counters that count, label values escaped, and the
 * /metrics endpoint answering over HTTP.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "server/metrics.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

static struct kt_ruleset rs;

static int setup(void **state)
{
	struct kt_ctx ctx;

	(void)state;
	kt_ctx_init(&ctx);
	kt_ruleset_init(&rs);
	if (kt_ruleset_load_default(&ctx, &rs) ||
	    kt_ruleset_finish(&ctx, &rs))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kt_ruleset_release(&rs);
	return 0;
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return true;
		p++;
	}
	return false;
}

static void test_zero_series_from_the_start(void **state)
{
	struct kt_metrics *m = kt_metrics_new(&rs, 1700000000000000LL);
	struct strbuf out = STRBUF_INIT;

	(void)state;
	kt_metrics_render(m, &out);
	assert_true(has_line(out.buf,
		"ktriage_events_total{type=\"oom\",severity=\"major\"} 0"));
	assert_true(has_line(out.buf,
		"ktriage_events_total{type=\"panic\",severity=\"critical\"} 0"));
	assert_true(has_line(out.buf,
		"ktriage_events_total{type=\"reboot\",severity=\"minor\"} 0"));
	assert_true(has_line(out.buf,
		"# TYPE ktriage_events_total counter"));
	assert_true(has_line(out.buf, "ktriage_alert_spool_items 0"));
	/* no event yet: no time of the last one */
	assert_null(strstr(out.buf, "ktriage_last_event_timestamp_seconds{"));
	assert_true(has_line(out.buf,
		"ktriage_start_time_seconds 1700000000.000"));
	strbuf_release(&out);
	kt_metrics_free(m);
}

static void test_counting(void **state)
{
	struct kt_metrics *m = kt_metrics_new(&rs, 0);
	struct strbuf out = STRBUF_INIT;

	(void)state;
	kt_metrics_event(m, "oom", KT_SEV_MAJOR, 1700000000500000LL);
	kt_metrics_event(m, "oom", KT_SEV_MAJOR, 1700000001000000LL);
	kt_metrics_event(m, "panic", KT_SEV_CRITICAL, INT64_MIN);
	kt_metrics_source_lines(m, "kmsg", 10);
	kt_metrics_source_lines(m, "kmsg", 5);
	kt_metrics_source_lost(m, "kmsg", 3);
	kt_metrics_source_lost(m, "kmsg", 2);	/* a total: never goes back */
	kt_metrics_source_up(m, "kmsg", true);
	kt_metrics_source_up(m, "/var/log/syslog", false);
	kt_metrics_alert(m, "webhook", "ok");
	kt_metrics_alert(m, "webhook", "ok");
	kt_metrics_alert(m, "webhook", "failed");
	kt_metrics_spool(m, 4);
	kt_metrics_render(m, &out);
	assert_true(has_line(out.buf,
		"ktriage_events_total{type=\"oom\",severity=\"major\"} 2"));
	assert_true(has_line(out.buf,
		"ktriage_events_total{type=\"panic\",severity=\"critical\"} 1"));
	assert_true(has_line(out.buf,
		"ktriage_last_event_timestamp_seconds{type=\"oom\"} 1700000001.000"));
	/* a panic without a time sets no timestamp */
	assert_null(strstr(out.buf,
		"ktriage_last_event_timestamp_seconds{type=\"panic\"}"));
	assert_true(has_line(out.buf,
		"ktriage_source_lines_total{source=\"kmsg\"} 15"));
	assert_true(has_line(out.buf,
		"ktriage_source_lost_records_total{source=\"kmsg\"} 3"));
	assert_true(has_line(out.buf, "ktriage_source_up{source=\"kmsg\"} 1"));
	assert_true(has_line(out.buf,
		"ktriage_source_up{source=\"/var/log/syslog\"} 0"));
	assert_true(has_line(out.buf,
		"ktriage_alerts_sent_total{sink=\"webhook\",result=\"ok\"} 2"));
	assert_true(has_line(out.buf,
		"ktriage_alerts_sent_total{sink=\"webhook\",result=\"failed\"} 1"));
	assert_true(has_line(out.buf, "ktriage_alert_spool_items 4"));
	strbuf_release(&out);
	kt_metrics_free(m);
}

static void test_label_escaping(void **state)
{
	struct kt_metrics *m = kt_metrics_new(NULL, 0);
	struct strbuf out = STRBUF_INIT;

	(void)state;
	kt_metrics_source_lines(m, "/var/log/a\"b\\c\nd", 1);
	kt_metrics_render(m, &out);
	assert_true(has_line(out.buf,
		"ktriage_source_lines_total{source=\"/var/log/a\\\"b\\\\c\\nd\"} 1"));
	strbuf_release(&out);
	kt_metrics_free(m);
}

/* GET path from 127.0.0.1:port; the whole response in out. */
static bool http_get(int port, const char *path, struct strbuf *out)
{
	struct sockaddr_in sa;
	char buf[4096];
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	strbuf_addf(out, "GET %s HTTP/1.0\r\nHost: x\r\n\r\n", path);
	if (write(fd, out->buf, out->len) != (ssize_t)out->len) {
		close(fd);
		return false;
	}
	strbuf_reset(out);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(out, buf, (size_t)n);
	close(fd);
	return out->len > 0;
}

static void test_endpoint(void **state)
{
	struct kt_metrics *m = kt_metrics_new(&rs, 0);
	struct kt_metrics_server *srv = NULL;
	struct strbuf resp = STRBUF_INIT, addr = STRBUF_INIT;
	struct kt_ctx ctx;
	int port = 0, tries;

	(void)state;
	kt_ctx_init(&ctx);
	/* a free port: try a few in the dynamic range */
	for (tries = 0; tries < 20 && !srv; tries++) {
		port = 40000 + (int)((getpid() * 7 + tries * 131) % 20000);
		strbuf_reset(&addr);
		strbuf_addf(&addr, "127.0.0.1:%d", port);
		if (kt_metrics_serve(&ctx, m, addr.buf, &srv))
			srv = NULL;
	}
	assert_non_null(srv);
	kt_metrics_event(m, "oops", KT_SEV_MAJOR, 1700000000000000LL);
	assert_true(http_get(port, "/metrics", &resp));
	assert_non_null(strstr(resp.buf, " 200 OK\r\n"));
	assert_non_null(strstr(resp.buf, "text/plain; version=0.0.4"));
	assert_non_null(strstr(resp.buf,
		"ktriage_events_total{type=\"oops\",severity=\"major\"} 1"));
	strbuf_reset(&resp);
	assert_true(http_get(port, "/nope", &resp));
	assert_non_null(strstr(resp.buf, " 404 "));
	kt_metrics_stop(srv);
	/* a bad address is a clear error */
	assert_int_equal(kt_metrics_serve(&ctx, m, "[::1:80", &srv),
			 KT_ERR_USAGE);
	assert_non_null(strstr(kt_ctx_error(&ctx), "bad address '[::1:80'"));
	strbuf_release(&resp);
	strbuf_release(&addr);
	kt_metrics_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_series_from_the_start),
		cmocka_unit_test(test_counting),
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_endpoint),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
