/*
 * test_live_journal.c - the journal followed by `ktriage watch`, on a
 * journal directory made at test time from export data with
 * systemd-journal-remote (skipped without it): the batch source's text,
 * boot markers, entries appended later, and cursors at every line.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "input/input.h"
#include "input/live.h"
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#define BOOT_A "0123456789abcdef0123456789abcdef"
#define BOOT_B "fedcba9876543210fedcba9876543210"
#define HEAD "journal offset=0 lines=0 boot=- skip=0"

static const char *const journal_remote[] = {
	"/usr/lib/systemd/systemd-journal-remote",
	"/lib/systemd/systemd-journal-remote",
};

struct fixture {
	struct kt_ctx ctx;
	char dir[64];
	const char *remote;	/* systemd-journal-remote, or NULL */
	struct strbuf journal;	/* dir/system.journal */
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");
	size_t i;

	kt_ctx_init(&f->ctx);
	if (!tmp || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(f->dir, sizeof(f->dir), "%s/kt-ljournal-XXXXXX", tmp);
	assert_non_null(mkdtemp(f->dir));
	for (i = 0; i < KT_ARRAY_SIZE(journal_remote); i++)
		if (!access(journal_remote[i], X_OK))
			f->remote = journal_remote[i];
	strbuf_init(&f->journal, 0);
	strbuf_addf(&f->journal, "%s/system.journal", f->dir);
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	strbuf_release(&f->journal);
	kt_ctx_release(&f->ctx);
	free(f);
	return 0;
}

static void add_entry(struct strbuf *sb, const char *rt, const char *boot,
		      const char *transport, const char *ident,
		      const char *msg)
{
	strbuf_addf(sb, "__REALTIME_TIMESTAMP=%s\n", rt);
	strbuf_addstr(sb, "__MONOTONIC_TIMESTAMP=12345678\n");
	strbuf_addf(sb, "_BOOT_ID=%s\n_TRANSPORT=%s\n", boot, transport);
	strbuf_addf(sb, "_HOSTNAME=node1\nSYSLOG_IDENTIFIER=%s\n", ident);
	if (!strcmp(transport, "kernel"))
		strbuf_addstr(sb, "_SOURCE_MONOTONIC_TIMESTAMP=12345678\n");
	else
		strbuf_addstr(sb, "_PID=42\n");
	strbuf_addf(sb, "MESSAGE=%s\n\n", msg);
}

/* Runs systemd-journal-remote, adding the export data to the journal. */
static void write_journal(const struct fixture *f, const struct strbuf *exp)
{
	struct strbuf in = STRBUF_INIT, arg = STRBUF_INIT;
	int fd, status;
	pid_t pid;

	strbuf_addf(&in, "%s/export.txt", f->dir);
	fd = open(in.buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, exp->buf, exp->len), (ssize_t)exp->len);
	close(fd);
	strbuf_addf(&arg, "--output=%s", f->journal.buf);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execl(f->remote, f->remote, arg.buf, in.buf, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	unlink(in.buf);
	strbuf_release(&in);
	strbuf_release(&arg);
}

/* What the batch journal source makes of the directory. */
static void batch_text(struct fixture *f, struct strbuf *out)
{
	struct kt_input_item item;
	struct kt_input *in;
	char buf[256];
	size_t got;

	memset(&item, 0, sizeof(item));
	item.path = f->dir;
	item.display = f->dir;
	item.kind = KT_INPUT_JOURNAL;
	assert_int_equal(kt_input_open(&f->ctx, &item, &in), 0);
	for (;;) {
		assert_int_equal(kt_input_read(&f->ctx, in, buf, sizeof(buf),
					       &got), 0);
		if (!got)
			break;
		strbuf_add(out, buf, got);
	}
	kt_input_close(in);
}

static struct kt_live *open_journal(struct fixture *f, const char *cursor)
{
	struct kt_live *l = NULL;

	assert_int_equal(kt_live_open(&f->ctx, KT_LIVE_JOURNAL, f->dir,
				      cursor, &l), 0);
	assert_string_equal(kt_live_name(l), "journal");
	return l;
}

static void drain(struct fixture *f, struct kt_live *l, struct strbuf *out,
		  size_t cap)
{
	size_t before = out->len;
	uint64_t start = kt_live_offset(l);
	int n;

	while ((n = kt_live_read(&f->ctx, l, out, cap)) > 0)
		assert_true((size_t)n <= cap);
	assert_int_equal(n, 0);
	assert_int_equal(kt_live_offset(l), start + (out->len - before));
}

/* Cursors at every line start of text resume with the rest of it. */
static void check_resume(struct fixture *f, struct kt_live *l,
			 const struct strbuf *text)
{
	struct strbuf cur = STRBUF_INIT, again = STRBUF_INIT;
	struct kt_live *l2;
	uint64_t lines = 0;
	size_t i;

	for (i = 0; i <= text->len; i++) {
		if (i && text->buf[i - 1] != '\n')
			continue;
		if (i)
			lines++;
		strbuf_reset(&cur);
		strbuf_reset(&again);
		assert_int_equal(kt_live_cursor(l, i, lines, &cur), 0);
		l2 = open_journal(f, cur.buf);
		assert_int_equal(kt_live_resume_offset(l2), i);
		assert_int_equal(kt_live_resume_lines(l2), lines);
		drain(f, l2, &again, 4096);
		if (strcmp(again.buf, text->buf + i))
			fail_msg("cursor '%s' gave '%s'", cur.buf, again.buf);
		kt_live_close(l2);
	}
	strbuf_release(&cur);
	strbuf_release(&again);
}

static void test_follow(void **state)
{
	struct fixture *f = *state;
	struct strbuf exp = STRBUF_INIT, batch = STRBUF_INIT;
	struct strbuf out = STRBUF_INIT, tail = STRBUF_INIT;
	struct kt_live *l, *at_end;

	if (!f->remote) {
		skip();
		return;
	}
	add_entry(&exp, "1763972468123456", BOOT_A, "kernel", "kernel",
		  "Linux version 6.1.0");
	add_entry(&exp, "1763972469000000", BOOT_A, "syslog", "sshd",
		  "Accepted key for root");
	add_entry(&exp, "1763972470000000", BOOT_B, "kernel", "kernel",
		  "Linux version 6.1.1");
	write_journal(f, &exp);

	/* no cursor: from the end, nothing yet */
	at_end = open_journal(f, NULL);
	drain(f, at_end, &tail, 4096);
	assert_int_equal(tail.len, 0);

	/* from the head: the batch source's text, the boot marker too */
	batch_text(f, &batch);
	assert_non_null(strstr(batch.buf, "-- Boot " BOOT_B " --\n"));
	l = open_journal(f, HEAD);
	drain(f, l, &out, 4096);
	assert_string_equal(out.buf, batch.buf);
	check_resume(f, l, &out);

	/* entries written later, in another boot, multi-line */
	strbuf_reset(&exp);
	add_entry(&exp, "1763972480000000", BOOT_B, "syslog", "cron",
		  "job done");
	add_entry(&exp, "1763972490000000", BOOT_A, "kernel", "kernel",
		  "BUG: unable to handle page fault");
	write_journal(f, &exp);
	drain(f, l, &out, 4096);
	strbuf_reset(&batch);
	batch_text(f, &batch);
	assert_string_equal(out.buf, batch.buf);
	check_resume(f, l, &out);

	/* the reader that started at the end sees only those */
	drain(f, at_end, &tail, 4096);
	assert_string_equal(tail.buf, out.buf + (out.len - tail.len));
	assert_non_null(strstr(tail.buf, "cron[42]: job done\n"));
	assert_true(!strncmp(tail.buf, "2025-11-24T08:21:20.000000+00:00 ",
			     33));

	/* a small cap: whole lines */
	{
		struct strbuf small = STRBUF_INIT;
		struct kt_live *l2 = open_journal(f, HEAD);

		drain(f, l2, &small, 80);
		assert_string_equal(small.buf, out.buf);
		kt_live_close(l2);
		strbuf_release(&small);
	}
	kt_live_close(at_end);
	kt_live_close(l);
	strbuf_release(&exp);
	strbuf_release(&batch);
	strbuf_release(&out);
	strbuf_release(&tail);
}

static void test_bad_path(void **state)
{
	struct fixture *f = *state;
	struct kt_live *l = NULL;
	struct strbuf path = STRBUF_INIT;
	int rc;

	strbuf_addf(&path, "%s/missing.journal", f->dir);
	rc = kt_live_open(&f->ctx, KT_LIVE_JOURNAL, path.buf, NULL, &l);
	if (!rc) {
		/* libsystemd may open nothing and find no entry */
		struct strbuf out = STRBUF_INIT;

		drain(f, l, &out, 4096);
		assert_int_equal(out.len, 0);
		kt_live_close(l);
		strbuf_release(&out);
	} else {
		assert_int_equal(rc, KT_ERR_IO);
		assert_null(l);
	}
	strbuf_release(&path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_follow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_path, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
