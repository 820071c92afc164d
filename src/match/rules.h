/*
 * rules.h - the rule pack: what ktriage knows about kernel log text.
 *
 * A rule pack is a set of YAML files (the rules/ folder, compiled into the
 * binary, plus any --rules PATH).  Each rule has a regular expression
 * and a role saying what a matching line means to the assembler:
 *
 *   head      opens a report (oops, WARN, hung task, OOM, panic, ...)
 *   line      a complete one-line event (segfault, I/O error, MCE, ...)
 *   body      belongs to an open report and may add facts
 *   end       belongs to and closes the open report
 *   tail      extends a report that has just ended (oom_reaper, ...)
 *   prelude   may start the next report ("cut here", "=====" rulers)
 *   section   starts a part of the open report; aux parts' frames do not
 *             count as the report's call trace ("Allocated by task")
 *   frame     one call-trace frame; named groups func/off/size/module
 *   boot      the kernel (or firmware, or journal) starts a new boot
 *   shutdown  an orderly shutdown step
 *
 * Named groups in a pattern become event facts (fields) of that name;
 * their JSON type is declared in a pack's "fields:" map (default string).
 * Rules with the same id in a later file replace earlier ones, so a
 * user pack can override or extend the default one.
 *
 * Invariants after kt_ruleset_load(): every rule's pattern compiled in
 * PCRE2; type < nr_types for typed roles; field ids < nr_fields.
 */
#ifndef KT_RULES_H
#define KT_RULES_H

#include "base/compat.h"
#include "base/err.h"
#include "base/strbuf.h"

#define KT_NO_FIELD 0xffff
#define KT_NO_TYPE 0xff
#define KT_TYPES_MAX 64

enum kt_severity {
	KT_SEV_MINOR = 0,
	KT_SEV_MAJOR = 1,
	KT_SEV_CRITICAL = 2,
};

const char *kt_severity_name(enum kt_severity s);

enum kt_role {
	KT_ROLE_HEAD,
	KT_ROLE_LINE,
	KT_ROLE_BODY,
	KT_ROLE_END,
	KT_ROLE_TAIL,
	KT_ROLE_PRELUDE,
	KT_ROLE_SECTION,
	KT_ROLE_FRAME,
	KT_ROLE_BOOT,
	KT_ROLE_SHUTDOWN,
	KT_ROLE_NR
};

const char *kt_role_name(enum kt_role r);

enum kt_field_type {
	KT_FIELD_STR = 0,
	KT_FIELD_INT,		/* decimal; "0x" hex accepted */
	KT_FIELD_BOOL,
	KT_FIELD_LIST,		/* list of strings (collect.value) */
	KT_FIELD_OBJECTS,	/* list of objects (collect.item) */
};

struct kt_field_def {
	char *name;		/* owned */
	enum kt_field_type type;
};

/* A fixed value a rule sets when it matches ("cause: hung_task"). */
struct kt_rule_set {
	uint16_t field;
	char *value;		/* owned; text, typed by the field */
};

struct kt_collect_key {
	char *key;		/* owned; key in the collected object */
	uint16_t field;		/* the group (field id) it comes from */
	bool is_int;
};

/* How a rule adds to a list field (locks, top_rss). */
struct kt_rule_collect {
	uint16_t into;		/* the list field */
	uint16_t value;		/* string lists: the group's field id */
	struct kt_collect_key *item;	/* owned; object lists */
	size_t nr_item;
	int sort_by;		/* index into item, or -1: keep order */
	unsigned keep;		/* at most this many (largest when sorted) */
};

enum kt_section_kind {
	KT_SECTION_MAIN = 1,	/* frames count as the report's trace */
	KT_SECTION_AUX = 2,	/* frames are another task's or context's */
	KT_SECTION_RESTART = 3,	/* the frames so far (and the RIP) were the
				 * reporting context's: drop them, go on */
};

enum kt_rule_from {
	KT_FROM_KERNEL = 1 << 0,	/* prog "kernel" or none */
	KT_FROM_USER = 1 << 1,		/* lines of user-space programs */
};

struct kt_rule {
	char *id;		/* owned */
	char *file;		/* owned; where it was defined */
	int line;
	enum kt_role role;
	uint8_t type;		/* index into ruleset types, or KT_NO_TYPE */
	char *subtype;		/* owned or NULL; on body-like roles it
				 * refines the report's subtype */
	enum kt_severity severity;
	int priority;		/* higher wins among heads on one line */
	char *match;		/* owned; the pattern as written */
	char *prefilter;	/* owned or NULL: a simpler pattern matching a
				 * superset of match, for vectorscan; PCRE2
				 * confirms every line it flags */
	unsigned from;		/* enum kt_rule_from bits */
	char **progs;		/* owned; user rules: program names, or NULL */
	size_t nr_progs;
	uint64_t within;	/* body-like roles: report types (0: any) */
	char **within_sub;	/* owned; "type/subtype" entries, or NULL */
	size_t nr_within_sub;
	uint64_t join;		/* heads: report types this head continues */
	char *join_key;		/* owned or NULL: field that must agree */
	bool join_trace;	/* join even after the call trace began */
	char **title;		/* owned; title templates, first that renders
				 * with all its fields wins */
	size_t nr_title;
	char *description;	/* owned */
	char **example;		/* owned: lines the pattern must match */
	size_t nr_example;
	struct kt_rule_set *set;	/* owned */
	size_t nr_set;
	uint16_t *group_field;	/* owned; capture group n -> field id */
	uint32_t nr_groups;
	struct kt_rule_collect *collect;	/* owned or NULL */
	enum kt_section_kind section;	/* section: the part it starts;
					 * head: the part it starts in */
	char **guilty_from;	/* owned; heads: fields (or list fields)
				 * whose functions come before the trace
				 * in the guilty search; NULL: "rip" */
	size_t nr_guilty_from;
	char **keep_fields;	/* owned; heads: fields with a meaning of
				 * their own (pid, comm, ...) that the
				 * event also keeps in its fields */
	size_t nr_keep_fields;
	bool guilty_stall;	/* heads: stall mode: the frame before the
				 * first stall anchor */
	int phase;		/* role boot: ordering of boot markers */
	bool hold;		/* heads: keep the previous report until
				 * this one closes (panic after oops) */
	uint16_t proc_pid;	/* heads: field naming the event's task */
	uint16_t proc_comm;
	void *re;		/* owned pcre2_code * */
	bool needs_pcre;	/* vectorscan alone cannot decide the match */
};

/* One group of function-name patterns the guilty-frame search skips. */
struct kt_skip_group {
	char *comment;		/* owned */
	char **patterns;	/* owned */
	size_t nr;
};

/*
 * A cause-and-effect link between events (links: in a pack): an event
 * matching effect is caused by the latest earlier event of the same host
 * and boot matching cause, within window_secs, naming the same device
 * when same is set.  Patterns are "type" or "type/subtype".
 */
struct kt_link {
	char *id;		/* owned */
	char *effect;		/* owned */
	char *cause;		/* owned */
	char *same;		/* owned or NULL: a field both must agree on */
	int window_secs;
};

struct kt_ruleset {
	struct kt_rule *rule;	/* owned */
	size_t nr_rules, alloc_rules;
	char *types[KT_TYPES_MAX];	/* owned names */
	size_t nr_types;
	struct kt_field_def *field;	/* owned */
	size_t nr_fields, alloc_fields;
	struct kt_skip_group *skip;	/* owned */
	size_t nr_skip, alloc_skip;
	void *skip_re[2];	/* owned pcre2_code *s: the skip patterns
				 * anchored at the start, and the others */
	struct kt_rename {
		char *from;	/* owned: PCRE2 pattern */
		char *to;	/* owned: replacement, $1 for groups */
		void *re;	/* owned pcre2_code * */
	} *rename;		/* guilty_rename: names as titles use them */
	size_t nr_rename, alloc_rename;
	struct kt_link *link;	/* owned */
	size_t nr_link, alloc_link;
	struct kt_anchor {
		char *pattern;	/* owned */
		char *name;	/* owned or NULL: the title's function when
				 * this anchor is met (else the frame
				 * before it) */
		void *re;	/* owned pcre2_code * */
	} *anchor;		/* stall_anchors, in order */
	size_t nr_anchor, alloc_anchor;
	size_t nr_files;	/* files loaded */
};

void kt_ruleset_init(struct kt_ruleset *rs);
void kt_ruleset_release(struct kt_ruleset *rs);

/*
 * Loads the pack compiled into the binary.  Returns 0 or KT_ERR_RULES
 * with "file:line: message" in ctx.
 */
int kt_ruleset_load_default(struct kt_ctx *ctx, struct kt_ruleset *rs);

/*
 * Loads a YAML file, or every *.yaml file of a directory in name order.
 * Rules whose id already exists replace the old ones in place.
 */
int kt_ruleset_load_path(struct kt_ctx *ctx, struct kt_ruleset *rs,
			 const char *path);

/* Loads YAML text; name is used in error messages. */
int kt_ruleset_load_text(struct kt_ctx *ctx, struct kt_ruleset *rs,
			 const char *name, const char *text, size_t len);

/*
 * Checks cross-references and compiles what the loader deferred (the
 * skip list).  Call once after the last load.
 */
int kt_ruleset_finish(struct kt_ctx *ctx, struct kt_ruleset *rs);

/* Interned ids; the _find variants return KT_NO_FIELD / KT_NO_TYPE. */
uint16_t kt_ruleset_field(struct kt_ruleset *rs, const char *name);
uint16_t kt_ruleset_field_find(const struct kt_ruleset *rs,
			       const char *name);
uint8_t kt_ruleset_type_find(const struct kt_ruleset *rs, const char *name);
const struct kt_rule *kt_ruleset_rule_find(const struct kt_ruleset *rs,
					   const char *id);

/*
 * Matches every rule's examples against its pattern; appends one
 * "file:line: ..." line per example that does not match to report and
 * returns their number.
 */
int kt_ruleset_check_examples(struct kt_ctx *ctx, const struct kt_ruleset *rs,
			      struct strbuf *report);

/* True when func matches a guilty_skip pattern. */
bool kt_ruleset_skip_frame(const struct kt_ruleset *rs, const char *func,
			   size_t len);
/*
 * The name a title uses for func: the first guilty_rename pattern that
 * matches rewrites it (__x64_sys_futex -> sys_futex); else func as is.
 * Appends to out.
 */
void kt_ruleset_rename(const struct kt_ruleset *rs, const char *func,
		       struct strbuf *out);

/*
 * The stall_anchors entry func matches, or NULL.  An entry with a name
 * makes that name the guilty function; otherwise the frame before the
 * anchor is.
 */
const struct kt_anchor *kt_ruleset_anchor_frame(const struct kt_ruleset *rs,
						const char *func, size_t len);

#endif
