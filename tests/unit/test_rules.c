/*
 * test_rules.c - unit tests of match/rules: what a YAML rule pack loads
 * into (roles, types, fields, groups, collect, links, the guilty lists),
 * replacing and disabling rules across files, the exact "file:line:
 * message" of every kind of bad pack, example checking, and the default
 * pack compiled into the binary.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "match/rules.h"
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

struct fixture {
	struct kt_ctx ctx;
	struct kt_ruleset rs;
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	kt_ctx_init(&f->ctx);
	kt_ruleset_init(&f->rs);
	if (!tmp || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(f->dir, sizeof(f->dir), "%s/kt-rules-XXXXXX", tmp);
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
	kt_ruleset_release(&f->rs);
	kt_ctx_release(&f->ctx);
	free(f);
	return 0;
}

static int load(struct fixture *f, const char *name, const char *text)
{
	return kt_ruleset_load_text(&f->ctx, &f->rs, name, text, strlen(text));
}

static void write_rel(const struct fixture *f, const char *rel,
		      const char *text)
{
	struct strbuf p = STRBUF_INIT;
	int fd;

	strbuf_addf(&p, "%s/%s", f->dir, rel);
	fd = open(p.buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	strbuf_release(&p);
}

static uint16_t field(const struct kt_ruleset *rs, const char *name)
{
	uint16_t id = kt_ruleset_field_find(rs, name);

	if (id == KT_NO_FIELD)
		fail_msg("no field '%s'", name);
	return id;
}

static uint64_t type_bit(const struct kt_ruleset *rs, const char *name)
{
	uint8_t t = kt_ruleset_type_find(rs, name);

	if (t == KT_NO_TYPE)
		fail_msg("no type '%s'", name);
	return 1ULL << t;
}

/* ---------------------------------------------------------- good packs */

static const char good_pack[] =
	"# a pack using every key\n"
	"fields:\n"
	"  pid: int\n"
	"  secs: int\n"
	"  ok: bool\n"
	"  note: str\n"
	"guilty_skip:\n"
	"  - comment: locking\n"
	"    patterns: ['^_raw_spin_lock', '^mutex_lock$']\n"
	"  - comment: printing\n"
	"    patterns: ['dump_stack']\n"
	"guilty_rename:\n"
	"  - from: '^__(?:x64|ia32)_sys_(\\w+)$'\n"
	"    to: 'sys_$1'\n"
	"stall_anchors:\n"
	"  - '^worker_thread'\n"
	"  - match: '^process_one_work$'\n"
	"    name: workqueue\n"
	"links:\n"
	"  - id: panic_after_oops\n"
	"    effect: panic\n"
	"    cause: oops/null_deref\n"
	"    same: device\n"
	"    description: text nobody reads\n"
	"  - {id: l2, effect: a, cause: b, window_secs: 86400}\n"
	"rules:\n"
	"  - id: hung\n"				/* line 27 */
	"    role: head\n"
	"    type: deadlock\n"
	"    subtype: hung_task\n"
	"    severity: major\n"
	"    priority: -1000\n"
	"    match: '^INFO: task (?<comm>[^:]+):(?<pid>\\d+) blocked for "
	"more than (?<secs>\\d+) seconds'\n"
	"    title: ['task {comm} hung in {guilty_func}', 'task hung']\n"
	"    guilty: stall\n"
	"    guilty_from: [rip, locks]\n"
	"    keep_fields: pid\n"
	"    process: {pid: pid, comm: comm}\n"
	"    hold: yes\n"
	"    join: [deadlock, oops]\n"
	"    join_key: comm\n"
	"    join_trace: true\n"
	"    section: main\n"
	"    examples:\n"
	"      - 'INFO: task kworker/0:1:123 blocked for more than 120 "
	"seconds.'\n"
	"  - id: seg\n"					/* line 46 */
	"    role: line\n"
	"    type: segfault\n"
	"    subtype: segfault\n"
	"    severity: minor\n"
	"    from: any\n"
	"    match: 'segfault at (?<addr>[0-9a-f]+)'\n"
	"    title: segfault at {addr}\n"
	"  - id: sshd\n"
	"    role: line\n"
	"    type: auth\n"
	"    subtype: failed\n"
	"    severity: critical\n"
	"    prog: [sshd, dropbear]\n"
	"    match: '^Failed password for (?<user>\\S+)'\n"
	"    title: '{user}'\n"
	"  - id: locks_held\n"
	"    role: body\n"
	"    within: [deadlock, 'oops/null_deref']\n"
	"    subtype: with_locks\n"
	"    match: '^ *#(?<n>\\d+): (?<lock>\\S+)'\n"
	"    collect: {into: locks, item: {name: lock, n: n}, sort_by: n, "
	"keep: 4}\n"
	"    set: {ok: 'true', cause: locked}\n"
	"  - id: aux\n"
	"    role: section\n"
	"    match: '^Allocated by task'\n"
	"  - id: frame\n"
	"    role: frame\n"
	"    match: '^ (?<func>\\w+)\\+(?<off>0x[0-9a-f]+)'\n"
	"  - id: banner\n"
	"    role: boot\n"
	"    phase: 20\n"
	"    match: '^Linux version (?<kernel>\\S+)'\n"
	"  - id: names\n"
	"    role: body\n"
	"    collect: {into: names, value: name}\n"
	"    match: '^name: (?<name>\\w+)|^alias: (?<name>\\w+)'\n"
	"  - id: never_there\n"
	"    disabled: true\n";

static void test_good_pack(void **state)
{
	struct fixture *f = *state;
	struct kt_ruleset *rs = &f->rs;
	const struct kt_rule *r;

	assert_int_equal(load(f, "good.yaml", good_pack), 0);
	assert_string_equal(kt_ctx_error(&f->ctx), "");
	assert_int_equal(rs->nr_files, 1);
	assert_int_equal(rs->nr_rules, 8);
	assert_null(kt_ruleset_rule_find(rs, "never_there"));
	/* types in the order they were first named */
	assert_int_equal(rs->nr_types, 4);
	assert_string_equal(rs->types[0], "deadlock");
	assert_string_equal(rs->types[1], "oops");
	assert_string_equal(rs->types[2], "segfault");
	assert_string_equal(rs->types[3], "auth");
	/* declared field types; groups and keys add string fields */
	assert_int_equal(rs->field[field(rs, "pid")].type, KT_FIELD_INT);
	assert_int_equal(rs->field[field(rs, "secs")].type, KT_FIELD_INT);
	assert_int_equal(rs->field[field(rs, "ok")].type, KT_FIELD_BOOL);
	assert_int_equal(rs->field[field(rs, "note")].type, KT_FIELD_STR);
	assert_int_equal(rs->field[field(rs, "comm")].type, KT_FIELD_STR);
	assert_int_equal(rs->field[field(rs, "locks")].type,
			 KT_FIELD_OBJECTS);
	assert_int_equal(rs->field[field(rs, "names")].type, KT_FIELD_LIST);
	assert_int_equal(kt_ruleset_field_find(rs, "nope"), KT_NO_FIELD);

	r = kt_ruleset_rule_find(rs, "hung");
	assert_non_null(r);
	assert_ptr_equal(r, &rs->rule[0]);
	assert_string_equal(r->file, "good.yaml");
	assert_int_equal(r->line, 27);
	assert_int_equal(r->role, KT_ROLE_HEAD);
	assert_int_equal(r->type, kt_ruleset_type_find(rs, "deadlock"));
	assert_string_equal(r->subtype, "hung_task");
	assert_int_equal(r->severity, KT_SEV_MAJOR);
	assert_int_equal(r->priority, -1000);
	assert_int_equal(r->from, KT_FROM_KERNEL);
	assert_int_equal(r->nr_title, 2);
	assert_string_equal(r->title[0], "task {comm} hung in {guilty_func}");
	assert_string_equal(r->title[1], "task hung");
	assert_true(r->guilty_stall);
	assert_int_equal(r->nr_guilty_from, 2);
	assert_string_equal(r->guilty_from[1], "locks");
	assert_int_equal(r->nr_keep_fields, 1);
	assert_string_equal(r->keep_fields[0], "pid");
	assert_int_equal(r->proc_pid, field(rs, "pid"));
	assert_int_equal(r->proc_comm, field(rs, "comm"));
	assert_true(r->hold);
	assert_true(r->join == (type_bit(rs, "deadlock") |
				type_bit(rs, "oops")));
	assert_string_equal(r->join_key, "comm");
	assert_true(r->join_trace);
	assert_int_equal(r->section, KT_SECTION_MAIN);
	assert_int_equal(r->nr_example, 1);
	assert_null(r->description);
	/* group 0 is the whole match; named groups feed their fields */
	assert_int_equal(r->nr_groups, 4);
	assert_int_equal(r->group_field[0], KT_NO_FIELD);
	assert_int_equal(r->group_field[1], field(rs, "comm"));
	assert_int_equal(r->group_field[2], field(rs, "pid"));
	assert_int_equal(r->group_field[3], field(rs, "secs"));
	assert_non_null(r->re);

	r = kt_ruleset_rule_find(rs, "seg");
	assert_int_equal(r->line, 46);
	assert_int_equal(r->from, KT_FROM_KERNEL | KT_FROM_USER);
	assert_int_equal(r->severity, KT_SEV_MINOR);
	assert_int_equal(r->priority, 0);
	assert_false(r->hold);
	assert_int_equal(r->proc_pid, KT_NO_FIELD);
	assert_int_equal(r->section, 0);

	/* naming programs makes a rule read user-space lines */
	r = kt_ruleset_rule_find(rs, "sshd");
	assert_int_equal(r->from, KT_FROM_KERNEL | KT_FROM_USER);
	assert_int_equal(r->nr_progs, 2);
	assert_string_equal(r->progs[1], "dropbear");
	assert_int_equal(r->severity, KT_SEV_CRITICAL);

	r = kt_ruleset_rule_find(rs, "locks_held");
	assert_int_equal(r->role, KT_ROLE_BODY);
	assert_int_equal(r->type, KT_NO_TYPE);
	assert_string_equal(r->subtype, "with_locks");
	assert_true(r->within == type_bit(rs, "deadlock"));
	assert_int_equal(r->nr_within_sub, 1);
	assert_string_equal(r->within_sub[0], "oops/null_deref");
	assert_non_null(r->collect);
	assert_int_equal(r->collect->into, field(rs, "locks"));
	assert_int_equal(r->collect->value, KT_NO_FIELD);
	assert_int_equal(r->collect->nr_item, 2);
	assert_string_equal(r->collect->item[0].key, "name");
	assert_int_equal(r->collect->item[0].field, field(rs, "lock"));
	assert_string_equal(r->collect->item[1].key, "n");
	assert_int_equal(r->collect->sort_by, 1);
	assert_int_equal(r->collect->keep, 4);
	assert_int_equal(r->nr_set, 2);
	assert_int_equal(r->set[0].field, field(rs, "ok"));
	assert_string_equal(r->set[0].value, "true");
	assert_int_equal(r->set[1].field, field(rs, "cause"));

	/* a section rule starts an aux part unless told otherwise */
	r = kt_ruleset_rule_find(rs, "aux");
	assert_int_equal(r->section, KT_SECTION_AUX);
	r = kt_ruleset_rule_find(rs, "banner");
	assert_int_equal(r->role, KT_ROLE_BOOT);
	assert_int_equal(r->phase, 20);
	/* one name in two alternatives is one field */
	r = kt_ruleset_rule_find(rs, "names");
	assert_int_equal(r->nr_groups, 3);
	assert_int_equal(r->group_field[1], field(rs, "name"));
	assert_int_equal(r->group_field[2], field(rs, "name"));
	assert_int_equal(r->collect->value, field(rs, "name"));
	assert_int_equal(r->collect->keep, 16);

	assert_int_equal(rs->nr_link, 2);
	assert_string_equal(rs->link[0].id, "panic_after_oops");
	assert_string_equal(rs->link[0].cause, "oops/null_deref");
	assert_string_equal(rs->link[0].same, "device");
	assert_int_equal(rs->link[0].window_secs, 600);
	assert_null(rs->link[1].same);
	assert_int_equal(rs->link[1].window_secs, 86400);
	assert_int_equal(rs->nr_skip, 2);
	assert_string_equal(rs->skip[0].comment, "locking");
	assert_int_equal(rs->skip[0].nr, 2);
	assert_int_equal(rs->nr_rename, 1);
	assert_int_equal(rs->nr_anchor, 2);
	assert_null(rs->anchor[0].name);
	assert_string_equal(rs->anchor[1].name, "workqueue");
}

static void test_finish(void **state)
{
	struct fixture *f = *state;
	struct kt_ruleset *rs = &f->rs;
	const struct kt_rule *r;
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(load(f, "good.yaml", good_pack), 0);
	/* nothing is skipped before finish compiles the list */
	assert_false(kt_ruleset_skip_frame(rs, "mutex_lock", 10));
	assert_int_equal(kt_ruleset_finish(&f->ctx, rs), 0);
	/* the contract's reboot type exists whatever the pack says */
	assert_int_equal(rs->nr_types, 5);
	assert_string_equal(rs->types[4], "reboot");
	/* the sort key of a collect list is numeric */
	r = kt_ruleset_rule_find(rs, "locks_held");
	assert_false(r->collect->item[0].is_int);
	assert_true(r->collect->item[1].is_int);

	assert_true(kt_ruleset_skip_frame(rs, "mutex_lock", 10));
	assert_true(kt_ruleset_skip_frame(rs, "_raw_spin_lock_irqsave", 22));
	assert_true(kt_ruleset_skip_frame(rs, "show_dump_stack_x", 17));
	assert_false(kt_ruleset_skip_frame(rs, "mutex_lock_nested", 17));
	assert_false(kt_ruleset_skip_frame(rs, "ext4_write", 10));
	assert_false(kt_ruleset_skip_frame(rs, "", 0));
	/* the length bounds the name: "mutex_lock" of "mutex_lock_nested" */
	assert_true(kt_ruleset_skip_frame(rs, "mutex_lock_nested", 10));

	kt_ruleset_rename(rs, "__x64_sys_futex", &sb);
	assert_string_equal(sb.buf, "sys_futex");
	strbuf_reset(&sb);
	kt_ruleset_rename(rs, "__arm64_sys_futex", &sb);
	assert_string_equal(sb.buf, "__arm64_sys_futex");
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "in ");
	kt_ruleset_rename(rs, "", &sb);
	assert_string_equal(sb.buf, "in ");

	assert_ptr_equal(kt_ruleset_anchor_frame(rs, "worker_thread", 13),
			 &rs->anchor[0]);
	assert_ptr_equal(kt_ruleset_anchor_frame(rs, "process_one_work", 16),
			 &rs->anchor[1]);
	assert_null(kt_ruleset_anchor_frame(rs, "process_one_work2", 17));
	assert_null(kt_ruleset_anchor_frame(rs, "my_worker_thread", 16));
	/* finishing twice is harmless */
	assert_int_equal(kt_ruleset_finish(&f->ctx, rs), 0);
	assert_int_equal(rs->nr_types, 5);
	assert_true(kt_ruleset_skip_frame(rs, "mutex_lock", 10));
	strbuf_release(&sb);
}

/* A rename longer than its buffer keeps the name as it was. */
static void test_rename_long(void **state)
{
	struct fixture *f = *state;
	struct strbuf name = STRBUF_INIT, out = STRBUF_INIT;
	size_t i;

	assert_int_equal(load(f, "r.yaml", "guilty_rename:\n"
			      "  - {from: '^(x+)$', to: '$1$1'}\n"), 0);
	for (i = 0; i < 300; i++)
		strbuf_addch(&name, 'x');
	kt_ruleset_rename(&f->rs, name.buf, &out);
	assert_int_equal(out.len, 300);
	strbuf_reset(&name);
	strbuf_reset(&out);
	strbuf_addstr(&name, "xx");
	kt_ruleset_rename(&f->rs, name.buf, &out);
	assert_string_equal(out.buf, "xxxx");
	strbuf_release(&name);
	strbuf_release(&out);
}

static void test_empty_packs(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "a.yaml", ""), 0);
	assert_int_equal(load(f, "b.yaml", "# only a comment\n\n"), 0);
	assert_int_equal(load(f, "c.yaml", "rules: []\nfields: {}\n"), 0);
	assert_int_equal(f->rs.nr_rules, 0);
	assert_int_equal(f->rs.nr_files, 3);
	assert_int_equal(kt_ruleset_finish(&f->ctx, &f->rs), 0);
	assert_int_equal(f->rs.nr_types, 1);
	assert_false(kt_ruleset_skip_frame(&f->rs, "x", 1));
	assert_null(kt_ruleset_anchor_frame(&f->rs, "x", 1));
}

/* Later rules with the same id replace earlier ones where they stood. */
static void test_replace_and_disable(void **state)
{
	struct fixture *f = *state;
	const struct kt_rule *r;

	assert_int_equal(load(f, "base.yaml",
		"rules:\n"
		"  - {id: one, role: body, match: '^one'}\n"
		"  - {id: two, role: body, match: '^two'}\n"
		"  - {id: three, role: body, match: '^three'}\n"), 0);
	assert_int_equal(load(f, "user.yaml",
		"rules:\n"
		"  - {id: two, role: end, match: '^TWO (?<x>\\d+)'}\n"
		"  - {id: one, disabled: true}\n"
		"  - {id: four, role: body, match: '^four'}\n"
		"  - {id: four, role: body, match: '^FOUR'}\n"), 0);
	assert_int_equal(f->rs.nr_rules, 3);
	assert_string_equal(f->rs.rule[0].id, "two");
	assert_string_equal(f->rs.rule[1].id, "three");
	assert_string_equal(f->rs.rule[2].id, "four");
	r = &f->rs.rule[0];
	assert_int_equal(r->role, KT_ROLE_END);
	assert_string_equal(r->match, "^TWO (?<x>\\d+)");
	assert_string_equal(r->file, "user.yaml");
	assert_int_equal(r->line, 2);
	assert_int_equal(r->nr_groups, 2);
	assert_string_equal(f->rs.rule[2].match, "^FOUR");
	assert_string_equal(f->rs.rule[1].file, "base.yaml");

	/* disabling what does not exist is not an error; a failed rule
	 * leaves the one it would have replaced alone */
	assert_int_equal(load(f, "more.yaml",
		"rules:\n  - {id: nothing, disabled: yes}\n"), 0);
	assert_int_equal(load(f, "bad.yaml",
		"rules:\n  - {id: three, role: body, match: '('}\n"),
		KT_ERR_RULES);
	assert_int_equal(f->rs.nr_rules, 3);
	assert_string_equal(f->rs.rule[1].match, "^three");
	assert_int_equal(f->rs.nr_files, 3);
}

/* ----------------------------------------------------------- bad packs */

static const struct {
	const char *text;
	const char *error;
} bad[] = {
	/* not YAML, not UTF-8, not text */
	{ "rules: [", "t.yaml:2: did not find expected node content" },
	{ "rules:\n  - id: a\n   role: x\n",
	  "t.yaml:3: did not find expected '-' indicator" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\xff\n",
	  "t.yaml:1: invalid leading UTF-8 octet" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\x01\n",
	  "t.yaml:1: control characters are not allowed" },
	{ "rules:\n  - id: a\n    role: body\n    match: \"x\\0y\"\n",
	  "t.yaml:4: strings must not hold NUL bytes" },
	{ "rules:\n  - id: \"a\\0\"\n    role: body\n    match: x\n",
	  "t.yaml:2: strings must not hold NUL bytes" },
	/* structure */
	{ "- a\n- b\n",
	  "t.yaml:1: a rule file is a map with 'rules', 'fields' or "
	  "'guilty_skip'" },
	{ "just text\n",
	  "t.yaml:1: a rule file is a map with 'rules', 'fields' or "
	  "'guilty_skip'" },
	{ "rules: 5\n", "t.yaml:1: 'rules' must be a list" },
	{ "bogus: 1\n", "t.yaml:1: unknown top-level key 'bogus'" },
	{ "? [a]\n: b\n", "t.yaml:1: unknown top-level key '?'" },
	{ "rules:\n  - 5\n", "t.yaml:2: a rule must be a map" },
	{ "rules:\n  - [id, a]\n", "t.yaml:2: a rule must be a map" },
	/* rule keys */
	{ "rules:\n  - role: line\n    match: x\n",
	  "t.yaml:2: rule without 'id'" },
	{ "rules:\n  - id: [a]\n", "t.yaml:2: 'id' must be a string" },
	{ "rules:\n  - id: a\n    match: x\n",
	  "t.yaml:2: rule 'a' has no 'role'" },
	{ "rules:\n  - id: a\n    role: nope\n    match: x\n",
	  "t.yaml:2: rule 'a': unknown role 'nope'" },
	{ "rules:\n  - id: a\n    role: body\n",
	  "t.yaml:2: rule 'a' has no 'match'" },
	{ "rules:\n  - id: a\n    role: line\n    match: x\n",
	  "t.yaml:2: rule 'a': a line rule needs type, subtype, severity "
	  "and title" },
	{ "rules:\n  - id: a\n    role: head\n    type: t\n    subtype: s\n"
	  "    severity: major\n    match: x\n",
	  "t.yaml:2: rule 'a': a head rule needs type, subtype, severity "
	  "and title" },
	{ "rules:\n  - id: a\n    role: body\n    type: oops\n    match: x\n",
	  "t.yaml:4: rule 'a': a body rule has no type" },
	{ "rules:\n  - id: a\n    role: line\n    type: Oops\n    match: x\n",
	  "t.yaml:4: type 'Oops' must be lower_snake_case" },
	{ "rules:\n  - id: a\n    role: line\n    type: ''\n    match: x\n",
	  "t.yaml:4: empty type" },
	{ "rules:\n  - id: a\n    role: body\n    within: '/x'\n    match: x\n",
	  "t.yaml:4: empty type" },
	{ "rules:\n  - id: a\n    role: line\n    type: t\n    subtype: s\n"
	  "    severity: huge\n    title: t\n    match: x\n",
	  "t.yaml:2: rule 'a': severity must be minor, major or critical" },
	{ "rules:\n  - id: a\n    role: body\n    match: 'x(('\n",
	  "t.yaml:4: rule 'a': bad pattern at offset 3: missing closing "
	  "parenthesis" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\n"
	  "    priority: 1001\n",
	  "t.yaml:5: 'priority' must be a number from -1000 to 1000" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\n"
	  "    priority: 99999999999999999999\n",
	  "t.yaml:5: 'priority' must be a number from -1000 to 1000" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\n    priority: 1.5\n",
	  "t.yaml:5: 'priority' must be a number from -1000 to 1000" },
	{ "rules:\n  - id: a\n    role: boot\n    match: x\n    phase: -1\n",
	  "t.yaml:5: 'phase' must be a number from 0 to 100" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\n    from: kernal\n",
	  "t.yaml:2: rule 'a': 'from' must be kernel, user or any" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\n    colour: red\n",
	  "t.yaml:5: unknown rule key 'colour'" },
	{ "rules:\n  - id: a\n    role: body\n    match: [x]\n",
	  "t.yaml:4: 'match' must be a string" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\n    section: aux\n",
	  "t.yaml:2: rule 'a': only section and head rules take 'section'" },
	{ "rules:\n  - id: a\n    role: section\n    match: x\n"
	  "    section: side\n",
	  "t.yaml:2: rule 'a': section must be main, aux or restart" },
	{ "rules:\n  - id: a\n    role: head\n    match: x\n    hold: maybe\n",
	  "t.yaml:5: 'hold' must be true or false" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\n    guilty: last\n",
	  "t.yaml:5: 'guilty' must be first or stall" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\n"
	  "    process: {pid: p, tid: t}\n",
	  "t.yaml:5: 'process' keys are pid and comm" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\n    set: [a]\n",
	  "t.yaml:5: 'set' must be a map of field: value" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\n    prog: {a: b}\n",
	  "t.yaml:5: 'prog' must be a string or a list" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\n    prog: [[a]]\n",
	  "t.yaml:5: 'prog' items must be strings" },
	/* collect */
	{ "rules:\n  - id: a\n    role: body\n    match: x\n"
	  "    collect: {into: l}\n",
	  "t.yaml:5: 'collect' needs exactly one of 'value' or 'item'" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\n"
	  "    collect: {value: v}\n",
	  "t.yaml:5: 'collect' needs 'into'" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\n"
	  "    collect: {into: l, value: v, item: {k: g}}\n",
	  "t.yaml:5: 'collect' needs exactly one of 'value' or 'item'" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\n"
	  "    collect: {into: l, item: {k: g}, sort_by: z}\n",
	  "t.yaml:5: 'sort_by' names no item key 'z'" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\n"
	  "    collect: {into: l, value: v, keep: 65}\n",
	  "t.yaml:5: 'keep' must be a number from 1 to 64" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\n"
	  "    collect: {into: l, value: v, more: 1}\n",
	  "t.yaml:5: unknown or malformed 'collect' key 'more'" },
	{ "rules:\n  - id: a\n    role: body\n    match: x\n    collect: [l]\n",
	  "t.yaml:5: 'collect' must be a map" },
	/* the other top-level keys */
	{ "fields:\n  n: float\n",
	  "t.yaml:2: field 'n': type must be str, int or bool" },
	{ "fields: [a]\n",
	  "t.yaml:1: 'fields' must be a map of name: str|int|bool" },
	{ "links:\n  - id: l\n    effect: a\n",
	  "t.yaml:2: a link needs id, effect and cause" },
	{ "links:\n  - id: l\n    effect: a\n    cause: b\n"
	  "    window_secs: 0\n",
	  "t.yaml:5: 'window_secs' must be a number from 1 to 86400" },
	{ "links:\n  - {id: l, effect: a, cause: b, after: c}\n",
	  "t.yaml:2: unknown link key 'after'" },
	{ "links: {a: b}\n", "t.yaml:1: 'links' must be a list" },
	{ "guilty_rename:\n  - from: '('\n    to: x\n",
	  "t.yaml:2: guilty_rename: bad pattern at offset 1: missing closing "
	  "parenthesis" },
	{ "guilty_rename:\n  - from: x\n",
	  "t.yaml:2: a guilty_rename entry needs 'from' and 'to'" },
	{ "stall_anchors:\n  - '(['\n",
	  "t.yaml:2: stall anchor: bad pattern at offset 2: missing "
	  "terminating ] for character class" },
	{ "stall_anchors:\n  - {match: x, label: y}\n",
	  "t.yaml:2: a stall anchor is a pattern or {match, name}" },
	{ "stall_anchors:\n  - [x]\n",
	  "t.yaml:2: a stall anchor is a pattern or {match, name}" },
	{ "guilty_skip:\n  - comment: c\n    patterns: x\n",
	  "t.yaml:3: a guilty_skip group has 'comment' and a list of "
	  "'patterns'" },
	{ "guilty_skip:\n  - patterns: [x, [y]]\n",
	  "t.yaml:2: a guilty_skip group has 'comment' and a list of "
	  "'patterns'" },
	{ "guilty_skip: x\n", "t.yaml:1: 'guilty_skip' must be a list of "
	  "groups" },
};

static void test_bad_packs(void **state)
{
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(bad); i++) {
		struct kt_ruleset rs;
		int rc;

		kt_ruleset_init(&rs);
		rc = kt_ruleset_load_text(&f->ctx, &rs, "t.yaml", bad[i].text,
					  strlen(bad[i].text));
		if (rc != KT_ERR_RULES ||
		    strcmp(kt_ctx_error(&f->ctx), bad[i].error))
			fail_msg("pack %zu: %d '%s', want '%s'", i, rc,
				 kt_ctx_error(&f->ctx), bad[i].error);
		assert_int_equal(rs.nr_rules, 0);
		assert_int_equal(rs.nr_files, 0);
		kt_ruleset_release(&rs);
	}
}

/* A guilty_skip pattern is checked when the list is compiled. */
static void test_bad_skip_pattern(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "s.yaml", "guilty_skip:\n"
			      "  - {comment: ok, patterns: ['^a']}\n"
			      "  - {comment: bad, patterns: ['b[']}\n"), 0);
	assert_int_equal(kt_ruleset_finish(&f->ctx, &f->rs), KT_ERR_RULES);
	/* the offset is in the combined pattern: only its form counts */
	assert_true(!strncmp(kt_ctx_error(&f->ctx), "guilty_skip: bad pattern "
			     "near offset ", 37));
	assert_non_null(strstr(kt_ctx_error(&f->ctx), ": missing terminating ] "
			       "for character class"));
}

/* Hostile packs load or fail cleanly (and without leaks). */
static void test_hostile(void **state)
{
	struct fixture *f = *state;
	struct strbuf sb = STRBUF_INIT;
	int i;

	/* a repeated collect key: the last one wins */
	assert_int_equal(load(f, "t.yaml", "rules:\n"
		"  - id: a\n    role: body\n    match: '(?<v>x)(?<w>y)'\n"
		"    collect: {into: l, value: v}\n"
		"    collect: {into: m, value: w}\n"), 0);
	assert_int_equal(f->rs.rule[0].collect->into,
			 kt_ruleset_field_find(&f->rs, "m"));
	/* aliases share nodes; a rule may appear twice */
	assert_int_equal(load(f, "t.yaml", "rules:\n"
		"  - &r {id: b, role: body, match: x}\n  - *r\n"), 0);
	assert_int_equal(f->rs.nr_rules, 2);
	/* a self-referencing alias is not a map */
	assert_int_equal(load(f, "t.yaml", "&a [*a]\n"), KT_ERR_RULES);

	/* deep flow nesting */
	strbuf_addstr(&sb, "rules: ");
	for (i = 0; i < 2000; i++)
		strbuf_addch(&sb, '[');
	for (i = 0; i < 2000; i++)
		strbuf_addch(&sb, ']');
	assert_int_equal(load(f, "t.yaml", sb.buf), KT_ERR_RULES);
	assert_string_equal(kt_ctx_error(&f->ctx),
			    "t.yaml:1: a rule must be a map");

	/* 64 types at most */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "rules:\n");
	for (i = 0; i < 65; i++)
		strbuf_addf(&sb, "  - {id: r%d, role: line, type: t%d, "
			    "subtype: s, severity: minor, title: x, "
			    "match: x}\n", i, i);
	assert_int_equal(load(f, "t.yaml", sb.buf), KT_ERR_RULES);
	assert_string_equal(kt_ctx_error(&f->ctx),
			    "t.yaml:66: too many types (at most 64)");

	/* a long pattern with many groups */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "rules:\n  - id: many\n    role: body\n"
		      "    match: '");
	for (i = 0; i < 1000; i++)
		strbuf_addf(&sb, "(?<g%d>a)?", i);
	strbuf_addstr(&sb, "'\n");
	assert_int_equal(load(f, "t.yaml", sb.buf), 0);
	assert_int_equal(kt_ruleset_rule_find(&f->rs, "many")->nr_groups,
			 1001);
	assert_int_equal(kt_ruleset_rule_find(&f->rs, "many")->
			 group_field[1000], kt_ruleset_field_find(&f->rs,
								  "g999"));
	strbuf_release(&sb);
}

/* ------------------------------------------------------------ examples */

static void test_check_examples(void **state)
{
	struct fixture *f = *state;
	struct strbuf report = STRBUF_INIT;

	assert_int_equal(load(f, "ex.yaml",
		"rules:\n"
		"  - id: ok\n    role: body\n    match: '^ok \\d+$'\n"
		"    examples: ['ok 1', 'ok 22']\n"
		"  - id: some\n    role: body\n    match: '^a+$'\n"
		"    examples: ['aaa', 'aab', '', 'a']\n"
		"  - id: none\n    role: body\n    match: 'x'\n"), 0);
	strbuf_addstr(&report, "before\n");
	assert_int_equal(kt_ruleset_check_examples(&f->ctx, &f->rs, &report),
			 2);
	assert_string_equal(report.buf,
		"before\n"
		"ex.yaml:6: rule 'some': example does not match: 'aab'\n"
		"ex.yaml:6: rule 'some': example does not match: ''\n");
	strbuf_release(&report);
}

/* ---------------------------------------------------------------- files */

static void test_load_path(void **state)
{
	struct fixture *f = *state;
	struct strbuf p = STRBUF_INIT, want = STRBUF_INIT;

	write_rel(f, "20-user.yaml",
		  "rules:\n  - {id: a, role: end, match: '^A2'}\n");
	write_rel(f, "10-base.yaml",
		  "rules:\n  - {id: a, role: body, match: '^A1'}\n"
		  "  - {id: b, role: body, match: '^B'}\n");
	/* only *.yaml files are read */
	write_rel(f, "30-notes.yml", "not: [yaml");
	write_rel(f, "README", "junk");
	write_rel(f, ".yaml", "junk: [");
	assert_int_equal(kt_ruleset_load_path(&f->ctx, &f->rs, f->dir), 0);
	assert_int_equal(f->rs.nr_files, 2);
	assert_int_equal(f->rs.nr_rules, 2);
	assert_string_equal(f->rs.rule[0].match, "^A2");
	strbuf_addf(&p, "%s/20-user.yaml", f->dir);
	assert_string_equal(f->rs.rule[0].file, p.buf);
	assert_string_equal(f->rs.rule[1].id, "b");

	/* one file on its own */
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/10-base.yaml", f->dir);
	assert_int_equal(kt_ruleset_load_path(&f->ctx, &f->rs, p.buf), 0);
	assert_string_equal(f->rs.rule[0].match, "^A1");
	assert_int_equal(f->rs.nr_files, 3);

	/* an error names the file it is in; later files are not read */
	write_rel(f, "15-bad.yaml", "rules:\n  - {id: c, role: nope, "
		  "match: x}\n");
	assert_int_equal(kt_ruleset_load_path(&f->ctx, &f->rs, f->dir),
			 KT_ERR_RULES);
	strbuf_addf(&want, "%s/15-bad.yaml:2: rule 'c': unknown role 'nope'",
		    f->dir);
	assert_string_equal(kt_ctx_error(&f->ctx), want.buf);
	assert_string_equal(f->rs.rule[0].match, "^A1");

	strbuf_reset(&p);
	strbuf_addf(&p, "%s/missing.yaml", f->dir);
	assert_int_equal(kt_ruleset_load_path(&f->ctx, &f->rs, p.buf),
			 KT_ERR_IO);
	strbuf_reset(&want);
	strbuf_addf(&want, "cannot open '%s': No such file or directory",
		    p.buf);
	assert_string_equal(kt_ctx_error(&f->ctx), want.buf);
	strbuf_release(&p);
	strbuf_release(&want);
}

/* Rule files are capped at 16 MiB, exactly. */
static void test_load_path_cap(void **state)
{
	struct fixture *f = *state;
	struct strbuf p = STRBUF_INIT, text = STRBUF_INIT, want = STRBUF_INIT;
	size_t cap = 16 * 1024 * 1024;
	int fd;

	strbuf_addf(&p, "%s/big.yaml", f->dir);
	strbuf_grow(&text, cap + 1);
	strbuf_addstr(&text, "rules: []\n");
	while (text.len < cap - 1)
		strbuf_addstr(&text, "#   \n");
	strbuf_setlen(&text, cap - 1);
	strbuf_addch(&text, '\n');
	fd = open(p.buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text.buf, text.len), (ssize_t)text.len);
	close(fd);
	assert_int_equal(kt_ruleset_load_path(&f->ctx, &f->rs, p.buf), 0);

	fd = open(p.buf, O_WRONLY | O_APPEND);
	assert_int_equal(write(fd, "\n", 1), 1);
	close(fd);
	assert_int_equal(kt_ruleset_load_path(&f->ctx, &f->rs, p.buf),
			 KT_ERR_LIMIT);
	strbuf_addf(&want, "cannot load '%s': larger than 16 MiB", p.buf);
	assert_string_equal(kt_ctx_error(&f->ctx), want.buf);
	strbuf_release(&p);
	strbuf_release(&text);
	strbuf_release(&want);
}

/* ---------------------------------------------------------- default pack */

static void test_default_pack(void **state)
{
	struct fixture *f = *state;
	struct kt_ruleset *rs = &f->rs;
	struct strbuf report = STRBUF_INIT;
	size_t i, j, examples = 0;

	assert_int_equal(kt_ruleset_load_default(&f->ctx, rs), 0);
	assert_int_equal(kt_ruleset_finish(&f->ctx, rs), 0);
	assert_true(rs->nr_rules > 100);
	assert_true(rs->nr_files >= 10);
	assert_true(kt_ruleset_type_find(rs, "reboot") != KT_NO_TYPE);
	for (i = 0; i < rs->nr_rules; i++) {
		const struct kt_rule *r = &rs->rule[i];

		assert_true(!strncmp(r->file, "rules/", 6));
		assert_non_null(r->re);
		if (r->role == KT_ROLE_HEAD || r->role == KT_ROLE_LINE) {
			assert_true(r->type < rs->nr_types);
			assert_true(r->nr_title > 0);
		} else {
			assert_int_equal(r->type, KT_NO_TYPE);
		}
		for (j = 0; j < r->nr_groups; j++)
			assert_true(r->group_field[j] == KT_NO_FIELD ||
				    r->group_field[j] < rs->nr_fields);
		for (j = i + 1; j < rs->nr_rules; j++)
			if (!strcmp(r->id, rs->rule[j].id))
				fail_msg("rule id '%s' twice", r->id);
		examples += r->nr_example;
	}
	/* every example of the shipped pack matches its rule */
	assert_true(examples > 0);
	assert_int_equal(kt_ruleset_check_examples(&f->ctx, rs, &report), 0);
	assert_string_equal(report.buf, "");
	/* the pack's own guilty lists */
	assert_true(kt_ruleset_skip_frame(rs, "dump_stack", 10));
	assert_true(kt_ruleset_skip_frame(rs, "_raw_spin_lock_irqsave", 22));
	assert_false(kt_ruleset_skip_frame(rs, "ext4_da_write_begin", 19));
	strbuf_release(&report);
	strbuf_init(&report, 0);
	kt_ruleset_rename(rs, "__x64_sys_futex", &report);
	assert_string_equal(report.buf, "sys_futex");
	strbuf_release(&report);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(kt_role_name(KT_ROLE_HEAD), "head");
	assert_string_equal(kt_role_name(KT_ROLE_SHUTDOWN), "shutdown");
	assert_string_equal(kt_role_name(KT_ROLE_NR), "unknown");
	assert_string_equal(kt_role_name((enum kt_role)-1), "unknown");
	assert_string_equal(kt_severity_name(KT_SEV_MINOR), "minor");
	assert_string_equal(kt_severity_name(KT_SEV_CRITICAL), "critical");
	assert_string_equal(kt_severity_name((enum kt_severity)3), "unknown");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_good_pack),
		T(test_finish),
		T(test_rename_long),
		T(test_empty_packs),
		T(test_replace_and_disable),
		T(test_bad_packs),
		T(test_bad_skip_pattern),
		T(test_hostile),
		T(test_check_examples),
		T(test_load_path),
		T(test_load_path_cap),
		T(test_default_pack),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
