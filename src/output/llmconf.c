/*
 * llmconf.c - the [llm] section of ktriage.conf and the API key (see
 * llmconf.h and docs/LLM.md).
 *
 * Part of the output stage, next to the LLM client it configures.  The
 * file syntax is base/ini.c's; here each key is checked and stored.
 */
#include "base/compat.h"
#include "base/ini.h"
#include "base/parse.h"
#include "base/str.h"
#include "base/xalloc.h"
#include "output/llmconf.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

void kt_llmconf_init(struct kt_llmconf *c)
{
	memset(c, 0, sizeof(*c));
	c->max_tokens = 4096;
	c->timeout = 120;
	c->attempts = 3;
	c->max_prompt_tokens = 12000;
	strbuf_init(&c->key, 0);
}

void kt_llmconf_release(struct kt_llmconf *c)
{
	free(c->url);
	free(c->model);
	free(c->api_key_file);
	if (c->key.alloc)
		explicit_bzero(c->key.buf, c->key.alloc);
	strbuf_release(&c->key);
	kt_llmconf_init(c);
}

static void set_str(char **field, const char *value)
{
	free(*field);
	*field = *value ? xstrdup(value) : NULL;
}

static int bad_value(struct kt_ctx *ctx, const char *name, const char *key,
		     const char *value, const char *want)
{
	return kt_failf(ctx, KT_ERR_PARSE, "%s: bad value '%s' for '%s': %s",
			name, value, key, want);
}

static int set_u64(struct kt_ctx *ctx, uint64_t *field, const char *key,
		   const char *value, uint64_t min, uint64_t max,
		   const char *name)
{
	struct strbuf want = STRBUF_INIT;
	int rc = 0;

	if (kt_cstr_to_u64(value, min, max, field)) {
		strbuf_addf(&want, "expected a whole number from %llu to %llu",
			    (unsigned long long)min, (unsigned long long)max);
		rc = bad_value(ctx, name, key, value, want.buf);
	}
	strbuf_release(&want);
	return rc;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return KT_ERR_PARSE;
}

int kt_llmconf_set(struct kt_ctx *ctx, struct kt_llmconf *c,
		   const char *key, const char *value, const char *name)
{
	if (!strcmp(key, "url")) {
		if (strncmp(value, "http://", 7) &&
		    strncmp(value, "https://", 8))
			return bad_value(ctx, name, key, value,
					 "expected an http:// or https:// URL");
		set_str(&c->url, value);
	} else if (!strcmp(key, "model")) {
		set_str(&c->model, value);
	} else if (!strcmp(key, "api_key_file")) {
		set_str(&c->api_key_file, value);
	} else if (!strcmp(key, "temperature")) {
		const char *p = value, *end = value + strlen(value);
		int64_t us;

		if (!*value) {
			c->has_temperature = false;
			return 0;
		}
		if (kt_parse_decimal_us(&p, end, &us) || p != end ||
		    us > 2000000)
			return bad_value(ctx, name, key, value,
					 "expected a number from 0 to 2");
		c->temperature = (double)us / 1e6;
		c->has_temperature = true;
	} else if (!strcmp(key, "max_tokens")) {
		return set_u64(ctx, &c->max_tokens, key, value, 16, 1000000,
			       name);
	} else if (!strcmp(key, "timeout")) {
		return set_u64(ctx, &c->timeout, key, value, 1, 3600, name);
	} else if (!strcmp(key, "attempts")) {
		return set_u64(ctx, &c->attempts, key, value, 1, 10, name);
	} else if (!strcmp(key, "max_prompt_tokens")) {
		return set_u64(ctx, &c->max_prompt_tokens, key, value, 1000,
			       10000000, name);
	} else if (!strcmp(key, "stream")) {
		if (parse_bool(value, &c->stream))
			return bad_value(ctx, name, key, value,
					 "expected true or false");
	} else {
		return kt_failf(ctx, KT_ERR_PARSE,
				"%s: unknown key '%s' in section [llm]", name,
				key);
	}
	return 0;
}

struct load {
	struct kt_llmconf *c;
	const char *path;
};

static int on_key(void *data, struct kt_ctx *ctx, const char *section,
		  const char *key, const char *value, int line)
{
	struct load *l = data;
	struct strbuf name = STRBUF_INIT;
	int rc;

	if (strcmp(section, "llm"))
		return 0;
	strbuf_addf(&name, "%s:%d", l->path, line);
	rc = kt_llmconf_set(ctx, l->c, key, value, name.buf);
	strbuf_release(&name);
	return rc;
}

int kt_llmconf_load_file(struct kt_ctx *ctx, struct kt_llmconf *c,
			 const char *path, bool must_exist)
{
	struct load l = { c, path };
	int rc = kt_ini_load(ctx, path, on_key, &l);

	if (rc == KT_ERR_NOTFOUND) {
		if (!must_exist)
			return 0;
		return kt_failf(ctx, rc, "cannot open '%s': %s", path,
				strerror(ENOENT));
	}
	return rc;
}

int kt_llmconf_load_default(struct kt_ctx *ctx, struct kt_llmconf *c,
			    const char *home, const char *xdg_config_home)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	rc = kt_llmconf_load_file(ctx, c, KT_LLMCONF_SYSTEM, false);
	if (rc)
		return rc;
	if (xdg_config_home && *xdg_config_home)
		strbuf_addf(&path, "%s/ktriage/ktriage.conf",
			    xdg_config_home);
	else if (home && *home)
		strbuf_addf(&path, "%s/.config/ktriage/ktriage.conf", home);
	if (path.len)
		rc = kt_llmconf_load_file(ctx, c, path.buf, false);
	strbuf_release(&path);
	return rc;
}

/* Printable ASCII without blanks: what a Bearer token may hold. */
static bool is_token(const char *p, size_t len)
{
	size_t i;

	if (!len || len > KT_LLMCONF_KEY_MAX)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return false;
	return true;
}

static int read_key_file(struct kt_ctx *ctx, const char *path,
			 struct strbuf *key)
{
	char buf[KT_LLMCONF_KEY_MAX + 64];
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return kt_failf(ctx, KT_ERR_IO,
				"cannot open the API key file '%s': %s", path,
				strerror(errno));
	if (fstat(fd, &st)) {
		rc = kt_failf(ctx, KT_ERR_IO, "cannot stat '%s': %s", path,
			      strerror(errno));
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = kt_failf(ctx, KT_ERR_USAGE,
			      "the API key file '%s' is not a regular file",
			      path);
		goto cleanup;
	}
	if (st.st_mode & S_IROTH) {
		rc = kt_failf(ctx, KT_ERR_USAGE,
			      "refusing the API key file '%s': every user can read it (chmod o-r it)",
			      path);
		goto cleanup;
	}
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = kt_failf(ctx, KT_ERR_IO, "cannot read '%s': %s",
				      path, strerror(errno));
			goto cleanup;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	{
		struct kt_str s = kt_str_trim(kt_str_make(buf, len));

		if (!is_token(s.p, s.len)) {
			rc = kt_failf(ctx, KT_ERR_PARSE,
				      "the API key file '%s' does not hold one key of at most %d printable characters",
				      path, KT_LLMCONF_KEY_MAX);
			goto cleanup;
		}
		strbuf_reset(key);
		strbuf_add(key, s.p, s.len);
	}
cleanup:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

int kt_llmconf_finish(struct kt_ctx *ctx, struct kt_llmconf *c,
		      const char *env_key, const char *home)
{
	/* one allocation, so no copy of the key is left behind unwiped */
	strbuf_grow(&c->key, KT_LLMCONF_KEY_MAX + 1);
	if (env_key && *env_key) {
		if (!is_token(env_key, strlen(env_key)))
			return kt_failf(ctx, KT_ERR_USAGE,
					"KTRIAGE_LLM_API_KEY does not hold one key of at most %d printable characters",
					KT_LLMCONF_KEY_MAX);
		strbuf_reset(&c->key);
		strbuf_addstr(&c->key, env_key);
	} else if (c->api_key_file) {
		struct strbuf path = STRBUF_INIT;
		int rc;

		if (!strncmp(c->api_key_file, "~/", 2)) {
			if (!home || !*home)
				return kt_failf(ctx, KT_ERR_USAGE,
						"cannot expand '%s': HOME is not set",
						c->api_key_file);
			strbuf_addf(&path, "%s/%s", home,
				    c->api_key_file + 2);
		} else {
			strbuf_addstr(&path, c->api_key_file);
		}
		rc = read_key_file(ctx, path.buf, &c->key);
		strbuf_release(&path);
		if (rc)
			return rc;
	}
	if (!c->url)
		return kt_failf(ctx, KT_ERR_USAGE,
				"no language model endpoint: give --llm-url or set url in the [llm] section of ktriage.conf");
	if (!c->model)
		return kt_failf(ctx, KT_ERR_USAGE,
				"no language model name: give --llm-model or set model in the [llm] section of ktriage.conf");
	return 0;
}
