/*
 * test_matcher.c - unit tests of match/matcher: the screen literal of a
 * rule (kt_matcher_keyword), scanning lines for the reports that want them
 * and through the streaming screen, captures of named groups, the compiled
 * cache, and results that do not depend on where a line lies in memory.
 *
 * The last ones guard two workarounds.  vectorscan 5.4.9 misses some
 * patterns (an anchored optional group with a long [^,]* run) on lines
 * of some lengths, and which lines depends on where the input ends in
 * memory.  The matcher scans a 64-byte aligned copy of each line, so a
 * line gets the same result wherever it lies; the default pack gives
 * such a rule (oom_constraint) a simpler prefilter, so that it is not
 * missed at all.  Lines are checked at every start offset 0..63 and
 * with every end alignment, against PCRE2 alone as shipped, and for
 * sameness with the raw pattern.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "match/matcher.h"
#include "match/rules.h"
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <setjmp.h>
#include <cmocka.h>

/* ------------------------------------------------------------ keywords */

/* The keyword of a rule of role with this pattern (and prefilter). */
static void check_kw(enum kt_role role, const char *match,
		     const char *prefilter, const char *want)
{
	struct kt_rule r;
	char *kw;

	memset(&r, 0, sizeof(r));
	r.role = role;
	r.match = (char *)match;
	r.prefilter = (char *)prefilter;
	kw = kt_matcher_keyword(&r);
	if (!want && kw)
		fail_msg("'%s': keyword '%s', want none", match, kw);
	if (want && !kw)
		fail_msg("'%s': no keyword, want '%s'", match, want);
	if (want && strcmp(kw, want))
		fail_msg("'%s': keyword '%s', want '%s'", match, kw, want);
	free(kw);
}

#define KW(match, want) check_kw(KT_ROLE_HEAD, match, NULL, want)

static void test_keyword(void **state)
{
	(void)state;
	KW("^BUG: soft lockup - CPU#\\d+", "BUG: soft lockup - CPU#");
	KW("^INFO: task (?<comm>.+?):(?<pid>\\d+) blocked for more than "
	   "(?<secs>\\d+) seconds\\.", " blocked for more than ");
	KW("^Out of memory: Killed process \\d+ \\((?<comm>.*)\\)",
	   "Out of memory: Killed process ");
	/* a literal that ends the pattern is whole */
	KW("^Kernel panic - not syncing", "Kernel panic - not syncing");
	KW("^usercopy: [Kk]ernel memory (?:overwrite|exposure) attempt "
	   "detected", " attempt detected");
	/* escaped characters are unescaped */
	KW("^\\[ cut here \\]", "[ cut here ]");
	KW("^foo\\.bar\\\\baz\\/qux", "foo.bar\\baz/qux");
	KW("^EXT4-fs error \\(device (?<dev>\\S+)\\)", "EXT4-fs error (device ");
	/* top-level alternation or no case: nothing every line contains */
	KW("^a|^bcdefgh", NULL);
	KW("^Oops: (?:\\d+) |^general protection fault", NULL);
	KW("(?i)^kernel panic - not syncing", NULL);
	KW("^kernel (?i:panic) - not syncing", NULL);
	/* shorter than 4, or only inside groups */
	KW("^abc\\d+", NULL);
	KW("^(?<x>abcdef)ghi", NULL);
	KW("^(?:abcdef)?ghij", "ghij");
	KW("", NULL);
	KW("^", NULL);
	/* a quantifier takes its atom out of the literal */
	KW("^abcdefg?h", "abcdef");
	KW("^abcde*fghij", "fghij");
	KW("^wxyz{2}abcd", "abcd");
	KW("^lockup+ detected", " detected");
	KW("^abcd\\.+efgh", "abcd");
	KW("^abcd\\.*?xy", "abcd");
	KW("^[a-z]+: [^]x]+ rest of it", " rest of it");
	KW("^INFO: rcu_[a-z]+ self-detected stall", " self-detected stall");
	/* bytes beyond ASCII are literal text */
	KW("^\xd0\x9e\xd1\x88\xd0\xb8\xd0\xb1\xd0\xba\xd0\xb0 (?<x>\\d+)",
	   "\xd0\x9e\xd1\x88\xd0\xb8\xd0\xb1\xd0\xba\xd0\xb0 ");
	/* a prefilter, when given, is what the screen looks for */
	check_kw(KT_ROLE_HEAD, "^(?:foo|bar) x", "x marks the spot",
		 "x marks the spot");
	/* every role that opens something has one; the others none */
	check_kw(KT_ROLE_LINE, "^segfault at", NULL, "segfault at");
	check_kw(KT_ROLE_BOOT, "^Linux version (?<v>\\S+)", NULL,
		 "Linux version ");
	check_kw(KT_ROLE_SHUTDOWN, "^reboot: Power down", NULL,
		 "reboot: Power down");
	check_kw(KT_ROLE_PRELUDE, "^-{4,}\\[ cut here \\]-{4,}\\s*$", NULL,
		 "[ cut here ]");
	check_kw(KT_ROLE_BODY, "^Call Trace:", NULL, NULL);
	check_kw(KT_ROLE_END, "^---\\[ end trace", NULL, NULL);
	check_kw(KT_ROLE_FRAME, "^ (?<func>\\w+)\\+0x", NULL, NULL);
	check_kw(KT_ROLE_SECTION, "^Allocated by task", NULL, NULL);
	check_kw(KT_ROLE_TAIL, "^oom_reaper: reaped", NULL, NULL);
}

/* Escapes that stand for a character, a class, or take arguments. */
static void test_keyword_escapes(void **state)
{
	(void)state;
	/* \xHH is the character it names */
	KW("^link\\x20is\\x20down", "link is down");
	KW("^link\\x3a up", "link: up");
	/* arguments of escapes are not literal text */
	KW("^data\\x{41}bcd", "data");
	KW("^\\p{Lu}1234567", "1234567");
	KW("^abcd\\012345", "abcd");
	KW("^(?<w>wxyz)\\k<w>abc", NULL);
	KW("^(?<w>wx)\\g{1}abcd", "abcd");
	KW("^\\cXabcd", "abcd");
	/* classes and assertions end a literal */
	KW("^abcd\\d\\s\\w\\befgh", "abcd");
	/* inline options other than a leading (?i also ignore case */
	KW("(?mi)^panic now", NULL);
	KW("(?si:panic) now and then", NULL);
	KW("(?m)^panic now", "panic now");
	KW("(?x)^panic   now", NULL);
	KW("(?-i)^panic now", "panic now");
}

/* ------------------------------------------------------------ the pack */

/* About twenty rules of the default pack's kinds, patterns verbatim. */
static const char pack[] =
	"fields:\n  pid: int\n  cpu: int\n"
	"rules:\n"
	"  - id: cut_here\n    role: prelude\n"
	"    match: '^-{4,}\\[ cut here \\]-{4,}\\s*$'\n"
	"  - id: warning\n    role: head\n    type: warning\n"
	"    subtype: warning\n    severity: major\n    title: WARNING\n"
	"    match: '^WARNING: (?:CPU: (?<cpu>\\d+) PID: (?<pid>-?\\d+) )?"
	"at (?<warn_at>\\S+?:\\d+)(?: (?<rip>[A-Za-z_.$][\\w.$]*"
	"(?:\\+0x[0-9a-f]+/0x[0-9a-f]+)?)(?:\\(\\))?"
	"(?: \\[(?<rip_module>[\\w-]+)\\])?)?'\n"
	"  - id: null_deref\n    role: head\n    type: oops\n"
	"    subtype: null_deref\n    severity: major\n    title: NULL\n"
	"    match: '^BUG: kernel NULL pointer dereference, address: "
	"(?<address>[0-9a-fx]+)'\n"
	"  - id: gpf\n    role: head\n    type: oops\n    subtype: gpf\n"
	"    severity: major\n    title: GPF\n"
	"    match: '^(?:kasan: GPF could be caused by NULL-ptr deref or "
	"user memory access)?(?:segment-related )?general protection fault"
	"(?:, (?:probably for non-canonical address|maybe for address) "
	"(?<address>0x[0-9a-f]+))?(?:: (?<error_code>[0-9a-f]{4}))?'\n"
	"  - id: kernel_bug\n    role: head\n    type: oops\n"
	"    subtype: kernel_bug\n    severity: major\n    title: BUG\n"
	"    match: '^(?:kernel BUG at (?<bug_at>\\S+?)!?|------------\\[ "
	"cut here \\]------------ kernel BUG at)\\s*$'\n"
	"  - id: soft_lockup\n    role: head\n    type: deadlock\n"
	"    subtype: soft_lockup\n    severity: major\n    title: lockup\n"
	"    match: '^(?:(?:NMI )?watchdog: )?BUG: soft lockup - "
	"CPU#(?<cpu>\\d+) stuck for (?<stuck_secs>\\d+)s! "
	"\\[(?<comm>.{1,64}?):(?<pid>\\d+)\\]'\n"
	"  - id: hung_task\n    role: head\n    type: deadlock\n"
	"    subtype: hung_task\n    severity: major\n    title: hung\n"
	"    match: '(?:^INFO: task |^)(?<comm>.{1,64}?):(?<pid>\\d+) "
	"blocked (?:in I/O wait )?for more than (?<blocked_secs>\\d+) "
	"seconds\\.?'\n"
	"  - id: rcu_stall\n    role: head\n    type: deadlock\n"
	"    subtype: rcu_stall\n    severity: major\n    title: rcu\n"
	"    match: '^(?:rcu: )?INFO: rcu_(?:sched|preempt|bh|tasks) "
	"(?<stall_kind>self-detected stall on CPU|detected stalls? on "
	"CPUs/tasks|detected expedited stalls on CPUs/tasks)'\n"
	"  - id: oom_invoked\n    role: head\n    type: oom\n"
	"    subtype: oom_kill\n    severity: major\n    title: oom\n"
	"    match: '^(?<trigger_comm>.{1,64}?) invoked oom-killer: "
	"gfp_mask=(?<gfp_mask>0x[0-9a-f]+)(?:\\((?<gfp_flags>[^)]*)\\))?,? "
	"(?:nodemask=\\S+,? )?order=(?<order>-?\\d+),? oom_(?:score_)?adj="
	"(?<trigger_oom_score_adj>-?\\d+)'\n"
	"  - id: oom_killed\n    role: end\n"
	"    match: '^(?:Out of memory: |Memory cgroup out of memory: )?"
	"Killed process (?<victim_pid>\\d+),? (?:UID \\d+, )?"
	"\\((?<victim_comm>.*?)\\),? total-vm:(?<total_vm_kb>\\d+)kB, "
	"anon-rss:(?<anon_rss_kb>\\d+)kB, file-rss:(?<file_rss_kb>\\d+)kB'\n"
	"  - id: panic\n    role: head\n    type: panic\n    subtype: panic\n"
	"    severity: critical\n    title: panic\n"
	"    match: '^Kernel panic - not syncing:? ?(?<reason>.*?)"
	"(?: \\]---)?\\s*$'\n"
	"  - id: segfault\n    role: head\n    type: segfault\n"
	"    subtype: segfault\n    severity: minor\n    title: segv\n"
	"    match: '^(?<comm>.{1,64}?)\\[(?<pid>\\d+)\\]: segfault at "
	"(?<address>[0-9a-f]+) ip (?<ip>[0-9a-f]+|\\(null\\)) sp "
	"(?<sp>[0-9a-f]+|\\(null\\)) error (?<error>[0-9a-f]+)"
	"(?: in (?<object>[^\\[\\]]+?)\\[[0-9a-f]+\\+[0-9a-f]+\\])?'\n"
	"  - id: ext4_error\n    role: head\n    type: fs_error\n"
	"    subtype: ext4_error\n    severity: major\n    title: ext4\n"
	"    match: '^EXT4-fs error \\(device (?<device>[^)\\s]+)\\): "
	"(?<function>\\w+):\\d+: (?:group (?<group>\\d+), )?"
	"(?:inode #?(?<inode>\\d+): ?)?(?:block (?<block>\\d+): ?)?"
	"(?:comm (?<comm>.{1,64}?): )?(?<detail>.*)$'\n"
	"  - id: blk_io_error\n    role: head\n    type: io_error\n"
	"    subtype: block_io_error\n    severity: major\n    title: io\n"
	"    match: '^(?:(?:blk_update_request|print_req_error): )?"
	"(?<detail>(?:I/O|critical medium|critical target) error), dev "
	"(?<device>[^\\s,]+), sector (?<sector>\\d+)'\n"
	"  - id: mce\n    role: head\n    type: hardware\n    subtype: mce\n"
	"    severity: critical\n    title: mce\n"
	"    match: '^(?:mce: )?\\[Hardware Error\\]: CPU (?<cpu>\\d+): "
	"Machine Check: (?<mcgstatus>[0-9a-f]+) Bank (?<bank>\\d+): "
	"(?<status>[abef][0-9a-f]{15})'\n"
	"  - id: thermal\n    role: line\n    type: hardware\n"
	"    subtype: thermal\n    severity: minor\n    title: hot\n"
	"    match: '^(?:mce: )?CPU(?<cpu>\\d+): (?<level>Core|Package) "
	"temperature (?:is )?above threshold, cpu clock (?:is )?throttled"
	"(?: \\(total events = (?<events>\\d+)\\))?'\n"
	"  - id: boot_banner\n    role: boot\n    phase: 20\n"
	"    match: '^Linux version (?<kernel>\\S+) \\('\n"
	"  - id: shutdown_kernel\n    role: shutdown\n"
	"    match: '^(?:reboot: (?:Restarting system|Power down|System "
	"halted)|(?:Restarting|Power down|System halted)\\.?\\s*$)'\n"
	"  - id: cpu_pid_comm\n    role: body\n"
	"    match: '^CPU: (?<cpu>\\d+) (?:UID: \\d+ )?PID: (?<pid>\\d+) "
	"Comm: (?<comm>.{1,64}?) (?:Not tainted|Tainted: "
	"(?<tainted>[A-Z ]+?)) +(?<kernel>\\S+) #'\n"
	"  - id: rip_x86\n    role: body\n"
	"    match: '^[RE]?IP: (?:[0-9a-f]{4}:)?(?:\\[<[0-9a-f]+>\\]\\s+)*"
	"(?<rip>[A-Za-z_.$][\\w.$]*\\+0x[0-9a-f]+/0x[0-9a-f]+"
	"(?: \\[[\\w-]+\\])?)'\n"
	"  - id: frame_x86\n    role: frame\n"
	"    match: '^\\s*(?:\\[<[0-9a-f]+>\\] )?(?<unreliable>\\? )?"
	"(?<func>[A-Za-z_.$][\\w.$]*)\\+(?<off>0x[0-9a-f]+)/"
	"(?<size>0x[0-9a-f]+)(?: \\[(?<module>[\\w-]+)\\])?(?:\\s|$)'\n"
	"  - id: call_trace\n    role: body\n    match: '^Call Trace:'\n"
	"  - id: busy_workqueues\n    role: body\n    within: deadlock\n"
	"    match: '^Showing busy workqueues and worker pools:'\n"
	"  - id: oom_reaper\n    role: tail\n    within: oom\n"
	"    match: '^oom_reaper: reaped process (?<pid>\\d+) "
	"\\((?<comm>.*?)\\)'\n"
	/* vectorscan 5.4.9 misses this pattern on some lines: the default
	 * pack hands it a simpler prefilter */
	"  - id: oom_constraint\n    role: body\n"
	"    prefilter: '^oom-kill:constraint='\n"
	"    match: '^oom-kill:constraint=(?<constraint>CONSTRAINT_\\w+),"
	"(?:nodemask=[^,]*,)?(?:cpuset=(?<cpuset>[^,]*),)?"
	"(?:mems_allowed=[^,]*,)?(?:global_oom,)?(?:oom_memcg=(?<memcg>[^,]*),)?"
	"(?:task_memcg=(?<task_memcg>[^,]*),)?task=(?<victim_comm>.*?),"
	"pid=(?<victim_pid>\\d+),uid=(?<uid>\\d+)'\n"
	"  - id: end_trace\n    role: end\n"
	"    match: '^---\\[ end trace(?: [0-9a-f]+)? \\]---'\n"
	"  - id: oomd\n    role: line\n    type: oom\n    subtype: oomd\n"
	"    severity: major\n    title: oomd\n    from: user\n"
	"    prog: systemd-oomd\n"
	"    match: '^Killed (?<memcg>\\S+) due to (?<detail>.*)'\n";

struct fixture {
	struct kt_ctx ctx;
	struct kt_ruleset rs;
	struct kt_matcher *m;
	pcre2_match_data *md;
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	kt_ctx_init(&f->ctx);
	kt_ruleset_init(&f->rs);
	assert_int_equal(kt_ruleset_load_text(&f->ctx, &f->rs, "pack.yaml",
					      pack, sizeof(pack) - 1), 0);
	assert_int_equal(kt_ruleset_finish(&f->ctx, &f->rs), 0);
	assert_int_equal(kt_matcher_new(&f->ctx, &f->rs, NULL, &f->m), 0);
	f->md = pcre2_match_data_create(256, NULL);
	if (!tmp || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(f->dir, sizeof(f->dir), "%s/kt-match-XXXXXX", tmp);
	assert_non_null(mkdtemp(f->dir));
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
	pcre2_match_data_free(f->md);
	kt_matcher_free(f->m);
	kt_ruleset_release(&f->rs);
	kt_ctx_release(&f->ctx);
	free(f);
	return 0;
}

/* No report the line could join; every report type open. */
static const struct kt_match_want none = { 0, 0, false };
static const struct kt_match_want every = { UINT64_MAX, UINT64_MAX, false };

/* A kernel line whose message is the whole of [p, p + len). */
static struct kt_line line_at(const char *p, size_t len)
{
	struct kt_line l;

	memset(&l, 0, sizeof(l));
	l.raw = kt_str_make(p, len);
	l.msg = l.raw;
	l.wall_us = KT_NO_TIME;
	l.mono_us = -1;
	l.pid = -1;
	l.level = -1;
	l.is_kernel = true;
	return l;
}

/* Rule ids and captures of a match, one line of text. */
static void describe(const struct kt_ruleset *rs, const struct kt_match *m,
		     const char *msg, struct strbuf *out)
{
	uint16_t i, j;

	for (i = 0; i < m->nr; i++) {
		const struct kt_match_hit *h = &m->hit[i];

		strbuf_addf(out, "%s%s", i ? " " : "", h->rule->id);
		for (j = 0; j < h->cap_nr; j++) {
			const struct kt_capture *c = &m->cap[h->cap_start + j];

			strbuf_addf(out, "%s%s@%td=%.*s", j ? "," : "(",
				    rs->field[c->field].name,
				    c->val.p - msg, (int)c->val.len,
				    c->val.p);
		}
		if (h->cap_nr)
			strbuf_addch(out, ')');
	}
}

/* Scans a kernel line with the screen out of the way. */
static int scan(struct fixture *f, const char *msg, struct strbuf *out)
{
	struct kt_line l = line_at(msg, strlen(msg));
	struct kt_match m;
	int n;

	l.cut = true;	/* cut lines are always scanned */
	n = kt_matcher_scan(f->m, &l, &every, &m);
	assert_int_equal(n, m.nr);
	strbuf_reset(out);
	describe(&f->rs, &m, msg, out);
	return n;
}

static void check_scan(struct fixture *f, const char *msg, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	scan(f, msg, &sb);
	if (strcmp(sb.buf, want))
		fail_msg("'%s':\n  got  '%s'\n  want '%s'", msg, sb.buf, want);
	strbuf_release(&sb);
}

static void test_scan(void **state)
{
	struct fixture *f = *state;

	check_scan(f, "nothing to see here", "");
	check_scan(f, "", "");
	check_scan(f, "BUG: soft lockup - CPU#3 stuck for 22s! "
		   "[kworker/3:1:1234]",
		   "soft_lockup(cpu@23=3,stuck_secs@35=22,comm@41=kworker/3:1,"
		   "pid@53=1234)");
	/* optional groups that did not take part are not captured */
	check_scan(f, "WARNING: at net/core/dev.c:123",
		   "warning(warn_at@12=net/core/dev.c:123)");
	check_scan(f, "WARNING: CPU: 1 PID: -1 at fs/x.c:9 f+0x1/0x2 [m]",
		   "warning(cpu@14=1,pid@21=-1,warn_at@27=fs/x.c:9,"
		   "rip@36=f+0x1/0x2,rip_module@47=m)");
	/* rules without groups that vectorscan decides alone */
	check_scan(f, "------------[ cut here ]------------", "cut_here");
	check_scan(f, "Call Trace:", "call_trace");
	check_scan(f, "reboot: Power down", "shutdown_kernel");
	check_scan(f, "Power down.  ", "shutdown_kernel");
	check_scan(f, "Power down. x", "");
	/* one line, several rules, in pack order */
	check_scan(f, "------------[ cut here ]------------ kernel BUG at",
		   "kernel_bug");
	check_scan(f, "a invoked oom-killer: gfp_mask=0x0, order=0, "
		   "oom_score_adj=0 b:1 blocked for more than 1 seconds",
		   "hung_task(comm@0=a invoked oom-killer: gfp_mask=0x0, "
		   "order=0, oom_score_adj=0 b,pid@63=1,blocked_secs@87=1) "
		   "oom_invoked(trigger_comm@0=a,gfp_mask@31=0x0,order@42=0,"
		   "trigger_oom_score_adj@59=0)");
	check_scan(f, " ? __schedule+0x2f0/0x9a0 [kvm]",
		   "frame_x86(unreliable@1=? ,func@3=__schedule,off@14=0x2f0,"
		   "size@20=0x9a0,module@27=kvm)");
	check_scan(f, "Kernel panic - not syncing: Fatal exception ]---",
		   "panic(reason@28=Fatal exception)");
	check_scan(f, "Kernel panic - not syncing", "panic(reason@26=)");
	/* near misses */
	check_scan(f, "BUG: soft lockup - CPU#x stuck for 22s! [a:1]", "");
	check_scan(f, " BUG: kernel NULL pointer dereference, address: 0",
		   "");
	check_scan(f, "bug: kernel null pointer dereference, address: 0", "");
	check_scan(f, "Kernel panic - not synced", "");
	/* a user-space rule does not match kernel lines */
	check_scan(f, "Killed /system.slice/x.service due to memory", "");
}

/* Bytes a log may hold: NULs, invalid UTF-8, very long lines. */
static void test_scan_hostile(void **state)
{
	struct fixture *f = *state;
	struct strbuf sb = STRBUF_INIT, out = STRBUF_INIT;
	static const char nul[] = "Call Trace:\0garbage";
	static const char nul2[] = "Kernel panic - not syncing: a\0b";
	struct kt_match m;
	struct kt_line l;
	size_t i;

	l = line_at(nul, sizeof(nul) - 1);
	l.cut = true;
	assert_int_equal(kt_matcher_scan(f->m, &l, &every, &m), 1);
	assert_string_equal(m.hit[0].rule->id, "call_trace");
	/* a NUL is a byte like any other: '.*' runs across it */
	l = line_at(nul2, sizeof(nul2) - 1);
	l.cut = true;
	assert_int_equal(kt_matcher_scan(f->m, &l, &every, &m), 1);
	assert_int_equal(m.nr_caps, 1);
	assert_int_equal(m.cap[0].val.len, 3);
	assert_memory_equal(m.cap[0].val.p, "a\0b", 3);

	check_scan(f, "\xff\xfe\xc0\x80 Call Trace:", "");
	check_scan(f, "BUG: soft lockup - CPU#0 stuck for 1s! [\xff\xfe:1]",
		   "soft_lockup(cpu@23=0,stuck_secs@35=1,comm@40=\xff\xfe,"
		   "pid@43=1)");

	/* a line as long as the framer allows */
	strbuf_addstr(&sb, "Kernel panic - not syncing: ");
	while (sb.len < KT_LINE_MAX)
		strbuf_addch(&sb, 'a' + (int)(sb.len % 26));
	strbuf_setlen(&sb, KT_LINE_MAX);
	l = line_at(sb.buf, sb.len);
	l.cut = true;
	assert_int_equal(kt_matcher_scan(f->m, &l, &every, &m), 1);
	assert_int_equal(m.cap[0].val.len, KT_LINE_MAX - 28);
	/* longer than that: vectorscan sees the first KT_LINE_MAX bytes */
	for (i = 0; i < 1000; i++)
		strbuf_addch(&sb, 'z');
	l = line_at(sb.buf, sb.len);
	l.cut = true;
	assert_int_equal(kt_matcher_scan(f->m, &l, &every, &m), 1);
	assert_int_equal(m.cap[0].val.len, KT_LINE_MAX + 1000 - 28);
	strbuf_reset(&sb);
	while (sb.len < KT_LINE_MAX + 10)
		strbuf_addstr(&sb, "Call Trace:");
	check_scan(f, sb.buf, "call_trace");
	strbuf_release(&sb);
	strbuf_release(&out);
}

/* User-space lines see only the rules for their program. */
static void test_scan_user(void **state)
{
	struct fixture *f = *state;
	static const char msg[] = "Killed /system.slice/x.service due to "
				  "memory pressure";
	struct kt_line l = line_at(msg, sizeof(msg) - 1);
	struct kt_match m;

	l.cut = true;
	l.is_kernel = false;
	l.prog = KT_STR_LIT("systemd-oomd");
	assert_int_equal(kt_matcher_scan(f->m, &l, &every, &m), 1);
	assert_string_equal(m.hit[0].rule->id, "oomd");
	assert_int_equal(m.hit[0].cap_nr, 2);
	assert_true(kt_str_eq_cstr(m.cap[1].val, "memory pressure"));
	l.prog = KT_STR_LIT("systemd-oom");
	assert_int_equal(kt_matcher_scan(f->m, &l, &every, &m), 0);
	l.prog = KT_STR_NULL;
	assert_int_equal(kt_matcher_scan(f->m, &l, &every, &m), 0);
	/* kernel rules do not apply to user-space lines */
	{
		static const char k[] = "Call Trace:";

		l = line_at(k, sizeof(k) - 1);
		l.cut = true;
		l.is_kernel = false;
		l.prog = KT_STR_LIT("systemd-oomd");
		assert_int_equal(kt_matcher_scan(f->m, &l, &every, &m), 0);
	}
}

/*
 * A line the screen saw nothing in is scanned only for the reports that
 * could take it (struct kt_match_want), and only for the rules that
 * open nothing: the generic ones for a report of any type, the others
 * for reports of their type; a report that ended takes tail rules only.
 */
static void test_want(void **state)
{
	struct fixture *f = *state;
	static const char buf[] =
		"BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
		"Call Trace:\n"
		"Showing busy workqueues and worker pools:\n"
		"oom_reaper: reaped process 42 (java)\n";
	struct kt_line head = line_at(buf, 63), body = line_at(buf + 64, 11);
	struct kt_line busy = line_at(buf + 76, 41);
	struct kt_line reaper = line_at(buf + 118, 36);
	const struct kt_matcher_stats *st = kt_matcher_stats(f->m);
	uint64_t oops = 1ULL << kt_ruleset_type_find(&f->rs, "oops");
	uint64_t deadlock = 1ULL << kt_ruleset_type_find(&f->rs, "deadlock");
	uint64_t oom = 1ULL << kt_ruleset_type_find(&f->rs, "oom");
	struct kt_match_want w = { 0, 0, false };
	struct kt_match m;

	body.offset = 64;
	busy.offset = 76;
	reaper.offset = 118;
	/* no screen has run over this input, no report wants the lines */
	assert_int_equal(kt_matcher_scan(f->m, &head, &none, &m), 0);
	assert_int_equal(kt_matcher_scan(f->m, &body, &none, &m), 0);
	assert_int_equal(st->scanned, 2);
	assert_int_equal(st->screened_out, 2);
	/* any open report takes the generic body rules, never a head */
	w.open = oops;
	w.ended = 0;
	assert_int_equal(kt_matcher_scan(f->m, &head, &w, &m), 0);
	assert_int_equal(kt_matcher_scan(f->m, &body, &w, &m), 1);
	assert_string_equal(m.hit[0].rule->id, "call_trace");
	/* typed rules for reports of their type only */
	assert_int_equal(kt_matcher_scan(f->m, &busy, &w, &m), 0);
	w.open = deadlock;
	assert_int_equal(kt_matcher_scan(f->m, &busy, &w, &m), 1);
	assert_string_equal(m.hit[0].rule->id, "busy_workqueues");
	w.open = 0;
	w.ended = deadlock;
	assert_int_equal(kt_matcher_scan(f->m, &busy, &w, &m), 0);
	assert_int_equal(kt_matcher_scan(f->m, &body, &w, &m), 0);
	/* an ended report takes its tail rules, as an open one does */
	w.ended = oom;
	assert_int_equal(kt_matcher_scan(f->m, &reaper, &w, &m), 1);
	assert_string_equal(m.hit[0].rule->id, "oom_reaper");
	assert_int_equal(m.nr_caps, 2);
	w.open = oom;
	w.ended = 0;
	assert_int_equal(kt_matcher_scan(f->m, &reaper, &w, &m), 1);
	w.open = oops;
	assert_int_equal(kt_matcher_scan(f->m, &reaper, &w, &m), 0);

	/* once the screen has seen the block, the head is found */
	kt_matcher_screen_begin(f->m);
	kt_matcher_screen(f->m, buf, sizeof(buf) - 1, true);
	assert_int_equal(kt_matcher_scan(f->m, &head, &none, &m), 1);
	assert_string_equal(m.hit[0].rule->id, "null_deref");
	assert_int_equal(m.nr_caps, 1);
	assert_true(kt_str_eq_cstr(m.cap[0].val, "0000000000000008"));
	assert_int_equal(kt_matcher_scan(f->m, &body, &none, &m), 0);
	assert_int_equal(kt_matcher_scan(f->m, &body, &every, &m), 1);
	assert_int_equal(st->scanned, 14);
	assert_int_equal(st->confirmed, 6);
}

/*
 * The screen over a stream cut into blocks anywhere: each line that
 * opens something is seen, the lines around it are not.
 */
static void test_screen_blocks(void **state)
{
	struct fixture *f = *state;
	static const char *const lines[] = {
		"random noise 1",
		"BUG: soft lockup - CPU#1 stuck for 23s! [swapper/1:0]",
		"Linux version 6.1.0-13-amd64 (debian-kernel@lists.debian.org)",
		"more noise, lockup and BUG: and version but nothing",
		"Kernel panic - not syncing: Fatal exception",
		"sda: I/O error, dev sda, sector 0",
		"I/O error, dev sdb, sector 2048 op 0x0:(READ)",
		"",
		"reboot: Power down",
		"CPU2: Core temperature above threshold, cpu clock throttled "
		"(total events = 9)",
	};
	static const int opens[] = { 0, 1, 1, 0, 1, 0, 1, 0, 1, 1 };
	struct strbuf buf = STRBUF_INIT;
	size_t start[KT_ARRAY_SIZE(lines)], cut, i;

	for (i = 0; i < KT_ARRAY_SIZE(lines); i++) {
		start[i] = buf.len;
		strbuf_addf(&buf, "%s\n", lines[i]);
	}
	for (cut = 0; cut <= buf.len; cut += 3) {
		kt_matcher_screen_begin(f->m);
		kt_matcher_screen(f->m, buf.buf, cut, false);
		kt_matcher_screen(f->m, buf.buf + cut, 0, false);
		kt_matcher_screen(f->m, buf.buf + cut, buf.len - cut, true);
		for (i = 0; i < KT_ARRAY_SIZE(lines); i++) {
			struct kt_line l = line_at(buf.buf + start[i],
						   strlen(lines[i]));
			struct kt_match m;
			int n;

			l.offset = start[i];
			n = kt_matcher_scan(f->m, &l, &none, &m);
			if (n != opens[i])
				fail_msg("cut at %zu: line %zu: %d rules", cut,
					 i, n);
		}
	}
	strbuf_release(&buf);
}

/* More rules and captures than a match holds: capped, never overrun. */
static void test_caps(void **state)
{
	struct fixture *f = *state;
	struct kt_ruleset rs;
	struct kt_matcher *m;
	struct strbuf yaml = STRBUF_INIT, line = STRBUF_INIT;
	struct kt_match out;
	struct kt_line l;
	int i;

	kt_ruleset_init(&rs);
	strbuf_addstr(&yaml, "rules:\n");
	for (i = 0; i < 20; i++)
		strbuf_addf(&yaml, "  - {id: r%02d, role: body, match: '"
			    "(?<a>x)(?<b>x)(?<c>x)(?<d>x)(?<e>x)'}\n", i);
	assert_int_equal(kt_ruleset_load_text(&f->ctx, &rs, "caps.yaml",
					      yaml.buf, yaml.len), 0);
	assert_int_equal(kt_matcher_new(&f->ctx, &rs, NULL, &m), 0);
	strbuf_addstr(&line, "xxxxx");
	l = line_at(line.buf, line.len);
	l.cut = true;
	assert_int_equal(kt_matcher_scan(m, &l, &every, &out), KT_MATCH_MAX);
	assert_int_equal(out.nr, KT_MATCH_MAX);
	assert_int_equal(out.nr_caps, KT_CAPTURE_MAX);
	/* 12 rules get their 5 captures, the 13th 4, the rest none */
	for (i = 0; i < KT_MATCH_MAX; i++) {
		char id[8];

		snprintf(id, sizeof(id), "r%02d", i);
		assert_string_equal(out.hit[i].rule->id, id);
		assert_int_equal(out.hit[i].cap_start, KT_MIN(5 * i, 64));
		assert_int_equal(out.hit[i].cap_nr, i < 12 ? 5 : i == 12 ?
				 4 : 0);
	}
	assert_int_equal(out.cap[63].field,
			 kt_ruleset_field_find(&rs, "d"));
	assert_ptr_equal(out.cap[63].val.p, line.buf + 3);
	kt_matcher_free(m);
	kt_ruleset_release(&rs);
	strbuf_release(&yaml);
	strbuf_release(&line);
}

static size_t cache_files(const char *dir, struct strbuf *name)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			n++;
			strbuf_reset(name);
			strbuf_addf(name, "%s/%s", dir, de->d_name);
		}
	closedir(d);
	return n;
}

/* A compiled cache is written, read back, and ignored when broken. */
static void test_cache(void **state)
{
	struct fixture *f = *state;
	struct strbuf cache = STRBUF_INIT, file = STRBUF_INIT;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct kt_matcher *m;
	static const char msg[] = "BUG: soft lockup - CPU#3 stuck for 22s! "
				  "[kworker/3:1:1234]";
	struct stat st;
	int round, fd;

	strbuf_addf(&cache, "%s/cache", f->dir);
	scan(f, msg, &a);
	for (round = 0; round < 4; round++) {
		struct kt_match out;
		struct kt_line l = line_at(msg, sizeof(msg) - 1);

		assert_int_equal(kt_matcher_new(&f->ctx, &f->rs, cache.buf,
						&m), 0);
		assert_int_equal(cache_files(cache.buf, &file), 1);
		l.cut = true;
		kt_matcher_scan(m, &l, &every, &out);
		strbuf_reset(&b);
		describe(&f->rs, &out, msg, &b);
		assert_string_equal(a.buf, b.buf);
		kt_matcher_free(m);
		if (round == 1) {
			/* cut short: a cache that does not load */
			assert_int_equal(stat(file.buf, &st), 0);
			assert_int_equal(truncate(file.buf, st.st_size / 2),
					 0);
		} else if (round == 2) {
			fd = open(file.buf, O_WRONLY | O_TRUNC);
			assert_true(fd >= 0);
			assert_int_equal(write(fd, "KTHSDB4\0garbage", 15), 15);
			close(fd);
		}
	}
	assert_true(!strncmp(file.buf + cache.len, "/rules-", 7));
	assert_int_equal(file.len, cache.len + 7 + 16 + 5);
	/* a cache directory that cannot be made is no error */
	strbuf_addstr(&cache, "/missing/deeper");
	assert_int_equal(kt_matcher_new(&f->ctx, &f->rs, cache.buf, &m), 0);
	kt_matcher_free(m);
	strbuf_release(&cache);
	strbuf_release(&file);
	strbuf_release(&a);
	strbuf_release(&b);
}

static int load(struct fixture *f, struct kt_ruleset *rs, const char *name,
		const char *text)
{
	return kt_ruleset_load_text(&f->ctx, rs, name, text, strlen(text));
}

static void test_check(void **state)
{
	struct fixture *f = *state;
	struct kt_ruleset rs;

	assert_int_equal(kt_matcher_check(&f->ctx, &f->rs), 0);
	/* PCRE2 takes a backreference; vectorscan only as a prefilter */
	kt_ruleset_init(&rs);
	assert_int_equal(load(f, &rs, "b.yaml", "rules:\n"
			      "  - {id: br, role: body, match: '^(a+)b\\1$'}\n"),
			 0);
	assert_int_equal(kt_matcher_check(&f->ctx, &rs), 0);
	kt_ruleset_release(&rs);
	/* what PCRE2 takes but vectorscan not at all */
	kt_ruleset_init(&rs);
	assert_int_equal(load(f, &rs, "c.yaml", "rules:\n"
			      "  - {id: ok, role: body, match: x}\n"
			      "  - {id: la, role: body, match: '\\Gc'}\n"), 0);
	assert_int_equal(kt_matcher_check(&f->ctx, &rs), KT_ERR_RULES);
	assert_string_equal(kt_ctx_error(&f->ctx), "c.yaml:3: rule 'la': "
			    "vectorscan cannot compile the pattern");
	kt_ruleset_release(&rs);
}

/* ------------------------------------------------------- alignment */

/* What PCRE2 alone says about msg: the matcher's result must be this. */
static void oracle(struct fixture *f, const char *msg, size_t len,
		   bool is_kernel, struct strbuf *out)
{
	struct kt_match m;
	size_t i;
	uint32_t g;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < f->rs.nr_rules && m.nr < KT_MATCH_MAX; i++) {
		const struct kt_rule *r = &f->rs.rule[i];
		struct kt_match_hit *h;
		PCRE2_SIZE *ov;

		if (!(r->from & (is_kernel ? KT_FROM_KERNEL : KT_FROM_USER)) ||
		    r->nr_progs)
			continue;
		if (pcre2_match(r->re, (PCRE2_SPTR)msg, len, 0, 0, f->md,
				NULL) < 0)
			continue;
		h = &m.hit[m.nr++];
		h->rule = r;
		h->cap_start = m.nr_caps;
		ov = pcre2_get_ovector_pointer(f->md);
		for (g = 1; g < r->nr_groups; g++) {
			struct kt_capture *c;

			if (r->group_field[g] == KT_NO_FIELD ||
			    ov[2 * g] == PCRE2_UNSET)
				continue;
			c = &m.cap[m.nr_caps++];
			c->field = r->group_field[g];
			c->val = kt_str_make(msg + ov[2 * g],
					     ov[2 * g + 1] - ov[2 * g]);
			h->cap_nr++;
		}
	}
	strbuf_reset(out);
	describe(&f->rs, &m, msg, out);
}

/* A variable part of n bytes, different for each n. */
static void filler(struct strbuf *sb, size_t n, const char *alphabet)
{
	size_t k = strlen(alphabet), i;

	for (i = 0; i < n; i++)
		strbuf_addch(sb, alphabet[(i * 7 + n) % k]);
}

#define WORD "abcdefghijklmnopqrstuvwxyz0123456789_/-"
#define HEX "0123456789abcdef"

/* The lines: each template with a variable part of 1..64 bytes. */
static void make_line(struct strbuf *sb, int tpl, size_t n)
{
	strbuf_reset(sb);
	switch (tpl) {
	case 0:
		strbuf_addstr(sb, "BUG: soft lockup - CPU#3 stuck for 22s! [");
		filler(sb, n, WORD);
		strbuf_addstr(sb, ":1234]");
		break;
	case 1:
		strbuf_addstr(sb, "INFO: task ");
		filler(sb, n, WORD);
		strbuf_addstr(sb, ":4321 blocked for more than 120 seconds.");
		break;
	case 2:
		strbuf_addstr(sb, "BUG: kernel NULL pointer dereference, "
			      "address: ");
		filler(sb, n, HEX);
		break;
	case 3:
		strbuf_addstr(sb, "Kernel panic - not syncing: ");
		filler(sb, n - 1, WORD " ");
		break;
	case 4:
		strbuf_addstr(sb, "EXT4-fs error (device sda1): "
			      "ext4_find_entry:1455: inode #2: comm ");
		filler(sb, n, WORD);
		strbuf_addstr(sb, ": reading directory lblock 0");
		break;
	case 5:
		filler(sb, n, WORD);
		strbuf_addstr(sb, "[1234]: segfault at 0 ip 00007f0a sp "
			      "00007ffd error 4 in libc.so.6[7f00+1000]");
		break;
	case 6:
		strbuf_addstr(sb, "  ");
		filler(sb, n, "abcdefghijklmnopqrstuvwxyz_");
		strbuf_addstr(sb, "+0x1d/0x30 [ext4]");
		break;
	case 7:
		strbuf_addstr(sb, "WARNING: CPU: 1 PID: 2 at ");
		filler(sb, n, WORD);
		strbuf_addstr(sb, ".c:123 func+0x1/0x2 [m]");
		break;
	case 8:
		filler(sb, n, WORD);
		strbuf_addstr(sb, " invoked oom-killer: gfp_mask=0xcc0"
			      "(GFP_KERNEL), order=0, oom_score_adj=0");
		break;
	case 9:
		strbuf_addstr(sb, "kernel BUG at ");
		filler(sb, n, WORD);
		strbuf_addstr(sb, ".c:42!");
		break;
	case 10:
		strbuf_addstr(sb, "-----");
		filler(sb, n - 1, "-");
		strbuf_addstr(sb, "[ cut here ]------------");
		break;
	case 11:
		/* near misses: the screen's words, but no rule */
		strbuf_addstr(sb, "BUG: soft lockup - CPU#3 stuck for ");
		filler(sb, n, WORD);
		break;
	case 12:
		filler(sb, n, WORD " ");
		break;
	case 14:
		strbuf_addstr(sb, "oom-kill:constraint=CONSTRAINT_NONE,"
			      "nodemask=(null),cpuset=/,mems_allowed=0,"
			      "global_oom,task_memcg=/system.slice/");
		filler(sb, n, WORD);
		strbuf_addstr(sb, ".service,task=");
		filler(sb, n % 16 + 1, WORD);
		strbuf_addstr(sb, ",pid=4242,uid=0");
		break;
	case 15:
		/* a container's cgroup path, as long as they get */
		strbuf_addstr(sb, "oom-kill:constraint=CONSTRAINT_MEMCG,"
			      "nodemask=(null),cpuset=/,mems_allowed=0,"
			      "oom_memcg=/kubepods.slice,task_memcg=/kubepods."
			      "slice/");
		filler(sb, n, WORD);
		strbuf_addstr(sb, ".scope,task=nginx,pid=77,uid=0");
		break;
	default:
		strbuf_addstr(sb, "[Hardware Error]: CPU 2: Machine Check: 5 "
			      "Bank 4: be0000000001");
		filler(sb, n % 4 + 1, "0");
		filler(sb, n, HEX);
		break;
	}
}

#define NR_TEMPLATES 17

/* Lengths of the variable part: all up to 64, then some up to 250. */
static size_t next_len(size_t n)
{
	return n < 64 ? n + 1 : n + 7;
}

#define MAX_LEN 250

/*
 * Scans every template line at every start offset 0..63, in heap
 * blocks that end right after it or a little later, and ending where
 * an unreadable page begins, each after a longer line with the same
 * start (what a scan leaves behind).  Each result must equal want(),
 * given the line and its result in a 64-byte aligned block.
 */
static void alignment_run(struct fixture *f, struct kt_matcher *m,
			  bool vs_pcre)
{
	struct strbuf text = STRBUF_INIT, want = STRBUF_INIT;
	struct strbuf got = STRBUF_INIT, stale = STRBUF_INIT;
	size_t n, off, matched = 0, lens = 0;
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t ends = 0;
	struct kt_match res;
	struct kt_line l;
	char *page, *buf;
	int tpl;

	/* a readable page followed by one that is not */
	page = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(page != MAP_FAILED);
	assert_int_equal(mprotect(page + psz, psz, PROT_NONE), 0);
	memset(page, '[', psz);

	for (tpl = 0; tpl < NR_TEMPLATES; tpl++) {
		for (n = 1; n <= MAX_LEN; n = next_len(n)) {
			make_line(&text, tpl, n);
			if (posix_memalign((void **)&buf, 64, text.len + 64))
				fail();
			memcpy(buf, text.buf, text.len);
			l = line_at(buf, text.len);
			l.cut = true;
			kt_matcher_scan(m, &l, &every, &res);
			strbuf_reset(&want);
			describe(&f->rs, &res, buf, &want);
			free(buf);
			if (vs_pcre) {
				oracle(f, text.buf, text.len, true, &got);
				if (strcmp(got.buf, want.buf))
					fail_msg("'%s':\n  got  '%s'\n  want "
						 "'%s'", text.buf, want.buf,
						 got.buf);
			}
			if (want.len)
				matched++;
			ends |= 1ULL << (text.len % 64);
			lens++;
			strbuf_reset(&stale);
			strbuf_add(&stale, text.buf, text.len);
			strbuf_addstr(&stale, "0x99]: seconds.!\t \\]---");
			for (off = 0; off < 64; off++) {
				size_t tail = off % 3 ? (off * 5) % 64 : 0;
				bool heap = n % 2;

				if (heap) {
					if (posix_memalign((void **)&buf, 64,
							   off + text.len +
							   tail))
						fail();
					memset(buf, '[', off);
					memset(buf + off + text.len, '9',
					       tail);
					buf += off;
				} else {
					buf = page + psz - text.len - off;
				}
				memcpy(buf, text.buf, text.len);

				l = line_at(stale.buf, stale.len);
				l.cut = true;
				kt_matcher_scan(m, &l, &every, &res);
				l = line_at(buf, text.len);
				l.cut = true;
				kt_matcher_scan(m, &l, &every, &res);
				strbuf_reset(&got);
				describe(&f->rs, &res, buf, &got);
				if (strcmp(got.buf, want.buf))
					fail_msg("'%s' at %s offset %zu:\n  got "
						 " '%s'\n  want '%s'", text.buf,
						 heap ? "heap" : "page end",
						 off, got.buf, want.buf);
				if (heap)
					free(buf - off);
			}
		}
	}
	munmap(page, 2 * psz);
	/* most lines matched, and they ended at every alignment */
	assert_true(matched >= lens / 2);
	assert_true(ends == UINT64_MAX);
	strbuf_release(&text);
	strbuf_release(&want);
	strbuf_release(&got);
	strbuf_release(&stale);
}

/* The rules as shipped find what PCRE2 finds, wherever the line is. */
static void test_alignment(void **state)
{
	struct fixture *f = *state;

	alignment_run(f, f->m, true);
}

/*
 * Given the pattern that made results differ from run to run, vectorscan
 * misses some lines of some lengths; the aligned copy makes that at
 * least the same for a line wherever it lies in memory.
 */
static void test_alignment_invariance(void **state)
{
	struct fixture *f = *state;
	static const char raw[] = "rules:\n"
		"  - id: oom_constraint\n    role: body\n"
		"    match: '^oom-kill:constraint=(?<constraint>CONSTRAINT_\\w+),"
		"(?:nodemask=[^,]*,)?(?:cpuset=(?<cpuset>[^,]*),)?"
		"(?:mems_allowed=[^,]*,)?(?:global_oom,)?(?:oom_memcg=(?<memcg>[^,]*),)?"
		"(?:task_memcg=(?<task_memcg>[^,]*),)?task=(?<victim_comm>.*?),"
		"pid=(?<victim_pid>\\d+),uid=(?<uid>\\d+)'\n";

	/* the rule replaced in place, and a matcher for the new pack */
	kt_matcher_free(f->m);
	f->m = NULL;
	assert_int_equal(kt_ruleset_load_text(&f->ctx, &f->rs, "raw.yaml",
					      raw, sizeof(raw) - 1), 0);
	assert_null(kt_ruleset_rule_find(&f->rs, "oom_constraint")->prefilter);
	assert_int_equal(kt_matcher_new(&f->ctx, &f->rs, NULL, &f->m), 0);
	alignment_run(f, f->m, false);
}

/* The screen sees each line wherever it starts in the stream. */
static void test_alignment_screen(void **state)
{
	struct fixture *f = *state;
	struct strbuf text = STRBUF_INIT, buf = STRBUF_INIT;
	struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
	size_t n, off;
	int tpl;

	for (tpl = 0; tpl < NR_TEMPLATES; tpl++) {
		for (n = 1; n <= MAX_LEN; n += 13) {
			make_line(&text, tpl, n);
			oracle(f, text.buf, text.len, true, &want);
			for (off = 0; off < 64; off++) {
				struct kt_line l;
				struct kt_match m;
				char *copy;

				strbuf_reset(&buf);
				if (off) {
					filler(&buf, off - 1, WORD);
					strbuf_addch(&buf, '\n');
				}
				strbuf_add(&buf, text.buf, text.len);
				strbuf_addstr(&buf, "\nafter\n");
				copy = xmemdupz(buf.buf, buf.len);
				kt_matcher_screen_begin(f->m);
				kt_matcher_screen(f->m, copy, buf.len, true);
				l = line_at(copy + off, text.len);
				l.offset = off;
				kt_matcher_scan(f->m, &l, &every, &m);
				strbuf_reset(&got);
				describe(&f->rs, &m, copy + off, &got);
				if (strcmp(got.buf, want.buf))
					fail_msg("'%s' after %zu bytes:\n  got  "
						 "'%s'\n  want '%s'", text.buf,
						 off, got.buf, want.buf);
				free(copy);
			}
		}
	}
	strbuf_release(&text);
	strbuf_release(&buf);
	strbuf_release(&want);
	strbuf_release(&got);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keyword),
		cmocka_unit_test(test_keyword_escapes),
		T(test_scan),
		T(test_scan_hostile),
		T(test_scan_user),
		T(test_want),
		T(test_screen_blocks),
		T(test_caps),
		T(test_cache),
		T(test_check),
		T(test_alignment),
		T(test_alignment_invariance),
		T(test_alignment_screen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
