/*
 * test_frame.c - unit tests of the framer: one line of each format in,
 * the message, time, monotonic stamp, host, program, caller id and
 * kernel flag out.
 *
 * Local times are read in China Standard Time (TZ=CST-8, set here), so
 * a wrong zone shows as an eight hour error.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "frame/frame.h"
#include "input/input.h"
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

/* 2022-06-06T13:33:13Z, 21:33:13 in China */
#define T0 1654522393LL
/* the scan runs a day later: syslog stamps get the year 2022 */
#define NOW (T0 + 86400)

struct framed {
	char msg[512];
	char host[64];
	char prog[64];
	int64_t wall_us, mono_us;
	int32_t pid;
	uint32_t caller;
	int fmt, level;
	bool is_kernel;
	uint64_t lineno;
};

/* Frames text; fills up to max lines of out, returns how many. */
static size_t frame(const char *text, struct framed *out, size_t max)
{
	struct kt_framer_opts fo = { NOW, NOW };
	struct kt_framer *fr = kt_framer_new(&fo);
	struct kt_ctx ctx;
	struct kt_input *in;
	struct kt_line l;
	size_t n = 0;
	int rc;

	kt_ctx_init(&ctx);
	assert_int_equal(kt_input_open_mem(&ctx, text, strlen(text), &in), 0);
	while ((rc = kt_framer_next(&ctx, fr, in, &l)) > 0) {
		struct framed *f = &out[n];

		assert_true(n < max);
		memset(f, 0, sizeof(*f));
		snprintf(f->msg, sizeof(f->msg), "%.*s", (int)l.msg.len,
			 l.msg.p);
		snprintf(f->host, sizeof(f->host), "%.*s", (int)l.host.len,
			 l.host.p);
		snprintf(f->prog, sizeof(f->prog), "%.*s", (int)l.prog.len,
			 l.prog.p);
		f->wall_us = l.wall_us;
		f->mono_us = l.mono_us;
		f->pid = l.pid;
		f->caller = l.caller;
		f->fmt = l.fmt;
		f->level = l.level;
		f->is_kernel = l.is_kernel;
		f->lineno = l.lineno;
		n++;
	}
	assert_int_equal(rc, 0);
	kt_input_close(in);
	kt_framer_free(fr);
	kt_ctx_release(&ctx);
	return n;
}

/* Frames one line and checks that it is this kernel message. */
static struct framed frame_one(const char *text, const char *msg)
{
	struct framed f[4];

	assert_int_equal(frame(text, f, 4), 1);
	assert_string_equal(f[0].msg, msg);
	return f[0];
}

static int setup(void **state)
{
	(void)state;
	/* China Standard Time, without needing tzdata */
	setenv("TZ", "CST-8", 1);
	tzset();
	return 0;
}

#define MSG "BUG: kernel NULL pointer dereference, address: 0000000000000008"

static void test_dmesg(void **state)
{
	struct framed f = frame_one("[  772.918915] " MSG "\n", MSG);

	(void)state;
	assert_int_equal(f.fmt, KT_FMT_DMESG);
	assert_true(f.is_kernel);
	assert_int_equal(f.mono_us, 772918915);
	assert_true(f.wall_us == KT_NO_TIME);
	assert_int_equal(f.caller, 0);
}

static void test_dmesg_caller(void **state)
{
	struct framed f = frame_one("[  772.918915][ T2215] " MSG "\n", MSG);

	(void)state;
	assert_int_equal(f.mono_us, 772918915);
	assert_int_equal(f.caller, KT_CALLER_TASK | 2215);
}

static void test_syslog(void **state)
{
	struct framed f = frame_one("Jun  6 21:33:13 web-07 kernel: " MSG "\n",
				    MSG);

	(void)state;
	assert_int_equal(f.fmt, KT_FMT_SYSLOG);
	assert_true(f.is_kernel);
	assert_string_equal(f.host, "web-07");
	assert_string_equal(f.prog, "kernel");
	assert_true(f.wall_us == T0 * 1000000);
	assert_int_equal(f.mono_us, -1);
}

/* util-linux 2.38 dmesg prints the caller id in a column of its own */
static void test_dmesg_caller_util_linux(void **state)
{
	struct framed f = frame_one("[  772.918915] [  T2215] " MSG "\n", MSG);

	(void)state;
	assert_int_equal(f.fmt, KT_FMT_DMESG);
	assert_int_equal(f.mono_us, 772918915);
	assert_int_equal(f.caller, KT_CALLER_TASK | 2215);
	f = frame_one("[  772.918915] [     C3] watchdog: BUG: soft lockup\n",
		      "watchdog: BUG: soft lockup");
	assert_int_equal(f.caller, KT_CALLER_CPU | 3);
	/* a message that starts with a bracket keeps it */
	f = frame_one("[    4.181112] [drm] Initialized qxl 0.1.0 20120117\n",
		      "[drm] Initialized qxl 0.1.0 20120117");
	assert_int_equal(f.caller, 0);
	f = frame_one("[    4.181112] [ T] x\n", "[ T] x");
	assert_int_equal(f.caller, 0);
}

/* dmesg -x with -T: the wall clock inside the level prefix */
static void test_dmesg_x_wall_clock(void **state)
{
	struct framed f = frame_one("kern  :alert : [Mon Jun  6 21:33:13 2022] "
				    MSG "\n", MSG);

	(void)state;
	assert_int_equal(f.fmt, KT_FMT_DMESG_T);
	assert_true(f.is_kernel);
	assert_int_equal(f.level, 1);
	assert_true(f.wall_us == T0 * 1000000);
	f = frame_one("daemon:info  : [Mon Jun  6 21:33:13 2022] systemd[1]: "
		      "Started Session 42 of user deploy.\n",
		      "systemd[1]: Started Session 42 of user deploy.");
	assert_false(f.is_kernel);
	assert_int_equal(f.level, 6);
}

/* dmesg --time-format=iso: a comma before the fraction, then the text */
static void test_dmesg_iso(void **state)
{
	struct framed f = frame_one("2022-06-06T21:33:13,918915+08:00 " MSG
				    "\n", MSG);

	(void)state;
	assert_int_equal(f.fmt, KT_FMT_DMESG_ISO);
	assert_true(f.is_kernel);
	assert_string_equal(f.host, "");
	assert_true(f.wall_us == T0 * 1000000 + 918915);
	assert_int_equal(f.mono_us, -1);
	/* a message that looks like "host prog: " stays whole */
	f = frame_one("2022-06-06T21:33:13,918915+08:00 EXT4-fs (sda1): "
		      "mounted filesystem with ordered data mode\n",
		      "EXT4-fs (sda1): mounted filesystem with ordered data"
		      " mode");
	assert_true(f.is_kernel);
	f = frame_one("kern  :warn  : 2022-06-06T21:33:13,918915+08:00 "
		      MSG "\n", MSG);
	assert_int_equal(f.level, 4);
	assert_true(f.wall_us == T0 * 1000000 + 918915);
	/* syslog's ISO stamps are followed by host and program */
	f = frame_one("2022-06-06T21:33:13.918915+08:00 web-07 kernel: " MSG
		      "\n", MSG);
	assert_int_equal(f.fmt, KT_FMT_ISO);
	assert_string_equal(f.host, "web-07");
}

/* journalctl -o short-unix */
static void test_journal_unix(void **state)
{
	struct framed f = frame_one("1654522393.918915 web-07 kernel: " MSG
				    "\n", MSG);

	(void)state;
	assert_int_equal(f.fmt, KT_FMT_JOURNAL_UNIX);
	assert_true(f.is_kernel);
	assert_string_equal(f.host, "web-07");
	assert_true(f.wall_us == T0 * 1000000 + 918915);
	f = frame_one("1654522393.918915 web-07 sshd[2211]: Accepted publickey"
		      " for deploy\n", "Accepted publickey for deploy");
	assert_false(f.is_kernel);
	assert_int_equal(f.pid, 2211);
	/* a kmsg record is not a time stamp */
	f = frame_one("4,1234,772918915,-;" MSG "\n", MSG);
	assert_int_equal(f.fmt, KT_FMT_KMSG);
	/* nor is a number at the start of bare text */
	f = frame_one("1654522393.5 seconds\n", "1654522393.5 seconds");
	assert_int_equal(f.fmt, KT_FMT_BARE);
}

/* RFC 5424, as rsyslog and syslog-ng write it to files */
static void test_rfc5424(void **state)
{
	struct framed f = frame_one("<1>1 2022-06-06T21:33:13.918915+08:00 "
				    "web-07 kernel - - - " MSG "\n", MSG);

	(void)state;
	assert_int_equal(f.fmt, KT_FMT_RFC5424);
	assert_true(f.is_kernel);
	assert_int_equal(f.level, 1);
	assert_string_equal(f.host, "web-07");
	assert_string_equal(f.prog, "kernel");
	assert_true(f.wall_us == T0 * 1000000 + 918915);
	/* structured data with an escaped bracket, a BOM, a pid */
	f = frame_one("<38>1 2022-06-06T13:33:13Z web-07 sshd 2211 - "
		      "[origin ip=\"10.0.0.1\" x=\"a\\]b\"][meta seq=\"1\"] "
		      "\xef\xbb\xbf" "Accepted publickey\n",
		      "Accepted publickey");
	assert_false(f.is_kernel);
	assert_int_equal(f.pid, 2211);
	assert_string_equal(f.prog, "sshd");
	assert_true(f.wall_us == T0 * 1000000);
	/* no time, no host; the kernel's own stamp in the message */
	f = frame_one("<4>1 - - kernel - - - [  772.918915] " MSG "\n", MSG);
	assert_true(f.is_kernel);
	assert_true(f.wall_us == KT_NO_TIME);
	assert_int_equal(f.mono_us, 772918915);
	/* multi-line messages escaped as by rsyslog */
	assert_int_equal(frame("<6>1 2022-06-06T13:33:13Z web-07 kernel - - - "
			       "a#012 b\n", (struct framed[4]){ 0 }, 4), 2);
}

/*
 * Lines longer than the read buffer (1 MiB), ended or not, are cut at
 * KT_LINE_MAX and what follows them is intact.  An input that ended
 * inside such a line used to make kt_framer_next() spin forever.
 */
static void test_overlong_lines(void **state)
{
	static const size_t sizes[] = { 65536, 65537, 1048575, 1048576,
					1048577, 3 * 1048576 + 5 };
	struct kt_framer_opts fo = { NOW, NOW };
	size_t i;
	int nl;

	(void)state;
	alarm(60);	/* a hang is a failure, not a stuck test run */
	for (i = 0; i < KT_ARRAY_SIZE(sizes); i++) {
		for (nl = 0; nl < 2; nl++) {
			struct strbuf in = STRBUF_INIT;
			struct kt_framer *fr = kt_framer_new(&fo);
			struct kt_input *inp;
			struct kt_ctx ctx;
			struct kt_line l;

			kt_ctx_init(&ctx);
			strbuf_grow(&in, sizes[i] + 64);
			memset(in.buf, 'x', sizes[i]);
			strbuf_setlen(&in, sizes[i]);
			if (nl)
				strbuf_addstr(&in, "\n[    1.000000] " MSG "\n");
			assert_int_equal(kt_input_open_mem(&ctx, in.buf, in.len,
							   &inp), 0);
			assert_int_equal(kt_framer_next(&ctx, fr, inp, &l), 1);
			assert_int_equal(l.msg.len, KT_MIN(sizes[i],
							   (size_t)KT_LINE_MAX));
			assert_true(l.cut == (sizes[i] > KT_LINE_MAX));
			if (nl) {
				assert_int_equal(kt_framer_next(&ctx, fr, inp,
								&l), 1);
				assert_int_equal(l.lineno, 2);
				assert_int_equal(l.mono_us, 1000000);
				assert_true(kt_str_eq_cstr(l.msg, MSG));
			}
			assert_int_equal(kt_framer_next(&ctx, fr, inp, &l), 0);
			assert_int_equal(kt_framer_stats(fr)->truncated,
					 sizes[i] > KT_LINE_MAX);
			kt_input_close(inp);
			kt_framer_free(fr);
			kt_ctx_release(&ctx);
			strbuf_release(&in);
		}
	}
	alarm(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dmesg),
		cmocka_unit_test(test_dmesg_caller),
		cmocka_unit_test(test_dmesg_caller_util_linux),
		cmocka_unit_test(test_syslog),
		cmocka_unit_test(test_dmesg_x_wall_clock),
		cmocka_unit_test(test_dmesg_iso),
		cmocka_unit_test(test_journal_unix),
		cmocka_unit_test(test_rfc5424),
		cmocka_unit_test(test_overlong_lines),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
