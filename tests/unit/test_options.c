/*
 * test_options.c - unit tests of base/options: one table parsed into a
 * struct (bool, count, string, list, choice and number options, long
 * and short forms, values attached or separate), positional arguments,
 * "--", every error message, and the --help text built from the table.
 */
#include "base/compat.h"
#include "base/options.h"

#include <setjmp.h>
#include <cmocka.h>

struct opts {
	bool dry_run;
	int verbose;
	const char *output;
	struct kt_strlist rules;
	const char *format;
	uint64_t jobs;
	bool x;
};

static const char *const formats[] = { "text", "json", "ndjson", NULL };

static const struct kt_option table[] = {
	KT_OPT_BOOL('n', "dry-run", struct opts, dry_run, "do nothing"),
	KT_OPT_COUNT('v', "verbose", struct opts, verbose, "say more"),
	KT_OPT_STRING('o', "output", struct opts, output, "FILE",
		      "write to FILE"),
	KT_OPT_LIST(0, "rules", struct opts, rules, "PATH", "extra rules"),
	KT_OPT_CHOICE('f', "format", struct opts, format, "FORMAT",
		      "output format", formats),
	KT_OPT_U64('j', "jobs", struct opts, jobs, "N", "parallel jobs", 1,
		   64),
	KT_OPT_BOOL('x', NULL, struct opts, x, "short only"),
	KT_OPT_END(),
};

struct run {
	struct opts o;
	struct kt_strlist args;
	struct strbuf err;
	enum kt_options_result r;
};

/* Parses a NULL-terminated argument list. */
static void parse(struct run *run, const char **argv)
{
	int argc = 0;

	memset(&run->o, 0, sizeof(run->o));
	memset(&run->args, 0, sizeof(run->args));
	strbuf_init(&run->err, 0);
	while (argv[argc])
		argc++;
	run->r = kt_options_parse(table, &run->o, argc, argv, &run->args,
				  &run->err);
	if (run->r != KT_OPTIONS_ERROR)
		assert_string_equal(run->err.buf, "");
}

static void done(struct run *run)
{
	kt_strlist_release(&run->o.rules);
	kt_strlist_release(&run->args);
	strbuf_release(&run->err);
}

/* The error message of one failing argument list. */
static void check_error(const char **argv, const char *want)
{
	struct run run;

	parse(&run, argv);
	assert_int_equal(run.r, KT_OPTIONS_ERROR);
	assert_string_equal(run.err.buf, want);
	done(&run);
}

static void test_empty(void **state)
{
	const char *argv[] = { NULL };
	struct run run;

	(void)state;
	parse(&run, argv);
	assert_int_equal(run.r, KT_OPTIONS_OK);
	assert_false(run.o.dry_run);
	assert_null(run.o.output);
	assert_int_equal(run.args.nr, 0);
	done(&run);
}

static void test_long(void **state)
{
	const char *argv[] = {
		"--dry-run", "--verbose", "--output=a.json", "--output",
		"b.json", "--rules", "r1", "--rules=r2", "--rules=",
		"--format=json", "--format", "ndjson", "--jobs=64",
		"--verbose", NULL,
	};
	struct run run;

	(void)state;
	parse(&run, argv);
	assert_int_equal(run.r, KT_OPTIONS_OK);
	assert_true(run.o.dry_run);
	assert_int_equal(run.o.verbose, 2);
	/* the last string wins; it is argv's own memory */
	assert_ptr_equal(run.o.output, argv[4]);
	assert_int_equal(run.o.rules.nr, 3);
	assert_string_equal(run.o.rules.v[0], "r1");
	assert_string_equal(run.o.rules.v[1], "r2");
	assert_string_equal(run.o.rules.v[2], "");
	/* a choice points at the table's own string */
	assert_ptr_equal(run.o.format, formats[2]);
	assert_int_equal(run.o.jobs, 64);
	assert_int_equal(run.args.nr, 0);
	done(&run);
}

static void test_short(void **state)
{
	const char *argv[] = {
		"-vvn", "-oout.txt", "-f", "text", "-vj2", "-x", "-vfjson",
		NULL,
	};
	struct run run;

	(void)state;
	parse(&run, argv);
	assert_int_equal(run.r, KT_OPTIONS_OK);
	assert_int_equal(run.o.verbose, 4);
	assert_true(run.o.dry_run);
	assert_string_equal(run.o.output, "out.txt");
	assert_string_equal(run.o.format, "json");
	assert_int_equal(run.o.jobs, 2);
	assert_true(run.o.x);
	done(&run);
}

/* Values are taken as they are, even when they look like options. */
static void test_values_verbatim(void **state)
{
	const char *argv[] = {
		"--output", "--dry-run", "-o", "-", "--rules", "--", "--rules",
		"-h", "-o=x", NULL,
	};
	struct run run;

	(void)state;
	parse(&run, argv);
	assert_int_equal(run.r, KT_OPTIONS_OK);
	assert_false(run.o.dry_run);
	/* "-o=x" is -o with the value "=x" */
	assert_string_equal(run.o.output, "=x");
	assert_int_equal(run.o.rules.nr, 2);
	assert_string_equal(run.o.rules.v[0], "--");
	assert_string_equal(run.o.rules.v[1], "-h");
	done(&run);
}

static void test_positional(void **state)
{
	const char *argv[] = {
		"a.log", "-", "", "-n", "b.log", "--", "--dry-run", "-h",
		"--", "c", NULL,
	};
	struct run run;

	(void)state;
	parse(&run, argv);
	assert_int_equal(run.r, KT_OPTIONS_OK);
	assert_true(run.o.dry_run);
	assert_int_equal(run.args.nr, 8);
	assert_string_equal(run.args.v[0], "a.log");
	assert_string_equal(run.args.v[1], "-");
	assert_string_equal(run.args.v[2], "");
	assert_string_equal(run.args.v[3], "b.log");
	/* after "--" everything is an argument, "--" included */
	assert_string_equal(run.args.v[4], "--dry-run");
	assert_string_equal(run.args.v[5], "-h");
	assert_string_equal(run.args.v[6], "--");
	assert_string_equal(run.args.v[7], "c");
	done(&run);

	{
		const char *end[] = { "x", "--", NULL };

		parse(&run, end);
		assert_int_equal(run.r, KT_OPTIONS_OK);
		assert_int_equal(run.args.nr, 1);
		done(&run);
	}
}

static void test_help(void **state)
{
	const char *a1[] = { "-n", "-h", "--bogus", NULL };
	const char *a2[] = { "a", "--help", NULL };
	const char *a3[] = { "--help=yes", NULL };
	struct run run;

	(void)state;
	/* help wins over anything that follows */
	parse(&run, a1);
	assert_int_equal(run.r, KT_OPTIONS_HELP);
	done(&run);
	parse(&run, a2);
	assert_int_equal(run.r, KT_OPTIONS_HELP);
	done(&run);
	check_error(a3, "unknown option '--help'");
}

static void test_errors(void **state)
{
	(void)state;
	check_error((const char *[]){ "--nope", NULL },
		    "unknown option '--nope'");
	check_error((const char *[]){ "--nope=1", NULL },
		    "unknown option '--nope'");
	/* no prefix matching */
	check_error((const char *[]){ "--dry", NULL },
		    "unknown option '--dry'");
	check_error((const char *[]){ "--dry-run-x", NULL },
		    "unknown option '--dry-run-x'");
	check_error((const char *[]){ "--=x", NULL },
		    "unknown option '--'");
	check_error((const char *[]){ "-q", NULL }, "unknown option '-q'");
	check_error((const char *[]){ "-vq", NULL }, "unknown option '-q'");
	check_error((const char *[]){ "--dry-run=yes", NULL },
		    "option '--dry-run' takes no value");
	check_error((const char *[]){ "--verbose=", NULL },
		    "option '--verbose' takes no value");
	check_error((const char *[]){ "--output", NULL },
		    "option '--output' needs a value");
	check_error((const char *[]){ "a", "-o", NULL },
		    "option '--output' needs a value");
	check_error((const char *[]){ "-vo", NULL },
		    "option '--output' needs a value");
	check_error((const char *[]){ "--format", "xml", NULL },
		    "invalid value 'xml' for --format: expected "
		    "text|json|ndjson");
	check_error((const char *[]){ "-fJSON", NULL },
		    "invalid value 'JSON' for --format: expected "
		    "text|json|ndjson");
	check_error((const char *[]){ "--format=", NULL },
		    "invalid value '' for --format: expected "
		    "text|json|ndjson");
	check_error((const char *[]){ "--jobs=0", NULL },
		    "invalid value '0' for --jobs: expected a number from 1 "
		    "to 64");
	check_error((const char *[]){ "--jobs=65", NULL },
		    "invalid value '65' for --jobs: expected a number from 1 "
		    "to 64");
	check_error((const char *[]){ "-j", "-1", NULL },
		    "invalid value '-1' for --jobs: expected a number from 1 "
		    "to 64");
	check_error((const char *[]){ "--jobs", " 8", NULL },
		    "invalid value ' 8' for --jobs: expected a number from 1 "
		    "to 64");
	check_error((const char *[]){ "--jobs", "8k", NULL },
		    "invalid value '8k' for --jobs: expected a number from 1 "
		    "to 64");
	check_error((const char *[]){ "--jobs", "18446744073709551616",
				      NULL },
		    "invalid value '18446744073709551616' for --jobs: "
		    "expected a number from 1 to 64");
}

/* A number option over the whole uint64 range. */
static void test_u64_limits(void **state)
{
	struct big { uint64_t v; } b;
	static const struct kt_option t[] = {
		KT_OPT_U64(0, "max", struct big, v, "N", "anything", 0,
			   UINT64_MAX),
		KT_OPT_END(),
	};
	const char *ok[] = { "--max=18446744073709551615", NULL };
	const char *bad[] = { "--max=18446744073709551616", NULL };
	struct kt_strlist args = { 0 };
	struct strbuf err = STRBUF_INIT;

	(void)state;
	b.v = 1;
	assert_int_equal(kt_options_parse(t, &b, 1, ok, &args, &err),
			 KT_OPTIONS_OK);
	assert_true(b.v == UINT64_MAX);
	assert_int_equal(kt_options_parse(t, &b, 1, bad, &args, &err),
			 KT_OPTIONS_ERROR);
	assert_string_equal(err.buf, "invalid value '18446744073709551616' "
			    "for --max: expected a number from 0 to "
			    "18446744073709551615");
	assert_true(b.v == UINT64_MAX);
	assert_int_equal(args.nr, 0);
	strbuf_release(&err);
	kt_strlist_release(&args);
}

static void test_strlist(void **state)
{
	struct kt_strlist l = { 0 };
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < 1000; i++)
		kt_strlist_add(&l, i % 2 ? "odd" : "even");
	assert_int_equal(l.nr, 1000);
	assert_true(l.alloc >= 1000);
	assert_string_equal(l.v[999], "odd");
	assert_string_equal(l.v[998], "even");
	kt_strlist_release(&l);
	assert_null(l.v);
	assert_int_equal(l.nr, 0);
	assert_int_equal(l.alloc, 0);
	snprintf(buf, sizeof(buf), "x");
	kt_strlist_add(&l, buf);
	assert_ptr_equal(l.v[0], buf);
	kt_strlist_release(&l);
}

static void test_usage(void **state)
{
	struct strbuf out = STRBUF_INIT;
	static const struct kt_option t[] = {
		KT_OPT_BOOL('n', "dry-run", struct opts, dry_run,
			    "do nothing"),
		KT_OPT_STRING(0, "output", struct opts, output, "FILE",
			      "write to FILE"),
		KT_OPT_CHOICE('f', "format", struct opts, format, "FORMAT",
			      "output format", formats),
		KT_OPT_LIST(0, "rules", struct opts, rules, "PATH",
			    "extra rules"),
		KT_OPT_BOOL('x', NULL, struct opts, x, "short only"),
		/* 27 and 28 columns wide, then far wider */
		KT_OPT_BOOL(0, "abcdefghijklmnopqrs", struct opts, x,
			    "fits"),
		KT_OPT_BOOL(0, "abcdefghijklmnopqrst", struct opts, x,
			    "breaks"),
		KT_OPT_U64('j', "a-much-longer-option-name", struct opts,
			   jobs, "NUMBER", "wraps", 0, 9),
		KT_OPT_END(),
	};

	(void)state;
	strbuf_addstr(&out, "[before]\n");
	kt_options_usage(t, "ktriage test [options] <file>...",
			 "Tests the option table.", &out);
	assert_string_equal(out.buf,
		"[before]\n"
		"usage: ktriage test [options] <file>...\n"
		"\n"
		"Tests the option table.\n"
		"\n"
		"options:\n"
		"  -n, --dry-run             do nothing\n"
		"      --output FILE         write to FILE\n"
		"  -f, --format FORMAT       output format "
		"(text|json|ndjson)\n"
		"      --rules PATH          extra rules (repeatable)\n"
		"  -x                        short only\n"
		"      --abcdefghijklmnopqrs fits\n"
		"      --abcdefghijklmnopqrst\n"
		"                            breaks\n"
		"  -j, --a-much-longer-option-name NUMBER\n"
		"                            wraps\n"
		"  -h, --help                show this help\n");

	/* without a summary, and with an empty table */
	strbuf_reset(&out);
	kt_options_usage(t + 8, "x", NULL, &out);
	assert_string_equal(out.buf,
		"usage: x\n"
		"\n"
		"options:\n"
		"  -h, --help                show this help\n");
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_values_verbatim),
		cmocka_unit_test(test_positional),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_u64_limits),
		cmocka_unit_test(test_strlist),
		cmocka_unit_test(test_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
