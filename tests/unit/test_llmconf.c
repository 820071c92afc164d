/*
 * test_llmconf.c - unit tests of base/ini and output/llmconf: the INI
 * syntax and its errors, the [llm] keys and their checks, the order of
 * the files, and the API key: from the environment or a key file that
 * every user may not read, never echoed in a message.
 */
#include "base/compat.h"
#include "base/err.h"
#include "base/ini.h"
#include "output/llmconf.h"
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_llmconf.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
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
	(void)state;
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *write_file(const char *name, const char *text,
			      mode_t mode)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static int collect(void *data, struct kt_ctx *ctx, const char *section,
		   const char *key, const char *value, int line)
{
	(void)ctx;
	strbuf_addf(data, "%d[%s]%s=%s|", line, section, key, value);
	return 0;
}

static void test_ini(void **state)
{
	struct kt_ctx ctx;
	struct strbuf sb = STRBUF_INIT;
	static const char text[] =
		"# comment\n"
		"top = 1\n"
		"  ; another\n"
		"\n"
		"[ llm ]\r\n"
		"url=http://x/v1  \n"
		"  model  =  \"  spaced  \"\n"
		"empty =\n"
		"[other.section-2]\n"
		"k = a = b # not a comment\n";

	(void)state;
	kt_ctx_init(&ctx);
	assert_int_equal(kt_ini_parse(&ctx, "t", text, sizeof(text) - 1,
				      collect, &sb), 0);
	assert_string_equal(sb.buf,
		"2[]top=1|6[llm]url=http://x/v1|7[llm]model=  spaced  |"
		"8[llm]empty=|10[other.section-2]k=a = b # not a comment|");
	assert_int_equal(kt_ini_parse(&ctx, "t", "[llm\n", 5, collect, &sb),
			 KT_ERR_PARSE);
	assert_string_equal(kt_ctx_error(&ctx),
			    "t:1: expected ']' to close the section name");
	assert_int_equal(kt_ini_parse(&ctx, "t", "\n[a b]", 6, collect, &sb),
			 KT_ERR_PARSE);
	assert_string_equal(kt_ctx_error(&ctx),
			    "t:2: bad section name 'a b'");
	strbuf_reset(&sb);
	assert_int_equal(kt_ini_parse(&ctx, "t", "[alert \"ops-1\"]\nk=v\n",
				      19, collect, &sb), 0);
	assert_string_equal(sb.buf, "2[alert.ops-1]k=v|");
	assert_int_equal(kt_ini_parse(&ctx, "t", "[alert \"a b\"]", 13,
				      collect, &sb), KT_ERR_PARSE);
	assert_int_equal(kt_ini_parse(&ctx, "t", "[alert \"\"]", 10,
				      collect, &sb), KT_ERR_PARSE);
	assert_int_equal(kt_ini_parse(&ctx, "t", "[alert ops]", 11,
				      collect, &sb), KT_ERR_PARSE);
	assert_int_equal(kt_ini_parse(&ctx, "t", "just words", 10, collect,
				      &sb), KT_ERR_PARSE);
	assert_string_equal(kt_ctx_error(&ctx), "t:1: expected 'key = value'");
	assert_int_equal(kt_ini_parse(&ctx, "t", "a b = c", 7, collect, &sb),
			 KT_ERR_PARSE);
	assert_int_equal(kt_ini_parse(&ctx, "t", "a = \x1b[31m", 9, collect,
				      &sb), KT_ERR_PARSE);
	assert_int_equal(kt_ini_load(&ctx, "/nonexistent/x.conf", collect,
				     &sb), KT_ERR_NOTFOUND);
	strbuf_release(&sb);
	kt_ctx_release(&ctx);
}

static void test_keys(void **state)
{
	struct kt_ctx ctx;
	struct kt_llmconf c;
	const char *path;

	(void)state;
	kt_ctx_init(&ctx);
	kt_llmconf_init(&c);
	assert_null(c.url);
	assert_false(c.has_temperature);
	assert_int_equal(c.timeout, 120);
	path = write_file("a.conf",
		"[llm]\nurl = https://dashscope.example/compatible-mode/v1\n"
		"model = qwen-plus\ntemperature = 0.3\nmax_tokens = 800\n"
		"timeout = 30\nstream = Yes\nattempts = 5\n"
		"max_prompt_tokens = 5000\napi_key_file = ~/k\n"
		"[other]\nwhatever = 1\n", 0644);
	assert_int_equal(kt_llmconf_load_file(&ctx, &c, path, true), 0);
	assert_string_equal(c.url,
			    "https://dashscope.example/compatible-mode/v1");
	assert_string_equal(c.model, "qwen-plus");
	assert_true(c.has_temperature);
	assert_true(c.temperature > 0.2999 && c.temperature < 0.3001);
	assert_int_equal(c.max_tokens, 800);
	assert_int_equal(c.timeout, 30);
	assert_true(c.stream);
	assert_int_equal(c.attempts, 5);
	assert_int_equal(c.max_prompt_tokens, 5000);
	assert_string_equal(c.api_key_file, "~/k");
	/* a later file overrides; an empty value unsets */
	path = write_file("b.conf", "[llm]\nmodel = llama3\ntemperature =\n"
			  "stream = off\n", 0644);
	assert_int_equal(kt_llmconf_load_file(&ctx, &c, path, true), 0);
	assert_string_equal(c.model, "llama3");
	assert_false(c.has_temperature);
	assert_false(c.stream);
	assert_string_equal(c.url,
			    "https://dashscope.example/compatible-mode/v1");

	path = write_file("bad.conf", "[llm]\n\ntimeout = 0\n", 0644);
	assert_int_equal(kt_llmconf_load_file(&ctx, &c, path, true),
			 KT_ERR_PARSE);
	assert_non_null(strstr(kt_ctx_error(&ctx), "bad.conf:3: bad value "
			       "'0' for 'timeout': expected a whole number "
			       "from 1 to 3600"));
	assert_int_equal(kt_llmconf_set(&ctx, &c, "temperature", "2.5", "x"),
			 KT_ERR_PARSE);
	assert_int_equal(kt_llmconf_set(&ctx, &c, "temperature", "-1", "x"),
			 KT_ERR_PARSE);
	assert_int_equal(kt_llmconf_set(&ctx, &c, "stream", "maybe", "x"),
			 KT_ERR_PARSE);
	assert_int_equal(kt_llmconf_set(&ctx, &c, "url", "file:///etc", "x"),
			 KT_ERR_PARSE);
	assert_int_equal(kt_llmconf_set(&ctx, &c, "api_key", "sk-1", "x"),
			 KT_ERR_PARSE);
	assert_string_equal(kt_ctx_error(&ctx),
			    "x: unknown key 'api_key' in section [llm]");
	assert_int_equal(kt_llmconf_load_file(&ctx, &c, "/nonexistent/c",
					      false), 0);
	assert_int_equal(kt_llmconf_load_file(&ctx, &c, "/nonexistent/c",
					      true), KT_ERR_NOTFOUND);
	kt_llmconf_release(&c);
	kt_ctx_release(&ctx);
}

static void test_default_files(void **state)
{
	struct kt_ctx ctx;
	struct kt_llmconf c;
	char dir[128];

	(void)state;
	kt_ctx_init(&ctx);
	kt_llmconf_init(&c);
	snprintf(dir, sizeof(dir), "%s/.config", tmpdir);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/.config/ktriage", tmpdir);
	mkdir(dir, 0700);
	write_file(".config/ktriage/ktriage.conf",
		   "[llm]\nmodel = from-home\n", 0600);
	assert_int_equal(kt_llmconf_load_default(&ctx, &c, tmpdir, NULL), 0);
	assert_string_equal(c.model, "from-home");
	/* XDG_CONFIG_HOME replaces ~/.config */
	snprintf(dir, sizeof(dir), "%s/xdg", tmpdir);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/xdg/ktriage", tmpdir);
	mkdir(dir, 0700);
	write_file("xdg/ktriage/ktriage.conf", "[llm]\nmodel = from-xdg\n",
		   0600);
	snprintf(dir, sizeof(dir), "%s/xdg", tmpdir);
	assert_int_equal(kt_llmconf_load_default(&ctx, &c, tmpdir, dir), 0);
	assert_string_equal(c.model, "from-xdg");
	kt_llmconf_release(&c);
	kt_ctx_release(&ctx);
}

static void test_key(void **state)
{
	struct kt_ctx ctx;
	struct kt_llmconf c;
	const char *path;

	(void)state;
	kt_ctx_init(&ctx);
	kt_llmconf_init(&c);
	/* no key is fine; url and model are not */
	assert_int_equal(kt_llmconf_finish(&ctx, &c, NULL, NULL),
			 KT_ERR_USAGE);
	assert_non_null(strstr(kt_ctx_error(&ctx), "give --llm-url"));
	assert_int_equal(kt_llmconf_set(&ctx, &c, "url", "http://h/v1", "x"),
			 0);
	assert_int_equal(kt_llmconf_finish(&ctx, &c, NULL, NULL),
			 KT_ERR_USAGE);
	assert_non_null(strstr(kt_ctx_error(&ctx), "give --llm-model"));
	assert_int_equal(kt_llmconf_set(&ctx, &c, "model", "m", "x"), 0);
	assert_int_equal(kt_llmconf_finish(&ctx, &c, "", NULL), 0);
	assert_int_equal(c.key.len, 0);

	assert_int_equal(kt_llmconf_finish(&ctx, &c, "sk-env", NULL), 0);
	assert_string_equal(c.key.buf, "sk-env");
	assert_int_equal(kt_llmconf_finish(&ctx, &c, "sk env", NULL),
			 KT_ERR_USAGE);
	assert_null(strstr(kt_ctx_error(&ctx), "sk env"));

	path = write_file("key", "\n  sk-file-key \n\n", 0600);
	assert_int_equal(kt_llmconf_set(&ctx, &c, "api_key_file", path, "x"),
			 0);
	assert_int_equal(kt_llmconf_finish(&ctx, &c, NULL, NULL), 0);
	assert_string_equal(c.key.buf, "sk-file-key");
	/* the environment wins */
	assert_int_equal(kt_llmconf_finish(&ctx, &c, "sk-env", NULL), 0);
	assert_string_equal(c.key.buf, "sk-env");
	/* group may read it, every user may not */
	chmod(path, 0640);
	assert_int_equal(kt_llmconf_finish(&ctx, &c, NULL, NULL), 0);
	chmod(path, 0604);
	assert_int_equal(kt_llmconf_finish(&ctx, &c, NULL, NULL),
			 KT_ERR_USAGE);
	assert_non_null(strstr(kt_ctx_error(&ctx), path));
	assert_non_null(strstr(kt_ctx_error(&ctx), "every user can read it"));
	assert_null(strstr(kt_ctx_error(&ctx), "sk-file-key"));
	path = write_file("key2", "sk-a sk-b\n", 0600);
	assert_int_equal(kt_llmconf_set(&ctx, &c, "api_key_file", path, "x"),
			 0);
	assert_int_equal(kt_llmconf_finish(&ctx, &c, NULL, NULL),
			 KT_ERR_PARSE);
	assert_null(strstr(kt_ctx_error(&ctx), "sk-a"));
	/* ~/ is the home given */
	write_file("key3", "sk-home\n", 0600);
	assert_int_equal(kt_llmconf_set(&ctx, &c, "api_key_file", "~/key3",
					"x"), 0);
	assert_int_equal(kt_llmconf_finish(&ctx, &c, NULL, tmpdir), 0);
	assert_string_equal(c.key.buf, "sk-home");
	assert_int_equal(kt_llmconf_finish(&ctx, &c, NULL, NULL),
			 KT_ERR_USAGE);
	assert_int_equal(kt_llmconf_set(&ctx, &c, "api_key_file", tmpdir,
					"x"), 0);
	assert_int_equal(kt_llmconf_finish(&ctx, &c, NULL, NULL),
			 KT_ERR_USAGE);
	assert_non_null(strstr(kt_ctx_error(&ctx), "not a regular file"));
	kt_llmconf_release(&c);
	assert_null(c.url);
	kt_ctx_release(&ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ini),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_default_files),
		cmocka_unit_test(test_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
